"""What a person reads for each order status and payment method (one label function per enum)."""

from flask_babel import lazy_gettext as _l

from marketplace.orders.models import PaymentMethod
from marketplace.orders.status import OrderStatus
from marketplace.stock.labels import SYSTEM_REASONS

S = OrderStatus

STATUS_LABELS = {
    S.PENDING_PAYMENT: _l("Awaiting payment"),
    S.PAID: _l("Paid"),
    S.CONFIRMED: _l("Confirmed"),
    S.READY_FOR_PICKUP: _l("Ready for pickup"),
    S.SHIPPED: _l("Shipped"),
    S.DELIVERED: _l("Delivered"),
    S.COMPLETED: _l("Completed"),
    S.CANCELLED: _l("Cancelled"),
    S.REFUNDED: _l("Refunded"),
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
