"""What people read for each voucher enum value, in both languages: one label function per enum."""

from flask_babel import gettext as _
from flask_babel import pgettext

from marketplace.money import format_vnd
from marketplace.vouchers.models import CostBearer, Voucher, VoucherKind
from marketplace.vouchers.status import VoucherStatus


def status_label(status: VoucherStatus | str) -> str:
    labels = {VoucherStatus.ACTIVE: pgettext("voucher", "Active"),
              VoucherStatus.PAUSED: pgettext("voucher", "Paused")}
    return labels[VoucherStatus(status)]


def kind_label(kind: VoucherKind | str) -> str:
    labels = {VoucherKind.PERCENT: _("Percentage off"), VoucherKind.FIXED: _("Fixed amount off"),
              VoucherKind.FREE_SHIPPING: _("Free shipping")}
    return labels[VoucherKind(kind)]


def bearer_label(bearer: CostBearer | str | None) -> str:
    if bearer is None:
        return ""
    labels = {CostBearer.PLATFORM: _("The marketplace"), CostBearer.PRODUCER: _("The producer")}
    return labels[CostBearer(bearer)]


def value_label(voucher: Voucher) -> str:
    """What the voucher takes off, e.g. "10 % (at most 50.000 ₫)", "30.000 ₫", "Free shipping"."""
    if voucher.kind == VoucherKind.PERCENT:
        text = f"{voucher.percent}\xa0%"
        if voucher.max_discount_vnd:
            text = _("%(percent)s (at most %(cap)s)", percent=text, cap=format_vnd(voucher.max_discount_vnd))
        return text
    if voucher.kind == VoucherKind.FIXED:
        return format_vnd(voucher.amount_vnd)
    if voucher.max_discount_vnd:
        return _("Free shipping (at most %(cap)s)", cap=format_vnd(voucher.max_discount_vnd))
    return _("Free shipping")
