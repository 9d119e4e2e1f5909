"""Telling orders that money arrived.

fulfil_order() is the one idempotent way an order becomes paid: a compare-and-set of every awaiting
sub-order from pending_payment to paid (orders.lifecycle.change_status); only the winner records the
payment, the ledger sale and the e-mails. The webhook, the success page, the admin and the bank
statement import all call it. Money that arrives for an order that no longer awaits it is kept as an
"unmatched" payment for an admin to refund.
"""

import logging

from marketplace.extensions import db
from marketplace.orders.lifecycle import change_status
from marketplace.orders.models import Order
from marketplace.orders.notifications import notify_order_placed
from marketplace.orders.status import OrderStatus
from marketplace.payments.models import Payment
from marketplace.payments.records import new_charge, settle_status
from marketplace.payments.status import PaymentStatus
from marketplace.statemachine import StatusConflict

log = logging.getLogger(__name__)
S = OrderStatus


def awaits_payment(order: Order) -> bool:
    return any(po.status == S.PENDING_PAYMENT for po in order.producer_orders)


def fulfil_order(order: Order, *, provider: str, amount_vnd: int, payment: Payment | None = None,
                 external_id: str | None = None, external_reference: str | None = None, actor=None) -> bool:
    """Mark the order paid exactly once; True only for the caller that won (and wrote everything)."""
    awaiting = sorted((po for po in order.producer_orders if po.status == S.PENDING_PAYMENT), key=lambda po: po.id)
    if not awaiting:
        return False
    won = False
    reason = f"paid by {provider}"
    for producer_order in awaiting:
        try:
            change_status(producer_order, S.PAID, actor=actor, reason=reason)
        except StatusConflict:
            if not won:
                return False
            continue
        won = True
    if payment is None:
        payment = new_charge(order, provider, amount_vnd, actor=actor, reason=reason, status=PaymentStatus.SUCCEEDED)
    else:
        settle_status(payment, PaymentStatus.SUCCEEDED, actor=actor, reason=reason)
    payment.amount_vnd = amount_vnd
    payment.external_id = external_id or payment.external_id
    payment.external_reference = external_reference or payment.external_reference
    order.expires_at = None
    notify_order_placed(order)
    db.session.flush()
    return True


def record_unmatched(order: Order, *, provider: str, amount_vnd: int, payment: Payment | None = None,
                     external_id: str | None = None, external_reference: str | None = None, error: str) -> Payment:
    """Money arrived for an order that did not await it: keep the record for an admin to refund."""
    if payment is None:
        payment = new_charge(order, provider, amount_vnd, reason=error, status=PaymentStatus.UNMATCHED)
    if payment.status != PaymentStatus.SUCCEEDED:
        settle_status(payment, PaymentStatus.UNMATCHED, reason=error)
        payment.external_id = external_id or payment.external_id
        payment.external_reference = external_reference or payment.external_reference
        payment.error = error[:500]
    db.session.flush()
    log.warning("payment for %s not applied: %s", order.number, error)
    return payment
