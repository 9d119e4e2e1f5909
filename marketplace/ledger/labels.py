"""What people read for a sale's channel, in both languages (the ledger stores one of ledger.models.CHANNELS)."""

from flask_babel import gettext as _

from marketplace.ledger.models import LINKAGE_CHANNEL, ONLINE_CHANNEL, SHOWROOM_CHANNEL

ONLINE = ONLINE_CHANNEL


def sale_channel_label(channel: str | None) -> str:
    labels = {ONLINE_CHANNEL: _("Online"), SHOWROOM_CHANNEL: _("Showroom"), LINKAGE_CHANNEL: _("Supply-demand linkage")}
    return labels.get(channel or ONLINE_CHANNEL, channel or "")
