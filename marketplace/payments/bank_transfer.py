"""Bank transfer to the marketplace account by a NAPAS VietQR code (payments.vietqr draws it): the orders
awaiting a transfer, and an admin's confirmation that one arrived. Statements: payments.bank_statement."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from marketplace.extensions import db
from marketplace.orders.models import Order, PaymentMethod, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.payments.fulfilment import fulfil_order
from marketplace.payments.records import PaymentRefused, record_manual_refund


def mark_transfer_received(order: Order, *, actor, amount_vnd: int | None = None, reference: str | None = None) -> bool:
    """An admin saw the transfer: fulfil the bank-transfer order (once)."""
    if order.payment_method != PaymentMethod.VIETQR:
        raise PaymentRefused(_("This order is not paid by bank transfer."))
    amount = order.total_vnd if amount_vnd is None else amount_vnd
    if amount != order.total_vnd:
        raise PaymentRefused(_("The amount received does not match the order total."))
    return fulfil_order(order, provider="vietqr", amount_vnd=amount, external_id=reference, actor=actor)


def pending_bank_transfers() -> list[Order]:
    return list(db.session.scalars(
        sa.select(Order).where(Order.payment_method == PaymentMethod.VIETQR, Order.paid_at.is_(None))
        .where(sa.exists().where(ProducerOrder.order_id == Order.id,
                                 ProducerOrder.status == OrderStatus.PENDING_PAYMENT))
        .order_by(Order.id)
    ))


class VietQRProvider:
    """Bank transfer to the marketplace account by a NAPAS VietQR code; confirmed by an admin or a statement."""

    name = "vietqr"

    def start(self, order) -> str:
        return url_for("payments.vietqr", number=order.number)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        return record_manual_refund(payment, amount_vnd, producer_order=producer_order)
