"""Building statements from the sales ledger, paying them out or voiding them (commission rules: fees.py).

Which entries a statement settles: every ledger entry of the producer, on every channel, that happened
before the end of the period and that no statement settled yet. Entries of the period itself are the normal
case; older unsettled ones (a refund written after its sale's period was settled, a till return, a showroom
sale posted late by a till that was offline) are carried into the next statement, so nothing is lost and
nothing is counted twice (StatementEntry's unique sale_entry_id is the database's guarantee of the second
point).

The entries are grouped into sections by (channel, showroom, collector) (fees.collector_of); a showroom is
found through the entry's location (the showroom's stock location). Each section's commission is rounded
once, to whole đồng, at its rate; its amount due is net - commission (the collector pays the producer), or
minus the commission when the producer collected the cash itself.

Voucher discounts. Each ledger entry carries its line's share of a voucher's discount off the goods
(discount_vnd) and off the shipping (shipping_discount_vnd), and who bears it (discount_bearer); a refund's
reversing entry carries them negated. The rule, per section (StatementSection has the formulas):

    payable to the producer = platform-collected sales - commission + shipping
                              - the discounts the producer bears on prepaid (platform-collected) orders
                              + the discounts the platform bears on cash-on-delivery orders

On a prepaid order OCOP Market received the discounted price: the producer's own discount is subtracted,
while the platform's is OCOP Market's cost and changes nothing for the producer. On cash on delivery the
producer (its carrier) collected the discounted price itself: its own discount is already out of the cash,
and the platform's is owed by OCOP Market to the producer. Commission is taken on the price before any
discount, so a producer-borne voucher lowers the payout by exactly the discount and a platform-borne one
not at all. A refund reverses the discounts with the sale (net zero over the sale and its refund).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.policies import can_manage_producer
from marketplace.dates import period_bounds, today_vn, utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.ledger.models import CHANNELS, SHOWROOM_CHANNEL, SaleEntry
from marketplace.orders.models import OrderLine, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.settlements.fees import (
    collector_of,
    commission_on,
    commission_rate_for,
    order_payment_methods,
)
from marketplace.settlements.models import (
    Collector,
    Statement,
    StatementEntry,
    StatementLine,
    StatementSection,
    StatementStatus,
    StatementVoid,
)
from marketplace.showrooms.models import Showroom
from marketplace.vouchers.models import CostBearer

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


def _not_settled():
    """The condition "no statement settles this ledger entry" (a void statement released its entries)."""
    return ~sa.select(StatementEntry.id).where(StatementEntry.sale_entry_id == SaleEntry.id).exists()


def unsettled_entries(producer_id: int, before: datetime) -> list[SaleEntry]:
    """The producer's ledger entries before `before` that no statement settles yet, oldest first."""
    return list(db.session.scalars(
        sa.select(SaleEntry).where(SaleEntry.producer_id == producer_id, SaleEntry.occurred_at < before,
                                   _not_settled()).order_by(SaleEntry.occurred_at, SaleEntry.id)
    ))


def shipping_fees(entries: list[SaleEntry]) -> int:
    """Shipping fees collected by the marketplace for prepaid sub-orders first sold in these entries,
    minus those given back with a full refund (a refunded sub-order returns its whole total)."""
    ids = {entry.id for entry in entries}
    order_methods = order_payment_methods(entries)
    line_ids = {entry.order_line_id for entry in entries
                if entry.order_line_id is not None and collector_of(entry, order_methods) == Collector.MARKETPLACE}
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


#: Where a section goes on the page: by channel (online, linkage, showroom), then collector, then showroom name.
_CHANNEL_ORDER = {channel: n for n, channel in enumerate(("online", "linkage", SHOWROOM_CHANNEL))}
_COLLECTOR_ORDER = {Collector.MARKETPLACE: 0, Collector.PRODUCER: 1, Collector.SHOWROOM: 2}


@dataclass(frozen=True)
class SectionKey:
    """What one section of a statement is about."""

    channel: str
    showroom_id: int | None
    collected_by: Collector


def showrooms_at(location_ids) -> dict[int, Showroom]:
    """The showrooms whose stock location is one of these, by location id (one query)."""
    ids = {location_id for location_id in location_ids if location_id is not None}
    if not ids:
        return {}
    return {showroom.location_id: showroom
            for showroom in db.session.scalars(sa.select(Showroom).where(Showroom.location_id.in_(ids)))}


def _sort_key(section: StatementSection):
    return (_CHANNEL_ORDER.get(section.channel, len(CHANNELS)), section.showroom_name, section.showroom_id or 0,
            _COLLECTOR_ORDER[section.collected_by])


def compute_sections(entries: list[SaleEntry], marketplace_rate_bp: int,
                     showrooms: dict[int, Showroom] | None = None) -> list[StatementSection]:
    """The statement's sections (unsaved, with their product lines) for these ledger entries.

    `showrooms` maps stock location ids to showrooms (showrooms_at); a showroom section is charged its
    showroom's commission rate, every other section `marketplace_rate_bp`.
    """
    showrooms = showrooms if showrooms is not None else showrooms_at(
        entry.location_id for entry in entries if entry.channel == SHOWROOM_CHANNEL)
    order_methods = order_payment_methods(entries)
    grouped: dict[SectionKey, list[SaleEntry]] = defaultdict(list)
    for entry in entries:
        showroom = showrooms.get(entry.location_id) if entry.channel == SHOWROOM_CHANNEL else None
        key = SectionKey(entry.channel, showroom.id if showroom else None, collector_of(entry, order_methods))
        grouped[key].append(entry)
    by_id = {showroom.id: showroom for showroom in showrooms.values()}
    sections = []
    for key, rows in grouped.items():
        showroom = by_id.get(key.showroom_id)
        rate = showroom.commission_rate_bp if showroom is not None else marketplace_rate_bp
        section = StatementSection(channel=key.channel, showroom_id=key.showroom_id,
                                   showroom_name=showroom.name if showroom else "", collected_by=key.collected_by,
                                   commission_rate_bp=rate, entry_count=len(rows), producer_discounts_vnd=0,
                                   platform_discounts_vnd=0)
        lines: dict[int, StatementLine] = {}
        for entry in rows:
            discount = entry.discount_vnd + entry.shipping_discount_vnd
            if entry.discount_bearer == CostBearer.PRODUCER:
                section.producer_discounts_vnd += discount
            elif entry.discount_bearer == CostBearer.PLATFORM:
                section.platform_discounts_vnd += discount
            line = lines.get(entry.product_id)
            if line is None:
                line = lines[entry.product_id] = StatementLine(
                    product_id=entry.product_id, product_name=entry.product_name, sku=entry.sku or "",
                    units_sold=0, units_returned=0, sales_vnd=0, refunds_vnd=0)
            if entry.quantity > 0:
                line.units_sold += entry.quantity
                line.sales_vnd += entry.total_vnd
            else:
                line.units_returned += -entry.quantity
                line.refunds_vnd += -entry.total_vnd
        ordered = sorted(lines.values(), key=lambda line: (line.product_name, line.product_id))
        for position, line in enumerate(ordered):
            line.position = position
        section.lines = ordered
        section.sales_vnd = sum(line.sales_vnd for line in ordered)
        section.refunds_vnd = sum(line.refunds_vnd for line in ordered)
        section.commission_vnd = commission_on(section.sales_vnd - section.refunds_vnd, rate)
        section.due_vnd = section_due(section)
        sections.append(section)
    sections.sort(key=_sort_key)
    for position, section in enumerate(sections):
        section.position = position
    return sections


def section_due(section: StatementSection) -> int:
    """What the section's collector owes the producer (the rule in the module docstring; the database checks
    the same formula, StatementSection.due_adds_up)."""
    net = section.sales_vnd - section.refunds_vnd - section.commission_vnd
    if section.collected_by == Collector.PRODUCER:
        # The producer holds the cash, already net of every discount: it owes the commission, and OCOP Market
        # owes it the discounts OCOP Market bears.
        return section.platform_discounts_vnd - section.commission_vnd
    if section.collected_by == Collector.MARKETPLACE:
        # OCOP Market received the discounted price and bears its own discounts: only the producer's come off.
        return net - section.producer_discounts_vnd
    # A showroom received the discounted price: it owes that, less its commission (OCOP Market's share of
    # the discounts is OCOP Market's to pay: showroom_platform_discounts).
    return net - section.producer_discounts_vnd - section.platform_discounts_vnd


def showroom_platform_discounts(sections: list[StatementSection]) -> int:
    """The discounts OCOP Market bears on sales a showroom collected: OCOP Market pays them to the producer."""
    return sum(section.platform_discounts_vnd for section in sections if section.collected_by == Collector.SHOWROOM)


def compute_figures(sections: list[StatementSection], rate_bp: int, shipping_fees_vnd: int = 0) -> dict[str, int]:
    """The statement's columns: the totals of its sections, and the balances with OCOP Market and showrooms."""
    figures = dict(platform_sales_vnd=0, platform_refunds_vnd=0, producer_sales_vnd=0, producer_refunds_vnd=0,
                   showroom_sales_vnd=0, showroom_refunds_vnd=0)
    side = {Collector.MARKETPLACE: "platform", Collector.PRODUCER: "producer", Collector.SHOWROOM: "showroom"}
    for section in sections:
        figures[f"{side[section.collected_by]}_sales_vnd"] += section.sales_vnd
        figures[f"{side[section.collected_by]}_refunds_vnd"] += section.refunds_vnd
    marketplace_due = sum(section.due_vnd for section in sections if section.collected_by != Collector.SHOWROOM)
    figures.update(
        shipping_fees_vnd=shipping_fees_vnd, commission_rate_bp=rate_bp,
        commission_vnd=sum(section.commission_vnd for section in sections),
        discounts_vnd=sum(section.producer_discounts_vnd for section in sections),
        platform_discounts_vnd=sum(section.platform_discounts_vnd for section in sections),
        net_payable_vnd=marketplace_due + shipping_fees_vnd + showroom_platform_discounts(sections),
        showroom_payable_vnd=sum(section.due_vnd for section in sections
                                 if section.collected_by == Collector.SHOWROOM),
        entry_count=sum(section.entry_count for section in sections),
    )
    return figures


def build_statement(producer: Producer, period_start: date, period_end: date, *, actor=None,
                    today: date | None = None) -> Statement:
    """Freeze the producer's statement for a finished period from its unsettled ledger entries (all channels).

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
    rate = commission_rate_for(producer)
    sections = compute_sections(entries, rate)
    figures = compute_figures(sections, rate, shipping_fees(entries))
    statement = Statement(producer_id=producer.id, period_start=period_start, period_end=period_end,
                          status=StatementStatus.OPEN, created_by_id=getattr(actor, "id", None), **figures)
    statement.sections = sections
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
_STATEMENT_PAGE = (joinedload(Statement.producer), joinedload(Statement.void).joinedload(StatementVoid.voided_by),
                   selectinload(Statement.sections).selectinload(StatementSection.lines))


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


def entry_collectors(entries: list[SaleEntry]) -> dict[int, Collector]:
    """Who collected the money of each of these ledger entries, by entry id (one query at most)."""
    order_methods = order_payment_methods(entries)
    return {entry.id: collector_of(entry, order_methods) for entry in entries}


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


def showroom_balances(statement: Statement) -> list[tuple[str, int]]:
    """(showroom name, what it owes the producer) for each showroom that collected money on this statement,
    in section order (a negative amount: the producer owes the showroom). Needs the sections loaded."""
    balances: dict[tuple[str, int | None], int] = {}
    for section in statement.sections:
        if section.collected_by == Collector.SHOWROOM:
            key = (section.showroom_name, section.showroom_id)
            balances[key] = balances.get(key, 0) + section.due_vnd
    return [(name, amount) for (name, _id), amount in balances.items()]


def marketplace_sections(statement: Statement) -> list[StatementSection]:
    """The sections whose balance is with OCOP Market (it or the producer collected the money)."""
    return [section for section in statement.sections if section.collected_by != Collector.SHOWROOM]


@dataclass(frozen=True)
class ShowroomStatement:
    """One producer statement as a showroom's manager sees it: only that showroom's sections."""

    statement: Statement
    sections: list[StatementSection]

    @property
    def showroom_owes_vnd(self) -> int:
        """What the showroom pays the producer for the till money it collected (negative: the producer owes it)."""
        return sum(section.due_vnd for section in self.sections if section.collected_by == Collector.SHOWROOM)

    @property
    def net_sales_vnd(self) -> int:
        return sum(section.net_sales_vnd for section in self.sections)

    @property
    def commission_vnd(self) -> int:
        return sum(section.commission_vnd for section in self.sections)

    @property
    def units_sold(self) -> int:
        return sum(section.units_sold for section in self.sections)

    @property
    def units_returned(self) -> int:
        return sum(section.units_returned for section in self.sections)


def showroom_statements(showroom_id: int, *, period_start: date | None = None,
                        period_end: date | None = None, statement_id: int | None = None) -> list[ShowroomStatement]:
    """The producers' statements (not void) with sections of this showroom, newest period first, each cut to
    those sections; optionally only statements whose period overlaps [period_start, period_end], or one."""
    query = (
        sa.select(StatementSection).join(Statement, Statement.id == StatementSection.statement_id)
        .where(StatementSection.showroom_id == showroom_id, Statement.status != StatementStatus.VOID)
        .options(joinedload(StatementSection.statement).joinedload(Statement.producer),
                 selectinload(StatementSection.lines))
        .order_by(Statement.period_end.desc(), Statement.id.desc(), StatementSection.position)
    )
    if period_start is not None:
        query = query.where(Statement.period_end >= period_start)
    if period_end is not None:
        query = query.where(Statement.period_start <= period_end)
    if statement_id is not None:
        query = query.where(Statement.id == statement_id)
    grouped: dict[int, ShowroomStatement] = {}
    for section in db.session.scalars(query):
        found = grouped.get(section.statement_id)
        if found is None:
            found = grouped[section.statement_id] = ShowroomStatement(section.statement, [])
        found.sections.append(section)
    return list(grouped.values())


def showroom_statement(showroom_id: int, statement_id) -> ShowroomStatement:
    """One statement cut to this showroom's sections; NotFound when it has none (or is void, or unknown)."""
    statement_id = parse_int(statement_id, minimum=1, maximum=MAX_ID)
    found = showroom_statements(showroom_id, statement_id=statement_id) if statement_id else []
    if not found:
        raise NotFound(_("Statement not found."))
    return found[0]


def statement_balances(statement: Statement) -> list[tuple[str | None, int]]:
    """Who owes whom on this statement: (None, the balance with OCOP Market), then (showroom name, what it owes
    the producer) per showroom that collected money. Needs the sections loaded."""
    return [(None, statement.net_payable_vnd), *showroom_balances(statement)]
