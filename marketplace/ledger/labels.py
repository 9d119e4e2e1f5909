"""What people read for a sale's channel, in both languages (the ledger stores "online" or a showroom's channel)."""

from flask_babel import gettext as _

ONLINE = "online"


def sale_channel_label(channel: str | None) -> str:
    labels = {ONLINE: _("Online"), "showroom": _("Showroom")}
    return labels.get(channel or ONLINE, channel or "")
