"""Keeping the sales summary (reports.models.SalesDay) exact, and the one place figures read sales from.

- `refresh_summary()` folds the ledger entries recorded since the last refresh into the summary. On
  PostgreSQL it first takes a SHARE ROW EXCLUSIVE lock on the ledger, which waits for every transaction
  still writing sale entries and holds new ones back for the few milliseconds of the refresh: ids come
  from a sequence, so without it an entry with a lower id could commit after the mark had moved past it
  and never be counted. On SQLite writers are serialised anyway.
- `sales_source(...)` is what every figure selects from: the summary's rows in the period plus the ledger
  entries above the mark (not folded in yet), added up the same way, in one statement, so a page is
  always equal to a direct sum over the ledger, whether or not a refresh ran since the last sale.

An order (a sales document) is counted once per producer, on its first line: the entry whose reference
and producer no earlier sale entry has. Entries without a reference count as one document each.
Reversals (refunds, voids) take units and revenue back but never an order.
"""

import logging
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from marketplace.dates import period_bounds, utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.reports.models import NONE_KEY, SalesDay, SummaryMark

log = logging.getLogger(__name__)

MARK_ID = 1


class vietnam_day(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """The Vietnamese calendar day (UTC+7, no daylight saving) of a UTC timestamp column, as a DATE."""

    type = sa.Date()
    inherit_cache = True


@compiles(vietnam_day, "postgresql")
def _vietnam_day_pg(element, compiler, **kw):
    return f"CAST(timezone('Asia/Ho_Chi_Minh', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(vietnam_day)
def _vietnam_day_sqlite(element, compiler, **kw):
    # SQLite keeps UTC timestamps as 'YYYY-MM-DD HH:MM:SS...' text; Vietnam has had no DST since 1975.
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


def first_line_flag(entry=SaleEntry):
    """1 for a sale entry that opens its document (see the module docstring), else 0."""
    earlier = aliased(SaleEntry)
    opens = sa.and_(
        entry.reverses_id.is_(None),
        ~sa.exists().where(earlier.reference == entry.reference, earlier.producer_id == entry.producer_id,
                           earlier.reverses_id.is_(None), earlier.id < entry.id),
    )
    return sa.case((opens, 1), else_=0)


def _ledger_rows(where):
    """The ledger entries matching `where`, in the summary's shape (not yet added up)."""
    return sa.select(
        vietnam_day(SaleEntry.occurred_at).label("day"),
        SaleEntry.product_id.label("product_id"),
        SaleEntry.producer_id.label("producer_id"),
        SaleEntry.channel.label("channel"),
        sa.func.coalesce(SaleEntry.location_id, NONE_KEY).label("location_key"),
        sa.func.coalesce(SaleEntry.buyer_province_code, NONE_KEY).label("buyer_province_key"),
        SaleEntry.quantity.label("units"),
        SaleEntry.total_vnd.label("revenue_vnd"),
        first_line_flag().label("orders"),
    ).where(where)


def _mark_value():
    return sa.func.coalesce(sa.select(SummaryMark.last_entry_id).where(SummaryMark.id == MARK_ID)
                            .scalar_subquery(), 0)


def sales_source(date_from: date, date_to: date, *, channel: str | None = None, location_key: int | None = None):
    """A subquery of sales rows for days date_from..date_to (both included), optionally for one channel (and
    one showroom location): columns day, product_id, producer_id, channel, location_key, buyer_province_key,
    units, revenue_vnd, orders. Summary rows and not-yet-folded ledger entries, read in one statement."""
    start, end = period_bounds(date_from, date_to)
    summary_where = [SalesDay.day >= date_from, SalesDay.day <= date_to]
    ledger_where = [SaleEntry.id > _mark_value(), SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end]
    if channel is not None:
        summary_where.append(SalesDay.channel == channel)
        ledger_where.append(SaleEntry.channel == channel)
    if location_key is not None:
        summary_where.append(SalesDay.location_key == location_key)
        ledger_where.append(sa.func.coalesce(SaleEntry.location_id, NONE_KEY) == location_key)
    summary = sa.select(SalesDay.day, SalesDay.product_id, SalesDay.producer_id, SalesDay.channel,
                        SalesDay.location_key, SalesDay.buyer_province_key, SalesDay.units, SalesDay.revenue_vnd,
                        SalesDay.orders).where(*summary_where)
    return sa.union_all(summary, _ledger_rows(sa.and_(*ledger_where))).subquery("sales")


def _upsert(rows: list[dict]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SalesDay)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "product_id", "channel", "location_key", "buyer_province_key"],
        set_={"units": SalesDay.units + statement.excluded.units,
              "revenue_vnd": SalesDay.revenue_vnd + statement.excluded.revenue_vnd,
              "orders": SalesDay.orders + statement.excluded.orders},
    )
    for start in range(0, len(rows), 1000):
        db.session.execute(statement, rows[start:start + 1000])


def refresh_summary(*, wait_seconds: int = 2) -> int | None:
    """Fold the ledger entries recorded since the last refresh into the summary, in the caller's transaction
    (the caller commits). Returns how many entries were folded in, or None when the ledger stayed busy for
    `wait_seconds` (nothing changed then: the figures stay exact, they just read more of the ledger)."""
    if db.session.get_bind().dialect.name == "postgresql":
        try:
            with db.session.begin_nested():
                db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{int(wait_seconds)}s'"))
                db.session.execute(sa.text("LOCK TABLE sale_entries IN SHARE ROW EXCLUSIVE MODE"))
        except OperationalError:
            log.warning("sales summary not refreshed: the ledger stayed locked")
            return None
    mark = db.session.get(SummaryMark, MARK_ID, with_for_update=True)
    if mark is None:
        # A summary without its mark cannot be trusted: start again from the first entry.
        db.session.execute(sa.delete(SalesDay))
        mark = SummaryMark(id=MARK_ID, last_entry_id=0)
        db.session.add(mark)
        db.session.flush()
    last = mark.last_entry_id
    top = db.session.scalar(sa.select(sa.func.max(SaleEntry.id)))
    if top is None or top <= last:
        return 0
    rows = _ledger_rows(sa.and_(SaleEntry.id > last, SaleEntry.id <= top)).subquery()
    grouped = db.session.execute(
        sa.select(rows.c.day, rows.c.product_id, sa.func.max(rows.c.producer_id), rows.c.channel,
                  rows.c.location_key, rows.c.buyer_province_key, sa.func.sum(rows.c.units),
                  sa.func.sum(rows.c.revenue_vnd), sa.func.sum(rows.c.orders), sa.func.count())
        .group_by(rows.c.day, rows.c.product_id, rows.c.channel, rows.c.location_key, rows.c.buyer_province_key)
    ).all()
    _upsert([{"day": day, "product_id": product_id, "producer_id": producer_id, "channel": channel,
              "location_key": location_key, "buyer_province_key": buyer, "units": int(units),
              "revenue_vnd": int(revenue), "orders": int(orders)}
             for day, product_id, producer_id, channel, location_key, buyer, units, revenue, orders, _n in grouped])
    mark.last_entry_id = top
    mark.refreshed_at = utcnow()
    db.session.flush()
    return sum(row[-1] for row in grouped)


def pending_entries() -> int:
    """How many ledger entries the summary has not folded in yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry).where(SaleEntry.id > _mark_value()))
