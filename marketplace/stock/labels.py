"""What people read for stock movements, in both languages: one label function per enum, and the words for
the references and system reasons a movement carries (stored as codes such as "order:OC-2612-000001")."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext, pgettext

from marketplace.stock.models import LocationKind, MovementKind

K = MovementKind


def movement_kind_label(kind: MovementKind | str) -> str:
    labels = {
        K.RECEIPT: pgettext("stock movement", "Received"),
        K.RESERVATION: pgettext("stock movement", "Held for an order"),
        K.RELEASE: pgettext("stock movement", "Released"),
        K.SALE: pgettext("stock movement", "Sold"),
        K.TRANSFER_OUT: pgettext("stock movement", "Sent to another place"),
        K.TRANSFER_IN: pgettext("stock movement", "Arrived from another place"),
        K.ADJUSTMENT: pgettext("stock movement", "Correction"),
        K.RETURN: pgettext("stock movement", "Returned"),
    }
    try:
        return labels[MovementKind(kind)]
    except ValueError:
        return str(kind)


def location_kind_label(kind: LocationKind | str) -> str:
    labels = {LocationKind.WAREHOUSE: _("Producer's warehouse"), LocationKind.SHOWROOM: _("Showroom")}
    try:
        return labels[LocationKind(kind)]
    except ValueError:
        return str(kind)


#: Reasons the system writes on stock movements and on the order status changes that cause them, stored as
#: these English codes and shown in words (orders.labels.event_reason_label reads the same table).
SYSTEM_REASONS = {
    "cancelled": lazy_pgettext("stock reason", "Order cancelled"),
    "refunded": lazy_pgettext("stock reason", "Order refunded"),
    "cash on delivery": _l("cash on delivery"),
    "cash collected": _l("cash collected"),
    "not paid in time": _l("not paid in time"),
    "card payment session expired": _l("card payment session expired"),
    "card payment failed": _l("card payment failed"),
    "refunded in Stripe": _l("refunded in Stripe"),
    "sold at the till": _l("sold at the till"),
    "till sale voided": _l("till sale voided"),
    "pay at the showroom": _l("pay at the showroom"),
    "held for pickup": _l("held for pickup at the showroom"),
    "pickup cancelled": _l("pickup cancelled"),
    "collected at the showroom": _l("collected at the showroom"),
    "not collected in time": _l("not collected in time"),
    "not confirmed in time": _l("not confirmed by the shop in time"),
    # payments.fulfilment writes "paid by <provider>" on the sub-order that becomes paid.
    "paid by card": _l("paid by card"),
    "paid by vietqr": _l("paid by bank transfer"),
    "paid by vnpay": _l("paid with VNPAY"),
    "paid by momo": _l("paid with the MoMo e-wallet"),
}

_SOLD = re.compile(r"sold (\d+)")
_IMPORT_ROW = re.compile(r"import row (\d+)")


def movement_reason_label(reason: str | None) -> str:
    """A reason the system wrote ("sold 2", "import row 4", "cancelled") in words; a person's reason as typed."""
    if not reason:
        return ""
    if match := _SOLD.fullmatch(reason):
        return ngettext("%(num)d unit sold", "%(num)d units sold", int(match.group(1)))
    if match := _IMPORT_ROW.fullmatch(reason):
        return _("From the spreadsheet import, row %(row)s", row=match.group(1))
    known = SYSTEM_REASONS.get(reason)
    return str(known) if known is not None else reason


def reference_kind(reference: str | None) -> tuple[str, str]:
    """("order", "OC-2612-000001") for "order:OC-2612-000001"; ("", reference) when it has no known kind."""
    if not reference or ":" not in reference:
        return "", reference or ""
    kind, _sep, rest = reference.partition(":")
    return kind, rest


def reference_label(reference: str | None) -> str:
    """A movement's or ledger entry's reference in words: "order:OC-2612-000001" reads "Order OC-2612-000001"."""
    kind, rest = reference_kind(reference)
    if kind == "order":
        return _("Order %(number)s", number=rest)
    if kind == "refund":
        return _("Refund of order %(number)s", number=rest)
    if kind == "consignment":
        return _("Consignment %(number)s", number=rest)
    if kind == "pos":
        number, _sep, void = rest.partition(":")
        return _("Showroom sale %(number)s voided", number=number) if void == "void" \
            else _("Showroom sale %(number)s", number=number)
    if kind == "count":
        place, _sep, day = rest.rpartition(":")
        return _("Stock count %(date)s", date=day) if place else _("Stock count")
    if kind == "import":
        return _("Spreadsheet import #%(id)s", id=rest)
    if kind == "demo-history":  # the illustrative sales history (marketplace.demo.sales_history)
        channel, _sep, serial = rest.rpartition(":")
        return _("Illustrative refund #%(serial)s", serial=serial) if channel == "refund" \
            else _("Illustrative sale #%(serial)s", serial=serial)
    return rest
