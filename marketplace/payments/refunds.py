"""Giving money back when a paid sub-order is cancelled: the cancel actions the buyer's and the
producer's screens call. Unpaid sub-orders are simply cancelled (orders.lifecycle); paid ones are
refunded through their payment's provider, then moved to "refunded" by orders.lifecycle.change_status.

A card refund calls the payment provider: every provider call happens before the first write of the
transaction, and no lock (or open write) is held across them.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.orders import lifecycle
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.payments import providers
from marketplace.payments.models import Payment
from marketplace.payments.records import PaymentRefused, succeeded_charge
from marketplace.statemachine import InvalidTransition

S = OrderStatus


def refund_sub_orders(producer_orders: list[ProducerOrder], *, actor, reason: str) -> None:
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
        lifecycle.change_status(producer_order, S.REFUNDED, actor=actor, reason=reason)


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


def cancel_order_by_buyer(order: Order, *, actor) -> list[ProducerOrder]:
    """The buyer cancels every sub-order not yet shipped; raises InvalidTransition when none can be."""
    cancellable = lifecycle.cancellable_sub_orders(order)
    if not cancellable:
        raise InvalidTransition(_("This order was already shipped or closed and cannot be cancelled."))
    reason = str(_l("cancelled by the buyer"))
    paid = [po for po in cancellable if po.paid_at is not None]
    if paid:
        # Every refund call to the provider happens before the first write of this transaction.
        refund_sub_orders(paid, actor=actor, reason=reason)
    for producer_order in cancellable:
        if producer_order.paid_at is None:
            lifecycle.change_status(producer_order, S.CANCELLED, actor=actor, reason=reason)
    return cancellable
