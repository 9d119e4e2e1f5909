"""Click and collect, the order side: the showroom's staff prepare a pickup sub-order (the buyer is told by
e-mail where and until when to collect it) and hand it over, paid online before or at the counter now (cash,
bank transfer or card); the hand-over records the sale in the ledger on the showroom channel with the
showroom's location (orders.lifecycle). Every status change goes through lifecycle.change_status.

The stock side (which showrooms can hold a sub-order, the hold by lot) is showrooms.pickups; placing the
order is orders.checkout. Services flush, never commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.dates import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.orders.lifecycle import change_status
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.queries import SUB_ORDER_GRAPH
from marketplace.orders.status import OrderStatus
from marketplace.showrooms import pickups as holds
from marketplace.showrooms.models import PaymentMethod, Pickup, Showroom
from marketplace.showrooms.services import full_address, map_url
from marketplace.statemachine import StatusConflict

S = OrderStatus
#: Sub-orders still to prepare or to hand over.
OPEN = (S.PENDING_PAYMENT, S.PLACED, S.PAID, S.CONFIRMED, S.READY_FOR_PICKUP)
#: Finished ones, listed for this many days.
DONE = (S.DELIVERED, S.COMPLETED, S.CANCELLED, S.REFUNDED)
RECENT_DAYS = 30
#: The reason written on the hand-over's event (stock.labels.SYSTEM_REASONS shows it in the page language).
REASON_COLLECTED = "collected at the showroom"
REASON_NOT_COLLECTED = "not collected in time"


class PickupError(DomainError):
    """A pickup action that cannot be done as asked (the message is safe to show); nothing was changed."""


@dataclass(frozen=True)
class PickupPlace:
    """What the buyer's order page says about where and when to collect a sub-order."""

    showroom: Showroom
    address: str
    #: '' when the showroom has no coordinates.
    map_url: str
    collect_by: datetime | None
    collected_at: datetime | None


def pickup_places(order: Order) -> dict[int, PickupPlace]:
    """For each pickup sub-order of the order (by id), its showroom, address, map link and collect-by time."""
    found = holds.pickups_by_order(po.id for po in order.producer_orders if po.is_pickup)
    return {po_id: PickupPlace(p.showroom, full_address(p.showroom), map_url(p.showroom), p.collect_by,
                               p.collected_at) for po_id, p in found.items()}


def hold_days() -> int:
    """How many days a prepared pickup waits for the buyer (PICKUP_HOLD_DAYS, 3 by default)."""
    return int(current_app.config.get("PICKUP_HOLD_DAYS", 3))


def _hold(producer_order: ProducerOrder) -> Pickup:
    held = holds.pickup_for(producer_order.id)
    if held is None:
        raise PickupError(_("This order is not collected at a showroom."))
    return held


def prepare(producer_order: ProducerOrder, *, actor: User) -> ProducerOrder:
    """The staff put the goods together: the buyer is told by e-mail to come (and until when)."""
    if producer_order.status == S.PENDING_PAYMENT:
        raise PickupError(_("This order is not paid yet: prepare it once the payment has arrived."))
    held = _hold(producer_order)
    holds.set_collect_by(held, utcnow() + timedelta(days=hold_days()))
    return change_status(producer_order, S.READY_FOR_PICKUP, actor=actor)


def hand_over(producer_order: ProducerOrder, *, actor: User, counter_payment_method: str | None) -> ProducerOrder:
    """The buyer collects the goods: an order not paid online is paid at the counter now (`counter_payment_method`
    says how: cash, bank_transfer or card). Records the sale on the showroom channel."""
    if producer_order.status != S.READY_FOR_PICKUP:
        raise PickupError(_("Prepare the order before handing it over."))
    held = _hold(producer_order)
    method = None
    if producer_order.paid_at is None:
        try:
            method = PaymentMethod(counter_payment_method or "")
        except ValueError:
            raise PickupError(_("Choose how the buyer paid at the counter.")) from None
    holds.mark_collected(held, counter_payment_method=method, when=utcnow())
    return change_status(producer_order, S.DELIVERED, actor=actor, reason=REASON_COLLECTED)


def showroom_pickups(showroom: Showroom, *, done: bool = False) -> list[ProducerOrder]:
    """The showroom's pickup sub-orders with their orders: open ones oldest first, or the finished ones of the
    last 30 days newest first."""
    query = (sa.select(ProducerOrder).join(Pickup, Pickup.producer_order_id == ProducerOrder.id)
             .where(Pickup.showroom_id == showroom.id).options(*SUB_ORDER_GRAPH))
    if done:
        since = utcnow() - timedelta(days=RECENT_DAYS)
        query = query.where(ProducerOrder.status.in_(DONE), ProducerOrder.updated_at >= since) \
            .order_by(ProducerOrder.updated_at.desc(), ProducerOrder.id.desc())
    else:
        query = query.where(ProducerOrder.status.in_(OPEN)).order_by(ProducerOrder.id)
    return list(db.session.scalars(query))


def showroom_pickup(showroom: Showroom, producer_order_id) -> ProducerOrder:
    """A pickup sub-order of this showroom; NotFound for any other (another showroom's, a shipped one)."""
    producer_order_id = parse_int(producer_order_id, minimum=1, maximum=MAX_ID)
    producer_order = db.session.scalar(
        sa.select(ProducerOrder).join(Pickup, Pickup.producer_order_id == ProducerOrder.id)
        .where(ProducerOrder.id == producer_order_id, Pickup.showroom_id == showroom.id)
        .options(*SUB_ORDER_GRAPH))
    if producer_order is None:
        raise NotFound(_("Order not found."))
    return producer_order


def expired_pickups(now: datetime | None = None) -> list[ProducerOrder]:
    """Prepared pickups not paid online whose collect-by time has passed."""
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(ProducerOrder).join(Pickup, Pickup.producer_order_id == ProducerOrder.id)
        .where(ProducerOrder.status == S.READY_FOR_PICKUP, ProducerOrder.paid_at.is_(None),
               Pickup.collect_by.is_not(None), Pickup.collect_by < now)
        .options(*SUB_ORDER_GRAPH).order_by(ProducerOrder.id)))


def cancel_uncollected(producer_order: ProducerOrder) -> bool:
    """Cancel an unpaid pickup the buyer did not collect in time: its units go back into their lots."""
    try:
        change_status(producer_order, S.CANCELLED, reason=REASON_NOT_COLLECTED)
    except StatusConflict:
        return False
    return True
