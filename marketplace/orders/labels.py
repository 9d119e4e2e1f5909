"""What a person reads for each order status and payment method (one label function per enum)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from marketplace.orders.models import PaymentMethod
from marketplace.orders.status import CancelReason, OrderStatus
from marketplace.stock.labels import SYSTEM_REASONS

S = OrderStatus

#: The words Vietnamese marketplaces use: Chờ xác nhận -> Chờ lấy hàng -> Đang giao -> Đã giao.
STATUS_LABELS = {
    S.PENDING_PAYMENT: lazy_pgettext("order status", "Awaiting payment"),
    S.PLACED: lazy_pgettext("order status", "Awaiting confirmation"),
    S.PAID: lazy_pgettext("order status", "Paid, awaiting confirmation"),
    S.CONFIRMED: lazy_pgettext("order status", "Confirmed, to be shipped"),
    S.READY_FOR_PICKUP: lazy_pgettext("order status", "Ready to collect"),
    S.SHIPPED: lazy_pgettext("order status", "Being delivered"),
    S.DELIVERED: lazy_pgettext("order status", "Delivered"),
    S.COMPLETED: lazy_pgettext("order status", "Completed"),
    S.CANCELLED: lazy_pgettext("order status", "Cancelled"),
    S.REFUNDED: lazy_pgettext("order status", "Refunded"),
}

PAYMENT_LABELS = {
    PaymentMethod.CARD: _l("Card (Stripe)"),
    PaymentMethod.COD: _l("Cash on delivery"),
    PaymentMethod.VIETQR: _l("Bank transfer (VietQR)"),
    PaymentMethod.VNPAY: _l("VNPAY (banking app or VNPAY-QR)"),
    PaymentMethod.MOMO: _l("MoMo e-wallet"),
}


def status_label(status) -> str:
    return str(STATUS_LABELS.get(OrderStatus(status), status))


def event_reason_label(reason: str | None) -> str:
    """A status change's reason: the system's (marketplace.stock.labels.SYSTEM_REASONS, the same words its
    stock movements carry) in the page language, a person's as typed."""
    if not reason:
        return ""
    known = SYSTEM_REASONS.get(reason)
    return str(known) if known is not None else reason


CANCEL_REASON_LABELS = {
    CancelReason.CHANGED_MIND: _l("I no longer want to buy it"),
    CancelReason.CHANGE_ADDRESS: _l("I want to change the delivery address or phone number"),
    CancelReason.CHANGE_ITEMS: _l("I want to change products or quantities"),
    CancelReason.CHANGE_PAYMENT: _l("I want to pay another way"),
    CancelReason.BETTER_PRICE: _l("I found a better price elsewhere"),
    CancelReason.TOO_SLOW: _l("It takes too long"),
    CancelReason.OTHER: _l("Another reason"),
}


def cancel_reason_label(code) -> str:
    """The buyer's chosen reason for cancelling, in the page language ('' for none or an unknown code)."""
    try:
        return str(CANCEL_REASON_LABELS[CancelReason(code)])
    except ValueError:
        return ""


def event_text(event) -> str:
    """What a status change's reason reads as: the buyer's chosen reason and their words, or the reason alone."""
    chosen = cancel_reason_label(event.reason_code) if event.reason_code else ""
    typed = event_reason_label(event.reason)
    return ": ".join(part for part in (chosen, typed) if part)


#: The buyer's timeline of a shop's part (orders.timeline): what happened at each step.
STEP_LABELS = {
    "placed": lazy_pgettext("order step", "Order placed"),
    "paid": lazy_pgettext("order step", "Payment received"),
    "confirmed": lazy_pgettext("order step", "Confirmed by the shop, being prepared"),
    "ready": lazy_pgettext("order step", "Ready to collect at the showroom"),
    "shipped": lazy_pgettext("order step", "Handed to the carrier, on its way"),
    "delivered": lazy_pgettext("order step", "Delivered"),
    "collected": lazy_pgettext("order step", "Collected at the showroom"),
    "completed": lazy_pgettext("order step", "Completed"),
    "cancelled": lazy_pgettext("order step", "Cancelled"),
    "refunded": lazy_pgettext("order step", "Refunded"),
}

#: The producer's order list tabs (orders.queries.FULFILMENT_TABS).
FULFILMENT_TAB_LABELS = {
    "to_confirm": lazy_pgettext("order tab", "To confirm"),
    "to_ship": lazy_pgettext("order tab", "To ship"),
    "shipping": lazy_pgettext("order tab", "Being delivered"),
    "at_showroom": lazy_pgettext("order tab", "Collected at a showroom"),
    "awaiting_payment": lazy_pgettext("order tab", "Awaiting payment"),
    "delivered": lazy_pgettext("order tab", "Delivered"),
    "cancelled": lazy_pgettext("order tab", "Cancelled or refunded"),
    "all": lazy_pgettext("order tab", "All"),
}
