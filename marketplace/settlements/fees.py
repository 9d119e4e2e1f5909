"""Commission and fees: the marketplace's commission rate and amount, who collected the money, and what
one sub-order earns its producer (the producer's order screens show it; statements use the same rules).

A sub-order collected at a showroom (click and collect) is a showroom-channel sale: charged the showroom's
commission rate, its money collected by OCOP Market when paid online and by the showroom when paid at the
counter, like its statement section (services.compute_sections)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from marketplace.extensions import db
from marketplace.ledger.models import SHOWROOM_CHANNEL, SaleEntry
from marketplace.orders.models import Order, OrderLine, PaymentMethod, ProducerOrder
from marketplace.producers.models import Producer
from marketplace.settlements.models import Collector, Statement, StatementEntry, StatementSection
from marketplace.showrooms.models import Pickup, Showroom
from marketplace.vouchers.models import CostBearer

#: Payment methods whose money the producer collects itself; every other online method (card, VietQR) is
#: collected by the marketplace and paid out through statements.
PRODUCER_COLLECTED_METHODS = frozenset({PaymentMethod.COD.value})
#: Online payment methods whose money reaches OCOP Market before the goods are handed over (card, VietQR,
#: e-wallets): every order payment method but cash on delivery.
PREPAID_ONLINE_METHODS = frozenset(method.value for method in PaymentMethod) - PRODUCER_COLLECTED_METHODS


@dataclass(frozen=True)
class OrderFees:
    """What the marketplace keeps from one sub-order, as the producer sees it."""

    commission_rate_bp: int
    commission_vnd: int
    shipping_fee_vnd: int
    #: Who collected (or collects) the buyer's money: OCOP Market, the producer (cash on delivery) or the
    #: showroom (a pickup paid at its counter).
    collector: Collector
    #: Its voucher discount (goods and shipping), and who bears it: "producer", "platform" or None.
    discount_vnd: int
    discount_bearer: str | None
    #: Goods plus shipping minus commission minus the discount the producer bears: what this sub-order
    #: earns the producer, however the buyer paid (the statements' rule, settlements.services).
    producer_earns_vnd: int
    #: The statement that settled it, if any.
    statement: Statement | None
    #: The showroom where the buyer collects it (click and collect), else None.
    showroom: Showroom | None = None

    @property
    def collected_by_producer(self) -> bool:
        """True when the producer collected the money itself (cash on delivery)."""
        return self.collector == Collector.PRODUCER

    @property
    def collected_by_showroom(self) -> bool:
        """True when the showroom collected (or collects) the money at its counter."""
        return self.collector == Collector.SHOWROOM

    @property
    def producer_discount_vnd(self) -> int:
        return self.discount_vnd if self.discount_bearer == CostBearer.PRODUCER else 0

    @property
    def platform_discount_vnd(self) -> int:
        return self.discount_vnd if self.discount_bearer == CostBearer.PLATFORM else 0

    @property
    def balance_vnd(self) -> int:
        """What OCOP Market owes the producer for it (negative: the producer owes OCOP Market). Cash on delivery:
        the platform's discount minus the commission; paid at a showroom's counter: the platform's discount
        (the showroom owes the rest, showroom_due_vnd); prepaid: what it earns."""
        if self.collector == Collector.PRODUCER:
            return self.platform_discount_vnd - self.commission_vnd
        if self.collector == Collector.SHOWROOM:
            return self.platform_discount_vnd
        return self.producer_earns_vnd

    @property
    def showroom_due_vnd(self) -> int:
        """What the showroom owes the producer for a pickup paid at its counter (services.section_due: it
        received the discounted price and keeps its commission); 0 when no showroom collected the money."""
        if self.collector != Collector.SHOWROOM:
            return 0
        return self.producer_earns_vnd - self.platform_discount_vnd


def is_producer_collected(payment_method: str) -> bool:
    """True for sales whose money the producer received directly (cash on delivery)."""
    return payment_method in PRODUCER_COLLECTED_METHODS


def order_payment_methods(entries) -> dict[int, str | None]:
    """How the order of each showroom-channel entry's order line was paid, by order line id (one query): the
    order's own payment method, or None when the buyer paid at the showroom's counter on collection."""
    line_ids = {entry.order_line_id for entry in entries
                if entry.channel == SHOWROOM_CHANNEL and entry.order_line_id is not None}
    if not line_ids:
        return {}
    rows = db.session.execute(
        sa.select(OrderLine.id, Order.payment_method, Pickup.counter_payment_method)
        .join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
        .join(Order, Order.id == ProducerOrder.order_id)
        .outerjoin(Pickup, Pickup.producer_order_id == ProducerOrder.id).where(OrderLine.id.in_(line_ids)))
    return {line_id: None if counter is not None else str(method) for line_id, method, counter in rows}


def collector_of(entry: SaleEntry, order_methods: dict[int, str | None] | None = None) -> Collector:
    """Who received the buyer's money for this ledger entry (and so owes the producer its share).

    On the showroom channel, an online order picked up there (the entry has an order line) that was paid
    online (its order's method in PREPAID_ONLINE_METHODS) was collected by OCOP Market; anything else there
    (a till sale, or an order paid at the counter on collection, whose ledger entry carries the counter's
    method, which can also be "card") by the showroom. `order_methods` (order_payment_methods) says how each
    order was paid; without it the entry's method decides. On the other channels, cash on delivery was
    collected by the producer, the rest by OCOP Market.
    """
    if entry.channel == SHOWROOM_CHANNEL:
        if entry.order_line_id is None:
            return Collector.SHOWROOM
        method = (order_methods or {}).get(entry.order_line_id, entry.payment_method)
        return Collector.MARKETPLACE if method in PREPAID_ONLINE_METHODS else Collector.SHOWROOM
    if is_producer_collected(entry.payment_method):
        return Collector.PRODUCER
    return Collector.MARKETPLACE



def commission_rate_for(producer: Producer) -> int:
    """The producer's commission override in basis points, or the marketplace default."""
    if producer.commission_rate_bp is not None:
        return producer.commission_rate_bp
    return int(current_app.config["DEFAULT_COMMISSION_BP"])


def commission_on(amount_vnd: int, rate_bp: int) -> int:
    """amount x rate, rounded half away from zero to whole đồng (a negative amount gives commission back)."""
    sign = -1 if amount_vnd < 0 else 1
    return sign * ((abs(amount_vnd) * rate_bp + 5000) // 10000)


def fees_for(producer_orders: list[ProducerOrder]) -> dict[int, OrderFees]:
    """order_fees of each sub-order, by id, with one query for the statements that settled them (a page of
    the order list costs one query, not one per row)."""
    ids = {producer_order.id for producer_order in producer_orders}
    settled: dict[int, Statement] = {}
    if ids:
        # The statement that settled each sub-order's first sale: the lowest id among those settling its sales.
        first = (
            sa.select(OrderLine.producer_order_id, sa.func.min(StatementEntry.statement_id).label("statement_id"))
            .join(SaleEntry, SaleEntry.order_line_id == OrderLine.id)
            .join(StatementEntry, StatementEntry.sale_entry_id == SaleEntry.id)
            .where(OrderLine.producer_order_id.in_(ids), SaleEntry.reverses_id.is_(None))
            .group_by(OrderLine.producer_order_id).subquery()
        )
        settled = dict(db.session.execute(
            sa.select(first.c.producer_order_id, Statement).join(Statement, Statement.id == first.c.statement_id)
        ).all())
    held = _pickups(producer_orders)
    section_rates = _settled_section_rates(settled, held)
    return {producer_order.id: _fees(producer_order, settled.get(producer_order.id), held.get(producer_order.id),
                                     section_rates)
            for producer_order in producer_orders}


def _pickups(producer_orders: list[ProducerOrder]) -> dict[int, tuple[Pickup, Showroom]]:
    """The pickup holds (with their showrooms) of the click-and-collect sub-orders among these, by sub-order id."""
    ids = {producer_order.id for producer_order in producer_orders if producer_order.is_pickup}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Pickup, Showroom).join(Showroom, Showroom.id == Pickup.showroom_id)
                              .where(Pickup.producer_order_id.in_(ids))).all()
    return {pickup.producer_order_id: (pickup, showroom) for pickup, showroom in rows}


def _settled_section_rates(settled: dict[int, Statement],
                           held: dict[int, tuple[Pickup, Showroom]]) -> dict[tuple[int, int], int]:
    """The rate each settling statement charged each showroom's section, by (statement id, showroom id)."""
    keys = {(settled[po_id].id, showroom.id) for po_id, (_pickup, showroom) in held.items() if po_id in settled}
    if not keys:
        return {}
    rows = db.session.execute(
        sa.select(StatementSection.statement_id, StatementSection.showroom_id, StatementSection.commission_rate_bp)
        .where(StatementSection.statement_id.in_({statement_id for statement_id, _ in keys}),
               StatementSection.showroom_id.is_not(None)))
    return {(statement_id, showroom_id): rate for statement_id, showroom_id, rate in rows}


def _collector(producer_order: ProducerOrder) -> Collector:
    """Who receives the buyer's money (collector_of's rule, for the whole sub-order)."""
    method = str(producer_order.order.payment_method)
    if producer_order.is_pickup:
        return Collector.MARKETPLACE if method in PREPAID_ONLINE_METHODS else Collector.SHOWROOM
    return Collector.PRODUCER if is_producer_collected(method) else Collector.MARKETPLACE


def order_fees(producer_order: ProducerOrder) -> OrderFees:
    """Commission (rate and amount) and shipping fee of one sub-order; the settled rate once it is settled."""
    return fees_for([producer_order])[producer_order.id]


def _fees(producer_order: ProducerOrder, statement: Statement | None, held: tuple[Pickup, Showroom] | None = None,
          section_rates: dict[tuple[int, int], int] | None = None) -> OrderFees:
    showroom = held[1] if held else None
    if showroom is not None:
        # A showroom-channel sale: the showroom's rate (the one its statement section charged, once settled).
        rate = ((section_rates or {}).get((statement.id, showroom.id), showroom.commission_rate_bp) if statement
                else showroom.commission_rate_bp)
    else:
        rate = statement.commission_rate_bp if statement else commission_rate_for(producer_order.producer)
    commission = commission_on(producer_order.subtotal_vnd, rate)
    discount = producer_order.discount_vnd + producer_order.shipping_discount_vnd
    bearer = producer_order.discount_bearer if discount else None
    producer_discount = discount if bearer == CostBearer.PRODUCER else 0
    return OrderFees(
        commission_rate_bp=rate, commission_vnd=commission, shipping_fee_vnd=producer_order.shipping_fee_vnd,
        collector=_collector(producer_order),
        discount_vnd=discount, discount_bearer=bearer,
        producer_earns_vnd=producer_order.subtotal_vnd + producer_order.shipping_fee_vnd - commission
        - producer_discount,
        statement=statement, showroom=showroom,
    )
