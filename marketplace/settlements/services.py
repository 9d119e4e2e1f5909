"""Building statements from the sales ledger, paying them out, and the commission on one sub-order.

Which entries a statement settles: every ledger entry of the producer that happened before the end of
the period and that no statement settled yet. Entries of the period itself are the normal case; older
unsettled ones (a refund written after its sale's period was settled, a showroom sale uploaded late)
are carried into the next statement, so nothing is lost and nothing is counted twice (StatementEntry's
unique sale_entry_id is the database's guarantee of the second point).
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.dates import period_bounds, today_vn, utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders.models import OrderLine, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.settlements.models import Statement, StatementEntry, StatementStatus, StatementVoid

#: Payment methods whose money the producer collects itself; every other method (card, bank transfer,
#: showroom tills) is collected by the marketplace and paid out through statements.
PRODUCER_COLLECTED_METHODS = frozenset({"cod"})
#: The longest period one statement may cover.
MAX_PERIOD_DAYS = 366


class InvalidPeriod(DomainError):
    """The period is empty, reversed, too long or not over yet."""


class PeriodAlreadySettled(DomainError):
    """The period overlaps a statement the producer already has."""


class NothingToSettle(DomainError):
    """No unsettled ledger entry falls before the end of the period."""


class AlreadyPaid(DomainError):
    """A statement is paid out once."""


class StatementClosed(DomainError):
    """A paid or void statement changes no more."""


#: The longest reason for voiding a statement.
MAX_VOID_REASON = 300


@dataclass(frozen=True)
class OrderFees:
    """What the marketplace keeps from one sub-order, as the producer sees it."""

    commission_rate_bp: int
    commission_vnd: int
    shipping_fee_vnd: int
    #: True when the producer collected the money itself (cash on delivery).
    collected_by_producer: bool
    #: Goods plus shipping minus commission: what this sub-order earns the producer.
    producer_earns_vnd: int
    #: The statement that settled it, if any.
    statement: Statement | None


def is_producer_collected(payment_method: str) -> bool:
    """True for sales whose money the producer received directly (cash on delivery)."""
    return payment_method in PRODUCER_COLLECTED_METHODS


def commission_rate_for(producer: Producer) -> int:
    """The producer's commission override in basis points, or the marketplace default."""
    if producer.commission_rate_bp is not None:
        return producer.commission_rate_bp
    return int(current_app.config["DEFAULT_COMMISSION_BP"])


def commission_on(amount_vnd: int, rate_bp: int) -> int:
    """amount x rate, rounded half away from zero to whole đồng (a negative amount gives commission back)."""
    sign = -1 if amount_vnd < 0 else 1
    return sign * ((abs(amount_vnd) * rate_bp + 5000) // 10000)


def check_period(period_start: date, period_end: date, *, today: date | None = None) -> None:
    """Raise InvalidPeriod unless start <= end < today (Vietnam) and the period is at most a year."""
    today = today or today_vn()
    if period_end < period_start:
        raise InvalidPeriod(_("The period must end on or after the day it starts."))
    if (period_end - period_start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidPeriod(_("A statement covers at most %(days)s days.", days=MAX_PERIOD_DAYS))
    if period_end >= today:
        raise InvalidPeriod(_("A period can be settled only after its last day is over."))


def overlapping_statement(producer_id: int, period_start: date, period_end: date) -> Statement | None:
    """The producer's statement (open or paid, not void) whose period overlaps this one, if any."""
    return db.session.scalars(
        sa.select(Statement).where(Statement.producer_id == producer_id, Statement.period_start <= period_end,
                                   Statement.period_end >= period_start, Statement.status != StatementStatus.VOID)
        .limit(1)
    ).first()


def _not_settled():
    """The condition "no statement settles this ledger entry" (a void statement released its entries)."""
    return ~sa.select(StatementEntry.id).where(StatementEntry.sale_entry_id == SaleEntry.id).exists()


def _unsettled_entries(producer_id: int, before: datetime) -> list[SaleEntry]:
    return list(db.session.scalars(
        sa.select(SaleEntry).where(SaleEntry.producer_id == producer_id, SaleEntry.occurred_at < before,
                                   _not_settled()).order_by(SaleEntry.occurred_at, SaleEntry.id)
    ))


def _shipping_fees(entries: list[SaleEntry]) -> int:
    """Shipping fees collected by the marketplace for prepaid sub-orders first sold in these entries,
    minus those given back with a full refund (a refunded sub-order returns its whole total)."""
    ids = {entry.id for entry in entries}
    line_ids = {entry.order_line_id for entry in entries
                if entry.order_line_id is not None and not is_producer_collected(entry.payment_method)}
    if not line_ids:
        return 0
    # One grouped query for every sub-order concerned: its fee, status, first sale and first reversal.
    sub_order_ids = sa.select(OrderLine.producer_order_id).where(OrderLine.id.in_(line_ids))
    rows = db.session.execute(
        sa.select(
            ProducerOrder.shipping_fee_vnd, ProducerOrder.status,
            sa.func.min(sa.case((SaleEntry.reverses_id.is_(None), SaleEntry.id))),
            sa.func.min(sa.case((SaleEntry.reverses_id.is_not(None), SaleEntry.id))),
        ).join(OrderLine, OrderLine.producer_order_id == ProducerOrder.id)
        .join(SaleEntry, SaleEntry.order_line_id == OrderLine.id)
        .where(ProducerOrder.id.in_(sub_order_ids))
        .group_by(ProducerOrder.id, ProducerOrder.shipping_fee_vnd, ProducerOrder.status)
    )
    total = 0
    for shipping_fee_vnd, status, first_sale_id, first_reversal_id in rows:
        if first_sale_id in ids:
            total += shipping_fee_vnd
        if first_reversal_id in ids and status == OrderStatus.REFUNDED:
            total -= shipping_fee_vnd
    return total


def compute_figures(entries: list[SaleEntry], rate_bp: int, shipping_fees_vnd: int = 0,
                    discounts_vnd: int = 0) -> dict[str, int]:
    """The statement's columns for these ledger entries at this commission rate."""
    figures = dict(platform_sales_vnd=0, platform_refunds_vnd=0, producer_sales_vnd=0, producer_refunds_vnd=0)
    for entry in entries:
        side = "producer" if is_producer_collected(entry.payment_method) else "platform"
        if entry.total_vnd >= 0:
            figures[f"{side}_sales_vnd"] += entry.total_vnd
        else:
            figures[f"{side}_refunds_vnd"] += -entry.total_vnd
    net_sales = (figures["platform_sales_vnd"] - figures["platform_refunds_vnd"]
                 + figures["producer_sales_vnd"] - figures["producer_refunds_vnd"])
    commission = commission_on(net_sales, rate_bp)
    figures.update(
        shipping_fees_vnd=shipping_fees_vnd, commission_rate_bp=rate_bp, commission_vnd=commission,
        discounts_vnd=discounts_vnd,
        net_payable_vnd=(figures["platform_sales_vnd"] - figures["platform_refunds_vnd"] + shipping_fees_vnd
                         - commission - discounts_vnd),
        entry_count=len(entries),
    )
    return figures


def build_statement(producer: Producer, period_start: date, period_end: date, *, actor=None,
                    today: date | None = None) -> Statement:
    """Freeze the producer's statement for a finished period from its unsettled ledger entries.

    Raises InvalidPeriod, PeriodAlreadySettled (overlap with any statement of this producer, or a
    concurrent build that settled the same entries first) or NothingToSettle.
    """
    check_period(period_start, period_end, today=today)
    if overlapping_statement(producer.id, period_start, period_end) is not None:
        raise PeriodAlreadySettled(_("This period overlaps a statement the producer already has."))
    _start, end = period_bounds(period_start, period_end)
    entries = _unsettled_entries(producer.id, end)
    if not entries:
        raise NothingToSettle(_("There is nothing to settle for this producer up to the end of this period."))
    figures = compute_figures(entries, commission_rate_for(producer), _shipping_fees(entries))
    statement = Statement(producer_id=producer.id, period_start=period_start, period_end=period_end,
                          status=StatementStatus.OPEN, created_by_id=getattr(actor, "id", None), **figures)
    try:
        with db.session.begin_nested():
            db.session.add(statement)
            db.session.flush()
            db.session.add_all(StatementEntry(statement_id=statement.id, sale_entry_id=entry.id) for entry in entries)
            db.session.flush()
    except IntegrityError as error:
        raise PeriodAlreadySettled(_("These sales were settled by another statement in the meantime.")) from error
    return statement


def mark_paid(statement: Statement, bank_reference: str, *, actor) -> Statement:
    """Record the payout (or the producer's payment) once; a second attempt raises AlreadyPaid."""
    reference = " ".join((bank_reference or "").split())
    if not reference:
        raise DomainError(_("Enter the bank reference of the transfer."))
    if len(reference) > 100:
        raise DomainError(_("The bank reference is at most 100 characters."))
    # A compare-and-set: of two admins clicking at once, exactly one wins.
    result = db.session.execute(
        sa.update(Statement).where(Statement.id == statement.id, Statement.status == StatementStatus.OPEN)
        .values(status=StatementStatus.PAID, paid_at=utcnow(), bank_reference=reference,
                paid_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(statement)
        if statement.is_void:
            raise StatementClosed(_("This statement was voided; it cannot be paid."))
        raise AlreadyPaid(_("This statement was already marked paid."))
    db.session.refresh(statement)
    return statement


def void_statement(statement: Statement, reason: str, *, actor) -> Statement:
    """Void an open statement built by mistake: its ledger entries go back to "not settled", so the next
    statement of the producer takes them, and the statement stays on record (figures, who, when, why).

    A paid statement cannot be voided (the money moved); of a void and a payout racing, one wins.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Say why the statement is voided."))
    if len(reason) > MAX_VOID_REASON:
        raise DomainError(_("The reason is at most %(max)s characters.", max=MAX_VOID_REASON))
    result = db.session.execute(
        sa.update(Statement).where(Statement.id == statement.id, Statement.status == StatementStatus.OPEN)
        .values(status=StatementStatus.VOID).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(statement)
        if statement.is_paid:
            raise StatementClosed(_("This statement is paid; it can no longer be voided."))
        raise StatementClosed(_("This statement was already voided."))
    released = db.session.execute(
        sa.delete(StatementEntry).where(StatementEntry.statement_id == statement.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.add(StatementVoid(statement_id=statement.id, reason=reason, released_entries=released,
                                 voided_by_id=getattr(actor, "id", None)))
    db.session.flush()
    db.session.refresh(statement)
    return statement


def statement_entries(statement: Statement) -> list[SaleEntry]:
    """The ledger entries a statement settles, oldest first."""
    return list(db.session.scalars(
        sa.select(SaleEntry).join(StatementEntry, StatementEntry.sale_entry_id == SaleEntry.id)
        .where(StatementEntry.statement_id == statement.id).order_by(SaleEntry.occurred_at, SaleEntry.id)
    ))


def unsettled_total(producer_id: int) -> tuple[int, int]:
    """(number of ledger entries not yet settled, their net total) for the producer."""
    count, total = db.session.execute(
        sa.select(sa.func.count(SaleEntry.id), sa.func.coalesce(sa.func.sum(SaleEntry.total_vnd), 0))
        .where(SaleEntry.producer_id == producer_id, _not_settled())
    ).one()
    return int(count), int(total)


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
    return {producer_order.id: _fees(producer_order, settled.get(producer_order.id))
            for producer_order in producer_orders}


def order_fees(producer_order: ProducerOrder) -> OrderFees:
    """Commission (rate and amount) and shipping fee of one sub-order; the settled rate once it is settled."""
    return fees_for([producer_order])[producer_order.id]


def _fees(producer_order: ProducerOrder, statement: Statement | None) -> OrderFees:
    rate = statement.commission_rate_bp if statement else commission_rate_for(producer_order.producer)
    commission = commission_on(producer_order.subtotal_vnd, rate)
    return OrderFees(
        commission_rate_bp=rate, commission_vnd=commission, shipping_fee_vnd=producer_order.shipping_fee_vnd,
        collected_by_producer=is_producer_collected(str(producer_order.order.payment_method)),
        producer_earns_vnd=producer_order.subtotal_vnd + producer_order.shipping_fee_vnd - commission,
        statement=statement,
    )
