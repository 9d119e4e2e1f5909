"""Reading orders: the buyer's orders, a producer's sub-orders, and the ownership loaders that answer
"the order / sub-order this user may see" or raise NotFound (so a guessed number or id reveals nothing).

Relationships never load by themselves (lazy="raise_on_sql"); the graphs below are what an order's
pages, e-mails and state changes read, and every loader of orders, payments and checkout uses them.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.accounts.policies import can_manage_producer
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.ledger.models import SHOWROOM_CHANNEL
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.status import OrderStatus

#: A sub-order's own parts: its shop, lines and status history.
SUB_ORDER_PARTS = (joinedload(ProducerOrder.producer), selectinload(ProducerOrder.lines),
                   selectinload(ProducerOrder.events))
#: An order with its buyer and every sub-order's parts (pages, e-mails, payment and status changes).
ORDER_GRAPH = (joinedload(Order.buyer), selectinload(Order.producer_orders).options(*SUB_ORDER_PARTS))
#: A sub-order with its parts and its whole order (the producer's order page and actions).
SUB_ORDER_GRAPH = (*SUB_ORDER_PARTS, joinedload(ProducerOrder.order).options(*ORDER_GRAPH))


def reload_order(order: Order) -> Order:
    """Read an order again from the database with its whole graph (after writes by UPDATE)."""
    return db.session.scalars(sa.select(Order).where(Order.id == order.id).options(*ORDER_GRAPH)
                              .execution_options(populate_existing=True)).one()


def orders_for_buyer(buyer: User) -> list[Order]:
    return list(db.session.scalars(sa.select(Order).where(Order.buyer_id == buyer.id)
                                   .options(selectinload(Order.producer_orders)).order_by(Order.id.desc())))


def order_by_number(number: str | None) -> Order | None:
    """The order with this public number (None when there is none)."""
    if not number:
        return None
    return db.session.scalar(sa.select(Order).where(Order.number == str(number)[:32]).options(*ORDER_GRAPH))


def order_for_buyer(buyer: User, number: str) -> Order:
    """The buyer's own order; NotFound for anyone else's (so its existence is not revealed)."""
    order = order_by_number(number)
    if order is None or order.buyer_id != buyer.id:
        raise NotFound(_("Order not found."))
    return order


def sub_order_for(user: User, producer_order_id) -> ProducerOrder:
    """A sub-order the user's producer fulfils (admins see all); NotFound otherwise."""
    producer_order_id = parse_int(producer_order_id, minimum=1, maximum=MAX_ID)
    producer_order = db.session.scalar(sa.select(ProducerOrder).where(ProducerOrder.id == producer_order_id)
                                       .options(*SUB_ORDER_GRAPH))
    if producer_order is None or not can_manage_producer(user, producer_order.producer_id):
        raise NotFound(_("Order not found."))
    return producer_order


def producer_orders_for(producer_id: int, status: OrderStatus | None = None) -> list[ProducerOrder]:
    query = sa.select(ProducerOrder).where(ProducerOrder.producer_id == producer_id).options(*SUB_ORDER_GRAPH)
    if status is not None:
        query = query.where(ProducerOrder.status == status)
    return list(db.session.scalars(query.order_by(ProducerOrder.id.desc())))


def sub_order_ids_by_number(producer_id: int, numbers) -> dict[str, int]:
    """{order number: the producer's sub-order id} for those of the numbers it has a part of (for links)."""
    numbers = {number for number in numbers if number}
    if not numbers:
        return {}
    rows = db.session.execute(sa.select(Order.number, ProducerOrder.id).join(ProducerOrder.order)
                              .where(ProducerOrder.producer_id == producer_id, Order.number.in_(numbers)))
    return {number: sub_order_id for number, sub_order_id in rows}


#: The producer's order list tabs (and the dashboard's "to do"): which sub-orders each one holds, by status and
#: by whether the shop ships them or a showroom hands them over. "all" holds every sub-order.
FULFILMENT_TABS = ("to_confirm", "to_ship", "shipping", "at_showroom", "awaiting_payment", "delivered",
                   "cancelled", "all")
_SHIPPED_HERE = {"to_confirm": (OrderStatus.PLACED, OrderStatus.PAID), "to_ship": (OrderStatus.CONFIRMED,)}
_ANY_KIND = {"shipping": (OrderStatus.SHIPPED,), "awaiting_payment": (OrderStatus.PENDING_PAYMENT,),
             "delivered": (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
             "cancelled": (OrderStatus.CANCELLED, OrderStatus.REFUNDED)}
_AT_SHOWROOM = (OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.READY_FOR_PICKUP)


def fulfilment_tab(status, sales_channel: str) -> str:
    """The tab a sub-order with this status and channel is listed under (never "all")."""
    status = OrderStatus(status)
    pickup = sales_channel == SHOWROOM_CHANNEL
    if pickup and status in _AT_SHOWROOM:
        return "at_showroom"
    for tab, statuses in (*_SHIPPED_HERE.items(), *_ANY_KIND.items()):
        if status in statuses:
            return tab
    return "to_ship"  # a confirmed pickup is at the showroom (above); nothing else is left


def fulfilment_filter(tab: str):
    """The WHERE clause of a tab (None for "all")."""
    if tab in _SHIPPED_HERE:
        return sa.and_(ProducerOrder.status.in_(_SHIPPED_HERE[tab]), ProducerOrder.sales_channel != SHOWROOM_CHANNEL)
    if tab in _ANY_KIND:
        return ProducerOrder.status.in_(_ANY_KIND[tab])
    if tab == "at_showroom":
        return sa.and_(ProducerOrder.status.in_(_AT_SHOWROOM), ProducerOrder.sales_channel == SHOWROOM_CHANNEL)
    return None


def fulfilment_counts(producer_id: int | None) -> dict[str, int]:
    """How many sub-orders each tab holds, for one producer (or every producer when None), in one query."""
    query = sa.select(ProducerOrder.status, ProducerOrder.sales_channel, sa.func.count()).group_by(
        ProducerOrder.status, ProducerOrder.sales_channel)
    if producer_id is not None:
        query = query.where(ProducerOrder.producer_id == producer_id)
    counts = dict.fromkeys(FULFILMENT_TABS, 0)
    for status, channel, count in db.session.execute(query):
        counts[fulfilment_tab(status, channel)] += count
        counts["all"] += count
    return counts
