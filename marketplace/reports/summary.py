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
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from marketplace.catalog.models import Product
from marketplace.dates import period_bounds, utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.producers.models import Producer
from marketplace.reports import rollups
from marketplace.reports.models import GRAINS, NONE_KEY, ProductKey, SalesDay, SalesRollup, SummaryMark

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


def _known_mark() -> int:
    return db.session.scalar(sa.select(SummaryMark.last_entry_id).where(SummaryMark.id == MARK_ID)) or 0


@dataclass(frozen=True)
class Selection:
    """Which sales a figure adds up, besides the period: one channel (and one showroom's location), the
    producer's province, a product group ("1.4") or sector ("1"), a star level; None for all."""

    channel: str | None = None
    location: int | None = None
    province: int | None = None
    group: str | None = None
    star: int | None = None

    @property
    def dimensions(self) -> set[str]:
        """The dimensions the selection filters on (besides the channel, which every source keeps)."""
        wanted = {"location": self.location, "province": self.province, "group": self.group, "star": self.star}
        return {name for name, value in wanted.items() if value is not None}


#: The keys a figure may group by, besides "day" and "channel".
KEYS = ("location", "buyer", "product", "producer", "province", "type", "group", "star")


def _narrowed(statement, columns: dict, selection: Selection):
    """`statement` restricted to `selection`, on the columns a source gives for each dimension."""
    if selection.channel is not None:
        statement = statement.where(columns["channel"] == selection.channel)
    if selection.location is not None:
        statement = statement.where(columns["location"] == selection.location)
    if selection.province is not None:
        statement = statement.where(columns["province"] == selection.province)
    if selection.group is not None:
        group = columns["group"]
        statement = statement.where(group == selection.group if "." in selection.group
                                    else group.like(selection.group + ".%"))
    if selection.star is not None:
        statement = statement.where(columns["star"] == selection.star)
    return statement


def _part(source, columns: dict, keys: tuple[str, ...], selection: Selection, *, where, join_product: bool,
          join_producer: bool):
    """One part of sales_source: `keys` and the sums of `source`, whose dimension columns are `columns`,
    restricted to `where` and `selection`; today's product and producer joined when allowed and needed."""
    columns = dict(columns)
    needed = set(keys) | selection.dimensions
    join_product = join_product and bool(needed & rollups.PRODUCT_ATTRIBUTES)
    join_producer = join_producer and bool(needed & rollups.PRODUCER_ATTRIBUTES)
    statement = sa.select().select_from(source)
    if join_product:
        columns.update({"group": Product.group_code, "star": sa.func.coalesce(Product.star_level, NONE_KEY)})
        statement = statement.join(Product, Product.id == columns["product"])
    if join_producer:
        columns.update({"province": Producer.province_code, "type": sa.cast(Producer.type, sa.String(8))})
        statement = statement.join(Producer, Producer.id == columns["producer"])
    statement = statement.add_columns(*[columns[key].label(key) for key in keys], columns["units"].label("units"),
                                      columns["revenue_vnd"].label("revenue_vnd"), columns["orders"].label("orders"))
    # The selection's star level (3 to 5) is matched on the column itself, so the planner can estimate it.
    filtered = dict(columns, star=Product.star_level) if join_product else columns
    return _narrowed(statement.where(*where), filtered, selection)


def _day_columns(table) -> dict:
    """The dimension columns of SalesDay or of the ledger rows in its shape."""
    return {"day": table.c.day, "channel": table.c.channel, "location": table.c.location_key,
            "buyer": table.c.buyer_province_key, "product": table.c.product_id, "producer": table.c.producer_id,
            "units": table.c.units, "revenue_vnd": table.c.revenue_vnd, "orders": table.c.orders}


def sales_source(date_from: date, date_to: date, keys: tuple[str, ...] = (), selection: Selection = Selection(),
                 *, grains=GRAINS, keys_current: bool | None = None):
    """A subquery of the sales of days date_from..date_to (both included) in `selection`, with a column per
    key ("day", "channel" or one of KEYS; "day" is the first day of the row's grain, one of `grains`) and
    units, revenue_vnd, orders, to be added up by the caller. It reads the smallest rollup level that has
    the keys and the selection's dimensions, in the coarsest grains that fit the period, the product-level
    day summary for the other days, and the ledger entries not folded in yet: one statement, so it always
    equals a direct sum over the ledger. `keys_current`: whether the rollups' product attributes are today's,
    when the caller has just checked (None: checked here when it matters)."""
    dimensions = _dimensions(keys, selection)
    if keys_current is None:
        keys_current = not needs_current_keys(keys, selection) or not rollups.keys_changed()
    level = rollups.choose_level(dimensions, keys_current=keys_current)
    parts = []
    usable = [grain for grain in (level.grains if level else ()) if grain in grains]
    for grain, first, last in rollups.segments(date_from, date_to, usable):
        if grain in usable:
            table = SalesRollup.__table__
            columns = {"day": table.c.start, "channel": table.c.channel, "units": table.c.units,
                       "revenue_vnd": table.c.revenue_vnd, "orders": table.c.orders}
            columns.update({name: table.c[rollups.COLUMNS[name][0]] for name in level.kept})
            parts.append(_part(
                table, columns, keys, selection, join_product="product" in level.kept,
                join_producer="producer" in level.kept,
                where=[table.c.level == level.name, table.c.grain == grain, table.c.start >= first,
                       table.c.start <= last]))
        else:
            table = SalesDay.__table__
            parts.append(_part(table, _day_columns(table), keys, selection, join_product=True, join_producer=True,
                               where=[table.c.day >= first, table.c.day <= last]))
    start, end = period_bounds(date_from, date_to)
    # The mark read just now is a lower bound the planner can use (the ledger's primary key); the mark read
    # in the statement itself is the exact one (a refresh may have moved it since).
    known = sa.bindparam("known_mark", _known_mark(), literal_execute=True)
    ledger = _ledger_rows(sa.and_(SaleEntry.id > known, SaleEntry.id > _mark_value(), SaleEntry.occurred_at >= start,
                                  SaleEntry.occurred_at < end)).subquery("unfolded")
    parts.append(_part(ledger, _day_columns(ledger), keys, selection, join_product=True, join_producer=True,
                       where=[]))
    return sa.union_all(*parts).subquery("sales")


def _dimensions(keys: tuple[str, ...], selection: Selection) -> set[str]:
    return (set(keys) | selection.dimensions) - {"day", "channel"}


def needs_current_keys(keys: tuple[str, ...], selection: Selection) -> bool:
    """Whether the level that holds these keys and this selection is keyed by product attributes (so whether
    they are today's must be known before reading it)."""
    level = rollups.choose_level(_dimensions(keys, selection), keys_current=True)
    return level is not None and level.keyed_by_attributes


#: The ledger entries of one refresh, added up in SalesDay's shape (a temporary table of the refreshing
#: connection; rows are deleted before and after use, so a refresh rolled back leaves nothing behind).
_staging = sa.Table(
    "report_refresh_staging", sa.MetaData(),
    sa.Column("day", sa.Date), sa.Column("product_id", sa.Integer), sa.Column("producer_id", sa.Integer),
    sa.Column("channel", sa.String(32)), sa.Column("location_key", sa.Integer),
    sa.Column("buyer_province_key", sa.Integer), sa.Column("units", sa.BigInteger),
    sa.Column("revenue_vnd", sa.BigInteger), sa.Column("orders", sa.Integer), sa.Column("entries", sa.Integer),
    prefixes=["TEMPORARY"],
)
_DAY_KEY = ["day", "product_id", "channel", "location_key", "buyer_province_key"]


def _insert(model):
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def _stage(last: int, top: int) -> int:
    """Add up the entries last < id <= top into the staging table; returns how many entries there were."""
    _staging.create(db.session.connection(), checkfirst=True)
    db.session.execute(sa.delete(_staging))
    rows = _ledger_rows(sa.and_(SaleEntry.id > last, SaleEntry.id <= top)).subquery()
    db.session.execute(sa.insert(_staging).from_select(
        [*_DAY_KEY, "producer_id", "units", "revenue_vnd", "orders", "entries"],
        sa.select(rows.c.day, rows.c.product_id, rows.c.channel, rows.c.location_key, rows.c.buyer_province_key,
                  sa.func.max(rows.c.producer_id), sa.func.sum(rows.c.units), sa.func.sum(rows.c.revenue_vnd),
                  sa.func.sum(rows.c.orders), sa.func.count())
        .group_by(rows.c.day, rows.c.product_id, rows.c.channel, rows.c.location_key, rows.c.buyer_province_key)))
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(_staging.c.entries), 0))))


def _fold_staging_into_days() -> None:
    statement = _insert(SalesDay).from_select(
        [*_DAY_KEY, "producer_id", "units", "revenue_vnd", "orders"],
        # WHERE true: SQLite reads an INSERT .. SELECT .. ON CONFLICT unambiguously only with a WHERE.
        # In the unique key's order (see reports.rollups.fold).
        sa.select(*[_staging.c[name] for name in _DAY_KEY], _staging.c.producer_id, _staging.c.units,
                  _staging.c.revenue_vnd, _staging.c.orders).where(sa.true())
        .order_by(*[_staging.c[name] for name in _DAY_KEY]))
    db.session.execute(statement.on_conflict_do_update(index_elements=_DAY_KEY, set_={
        "units": SalesDay.units + statement.excluded.units,
        "revenue_vnd": SalesDay.revenue_vnd + statement.excluded.revenue_vnd,
        "orders": SalesDay.orders + statement.excluded.orders}))


def refresh_summary(*, wait_seconds: int = 2) -> int | None:
    """Fold the ledger entries recorded since the last refresh into the summary and the rollups (after moving
    the sales of products whose attributes changed, reports.rollups.refresh_keys), in the caller's transaction
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
        db.session.execute(sa.text("SET LOCAL jit = off"))
    mark = db.session.get(SummaryMark, MARK_ID, with_for_update=True)
    if mark is None:
        # A summary without its mark cannot be trusted: start again from the first entry.
        for model in (SalesDay, SalesRollup, ProductKey):
            db.session.execute(sa.delete(model))
        mark = SummaryMark(id=MARK_ID, last_entry_id=0)
        db.session.add(mark)
        db.session.flush()
    rollups.refresh_keys()
    last = mark.last_entry_id
    top = db.session.scalar(sa.select(sa.func.max(SaleEntry.id)))
    if top is None or top <= last:
        return 0
    folded = _stage(last, top)
    rollups.add_new_products(_staging)
    _fold_staging_into_days()
    rollups.fold(_staging)
    db.session.execute(sa.delete(_staging))
    mark.last_entry_id = top
    mark.refreshed_at = utcnow()
    db.session.flush()
    return folded


def pending_entries() -> int:
    """How many ledger entries the summary has not folded in yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry).where(SaleEntry.id > _mark_value()))
