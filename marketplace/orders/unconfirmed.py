"""Cash-on-delivery sub-orders the shop never confirmed: past ORDER_CONFIRM_DAYS (3 by default) after the
order was placed, a sub-order still waiting for the producer's confirmation (placed) is cancelled by the
clock through lifecycle.change_status (its stock goes back, the event says why), the buyer is told by the
status e-mail and the shop's members by their own message. `flask orders expire-unconfirmed` (orders.cli)
runs it, from cron or the job schedule (marketplace.cli).

Only shipped sub-orders: a pickup to pay at the counter waits for its showroom, not for the producer, and is
cancelled when uncollected (orders.pickups). Services flush, never commit.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SHOWROOM_CHANNEL
from marketplace.mail import queue_mail
from marketplace.orders.lifecycle import change_status
from marketplace.orders.models import Order, PaymentMethod, ProducerOrder
from marketplace.orders.notifications import producer_member_emails
from marketplace.orders.queries import SUB_ORDER_GRAPH
from marketplace.orders.status import OrderStatus
from marketplace.statemachine import StatusConflict

#: The reason written on the cancellation's event and stock movements (stock.labels.SYSTEM_REASONS).
REASON_NOT_CONFIRMED = "not confirmed in time"


def confirm_days() -> int:
    """How many days a cash-on-delivery order waits for the shop's confirmation (ORDER_CONFIRM_DAYS)."""
    return int(current_app.config.get("ORDER_CONFIRM_DAYS", 3))


def unconfirmed_sub_orders(now: datetime | None = None) -> list[ProducerOrder]:
    """Shipped cash-on-delivery sub-orders still awaiting the shop's confirmation, placed before the limit."""
    cutoff = (now or utcnow()) - timedelta(days=confirm_days())
    return list(db.session.scalars(
        sa.select(ProducerOrder).join(Order, Order.id == ProducerOrder.order_id)
        .where(ProducerOrder.status == OrderStatus.PLACED, ProducerOrder.sales_channel != SHOWROOM_CHANNEL,
               Order.payment_method == PaymentMethod.COD, Order.created_at < cutoff)
        .options(*SUB_ORDER_GRAPH).order_by(ProducerOrder.id)))


def cancel_unconfirmed(producer_order: ProducerOrder) -> bool:
    """Cancel one sub-order the shop did not confirm in time and tell its members; False when someone changed
    it in the meantime (confirmed it at the last minute, or the buyer cancelled it)."""
    try:
        change_status(producer_order, OrderStatus.CANCELLED, reason=REASON_NOT_CONFIRMED)
    except StatusConflict:
        return False
    emails = producer_member_emails([producer_order.producer_id]).get(producer_order.producer_id)
    if emails:
        order = producer_order.order
        queue_mail(emails, _l("Order %(number)s was cancelled: not confirmed in time", number=order.number),
                   "order_unconfirmed_for_producer", language="vi", order=order, producer_order=producer_order,
                   days=confirm_days())
    return True


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Cancel every sub-order past its time (unconfirmed_sub_orders); returns how many were cancelled."""
    return sum(1 for producer_order in unconfirmed_sub_orders(now) if cancel_unconfirmed(producer_order))
