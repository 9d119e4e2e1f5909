"""Giving money back when a paid sub-order is cancelled: the cancel actions the buyer's and the
producer's screens call. Unpaid sub-orders are simply cancelled (orders.lifecycle); paid ones are
refunded through their payment's provider, then moved to "refunded" by orders.lifecycle.change_status.

A card refund calls the payment provider: every provider call happens before the first write of the
transaction, and no lock (or open write) is held across them.
"""

from flask_babel import gettext as _

from marketplace.orders import lifecycle
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.status import CancelReason, OrderStatus
from marketplace.payments import providers
from marketplace.payments.models import Payment
from marketplace.payments.records import PaymentRefused, succeeded_charge
from marketplace.statemachine import InvalidTransition

S = OrderStatus


def refund_sub_orders(producer_orders: list[ProducerOrder], *, actor, reason: str | None,
                      reason_code: CancelReason | None = None) -> None:
    """Refund paid sub-orders: every provider call first, then the status changes (no lock across the calls)."""
    refunds = []
    charge_of: dict[int, Payment | None] = {}
    for producer_order in producer_orders:
        order = producer_order.order
        if order.id not in charge_of:
            charge_of[order.id] = succeeded_charge(order)
        charge = charge_of[order.id]
        if charge is None:
            raise PaymentRefused(_("No payment was found for this order."))
        refunds.append((producer_order, providers.get(charge.provider).refund(
            charge, producer_order.total_vnd, producer_order=producer_order)))
    for producer_order, _row in refunds:
        lifecycle.change_status(producer_order, S.REFUNDED, actor=actor, reason=reason, reason_code=reason_code)


def refund_sub_order(producer_order: ProducerOrder, *, actor, reason: str) -> None:
    refund_sub_orders([producer_order], actor=actor, reason=reason)


def cancel_sub_order(producer_order: ProducerOrder, *, actor, reason: str) -> ProducerOrder:
    """Cancel before shipping: unpaid sub-orders are cancelled (stock released), paid ones refunded."""
    reason = lifecycle.cancellation_reason(reason)
    lifecycle.check_cancellable(producer_order)
    if producer_order.paid_at is None:
        return lifecycle.change_status(producer_order, S.CANCELLED, actor=actor, reason=reason)
    refund_sub_order(producer_order, actor=actor, reason=reason)
    return producer_order


def cancel_order_by_buyer(order: Order, *, actor, reason_code, note: str | None = None,
                          producer_order_ids=None) -> list[ProducerOrder]:
    """The buyer cancels the shops' parts not yet shipped (those of `producer_order_ids`, or all of them) for a
    reason chosen from the list (orders.status.CancelReason) and their own words; paid parts are refunded.
    Raises DomainError for a missing reason, InvalidTransition when none of the chosen parts can be cancelled.
    Returns the cancelled sub-orders."""
    code, note = lifecycle.buyer_cancel_reason(reason_code, note)
    cancellable = lifecycle.cancellable_sub_orders(order)
    if producer_order_ids is not None:
        wanted = set(producer_order_ids)
        cancellable = [po for po in cancellable if po.id in wanted]
    if not cancellable:
        raise InvalidTransition(_("This order was already shipped or closed and cannot be cancelled."))
    paid = [po for po in cancellable if po.paid_at is not None]
    if paid:
        # Every refund call to the provider happens before the first write of this transaction.
        refund_sub_orders(paid, actor=actor, reason=note, reason_code=code)
    for producer_order in cancellable:
        if producer_order.paid_at is None:
            lifecycle.change_status(producer_order, S.CANCELLED, actor=actor, reason=note, reason_code=code)
    return cancellable
