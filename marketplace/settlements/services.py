"""Building statements from the sales ledger, paying them out or voiding them (commission rules: fees.py).

Which entries a statement settles: every ledger entry of the producer that happened before the end of
the period and that no statement settled yet. Entries of the period itself are the normal case; older
unsettled ones (a refund written after its sale's period was settled, a showroom sale uploaded late)
are carried into the next statement, so nothing is lost and nothing is counted twice (StatementEntry's
unique sale_entry_id is the database's guarantee of the second point).
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.accounts.policies import can_manage_producer
from marketplace.dates import period_bounds, today_vn, utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.ledger.models import ONLINE_CHANNEL, SaleEntry
from marketplace.orders.models import OrderLine, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.settlements.fees import commission_on, commission_rate_for, is_producer_collected
from marketplace.settlements.models import Statement, StatementEntry, StatementStatus, StatementVoid

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


def _settled_here():
    """The ledger entries these statements settle: online sales only. Showroom till sales are the showroom's
    to settle at its own commission rate (issue 10's showroom settlement); until that exists they stay
    unsettled in the ledger rather than being charged the marketplace's rate here."""
    return SaleEntry.channel == ONLINE_CHANNEL


def _not_settled():
    """The condition "no statement settles this ledger entry" (a void statement released its entries)."""
    return ~sa.select(StatementEntry.id).where(StatementEntry.sale_entry_id == SaleEntry.id).exists()


def unsettled_entries(producer_id: int, before: datetime) -> list[SaleEntry]:
    """The producer's ledger entries before `before` that no statement settles yet, oldest first."""
    return list(db.session.scalars(
        sa.select(SaleEntry).where(SaleEntry.producer_id == producer_id, SaleEntry.occurred_at < before,
                                   _settled_here(), _not_settled()).order_by(SaleEntry.occurred_at, SaleEntry.id)
    ))


def shipping_fees(entries: list[SaleEntry]) -> int:
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
    entries = unsettled_entries(producer.id, end)
    if not entries:
        raise NothingToSettle(_("There is nothing to settle for this producer up to the end of this period."))
    figures = compute_figures(entries, commission_rate_for(producer), shipping_fees(entries))
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


#: What a statement's page shows besides its columns: the producer, and who voided it and why.
_STATEMENT_PAGE = (joinedload(Statement.producer), joinedload(Statement.void).joinedload(StatementVoid.voided_by))


def _reload(statement: Statement) -> None:
    """Read the statement again after a compare-and-set, with what its page shows."""
    db.session.scalar(sa.select(Statement).where(Statement.id == statement.id).options(*_STATEMENT_PAGE)
                      .execution_options(populate_existing=True))


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
    _reload(statement)
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
    _reload(statement)
    return statement


def producer_statements(producer_id: int) -> list[Statement]:
    """The producer's statements, newest period first, with the producer loaded."""
    return list(db.session.scalars(
        sa.select(Statement).where(Statement.producer_id == producer_id).options(joinedload(Statement.producer))
        .order_by(Statement.period_end.desc(), Statement.id.desc())))


def statement_for(user, statement_id) -> Statement:
    """A statement the user may see: its producer's members and admins; NotFound for anyone else (so ids
    cannot be probed)."""
    statement_id = parse_int(statement_id, minimum=1, maximum=MAX_ID)
    statement = db.session.scalar(sa.select(Statement).where(Statement.id == statement_id).options(*_STATEMENT_PAGE))
    if statement is None or not can_manage_producer(user, statement.producer_id):
        raise NotFound(_("Statement not found."))
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
        .where(SaleEntry.producer_id == producer_id, _settled_here(), _not_settled())
    ).one()
    return int(count), int(total)
