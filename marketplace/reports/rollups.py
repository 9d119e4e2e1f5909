"""The sales rollups (reports.models.SalesRollup): the ledger added up without the product, by the few
dimensions each page groups and filters on, per day, month and year, so that three years of figures read
a few thousand rows instead of a million.

A level keeps some dimensions (besides the channel, which every level keeps) and is stored in some grains:

    channel        showroom                                          day, month
    kind           showroom, group, star level, producer type        day, month
    province       showroom, producer province, buyer province       day, month
    kind_province  showroom, producer province, buyer province,      month, year
                   group, star, type
    producer       producer (its province and type joined today)    month, year
    product        product, producer (every attribute joined today)  month, year

The three small levels keep no year rows: a year of them is twelve month rows per key, read as fast, and
every year row is one more row to add to at each refresh.

The reader (reports.summary.sales_source) takes the first level that holds what a figure needs, the coarsest
grain that fits each part of the period, the product-level day summary (SalesDay) for the days a level does
not keep, and the ledger entries not folded in yet.

Group, star level, producer province and type are filed as ProductKey holds them: the product's and
producer's at the last refresh. `refresh_keys` moves the sales of a product whose attributes changed to its
new ones (from its SalesDay rows); until it runs, `keys_changed()` is true and the reader leaves the levels
keyed by those attributes aside, so the figures are always today's.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.reports.models import NONE_KEY, ProductKey, SalesDay, SalesRollup

#: The dimensions whose values come from the product's or producer's attributes (re-keyed on change).
ATTRIBUTES = frozenset({"province", "group", "star", "type"})
#: The rollup column of each dimension, and the value it holds in levels that leave the dimension out.
COLUMNS = {
    "location": ("location_key", NONE_KEY), "buyer": ("buyer_province_key", NONE_KEY),
    "province": ("province_key", NONE_KEY), "group": ("group_code", ""), "star": ("star_key", NONE_KEY),
    "type": ("producer_type", ""), "producer": ("producer_id", NONE_KEY), "product": ("product_id", NONE_KEY),
}
#: The rollups' unique key (uq_report_sales_rollups_key).
KEY = ("level", "grain", "start", "channel", "location_key", "buyer_province_key", "province_key", "group_code",
       "star_key", "producer_type", "producer_id", "product_id")
#: The attributes each kind of row can be joined to at read time.
PRODUCER_ATTRIBUTES = frozenset({"province", "type"})
PRODUCT_ATTRIBUTES = frozenset({"group", "star"})


@dataclass(frozen=True)
class Level:
    name: str
    #: The dimensions stored in the level's rows (the channel always is).
    kept: tuple[str, ...]
    grains: tuple[str, ...]
    #: Dimensions read by joining today's product or producer to the rows.
    joined: frozenset[str] = field(default_factory=frozenset)

    @property
    def keyed_by_attributes(self) -> bool:
        return bool(ATTRIBUTES & set(self.kept))

    def covers(self, dimensions: set[str]) -> bool:
        return dimensions <= set(self.kept) | self.joined


#: Smallest first: the reader takes the first level that covers what a figure needs.
LEVELS = (
    Level("channel", ("location",), ("day", "month")),
    Level("kind", ("location", "group", "star", "type"), ("day", "month")),
    Level("province", ("location", "province", "buyer"), ("day", "month")),
    Level("kind_province", ("location", "province", "buyer", "group", "star", "type"), ("month", "year")),
    Level("producer", ("producer",), ("month", "year"), joined=PRODUCER_ATTRIBUTES),
    Level("product", ("product", "producer"), ("month", "year"), joined=PRODUCER_ATTRIBUTES | PRODUCT_ATTRIBUTES),
)


class _month_start(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    type = sa.Date()
    inherit_cache = True


class _year_start(FunctionElement):  # noqa: N801
    type = sa.Date()
    inherit_cache = True


@compiles(_month_start, "postgresql")
@compiles(_year_start, "postgresql")
def _start_pg(element, compiler, **kw):
    unit = "month" if isinstance(element, _month_start) else "year"
    return f"CAST(date_trunc('{unit}', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_month_start)
@compiles(_year_start)
def _start_sqlite(element, compiler, **kw):
    unit = "month" if isinstance(element, _month_start) else "year"
    return f"date({compiler.process(element.clauses, **kw)}, 'start of {unit}')"


def period_start(column, grain: str):
    """The first day of the month or year of a DATE column (the column itself for the "day" grain)."""
    if grain == "day":
        return column
    return (_month_start if grain == "month" else _year_start)(column)


def segments(date_from: date, date_to: date, grains) -> list[tuple[str, date, date]]:
    """Cut the days date_from..date_to into runs of whole years, whole months and single days, the coarsest
    of `grains` each part allows: (grain, first start, last start) per run, in order. Days are always
    allowed (a level without them reads the product-level day summary)."""
    runs: list[list] = []
    cursor = date_from
    while cursor <= date_to:
        if "year" in grains and cursor.month == 1 and cursor.day == 1 and date(cursor.year, 12, 31) <= date_to:
            grain, following = "year", date(cursor.year + 1, 1, 1)
        elif "month" in grains and cursor.day == 1 and _next_month(cursor) - timedelta(days=1) <= date_to:
            grain, following = "month", _next_month(cursor)
        else:
            grain, following = "day", cursor + timedelta(days=1)
        if runs and runs[-1][0] == grain:
            runs[-1][2] = cursor
        else:
            runs.append([grain, cursor, cursor])
        cursor = following
    return [(grain, first, last) for grain, first, last in runs]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def choose_level(dimensions: set[str], *, keys_current: bool) -> Level | None:
    """The smallest level holding `dimensions` (None: only the product-level summary does). Levels keyed by
    attributes are left aside while some product's attributes changed since the last refresh."""
    for level in LEVELS:
        if level.covers(dimensions) and (keys_current or not level.keyed_by_attributes):
            return level
    return None


# Keeping the rollups.

def _today_attributes():
    """Each product's attributes today, in ProductKey's shape."""
    return (
        Product.producer_id.label("producer_id"),
        Producer.province_code.label("province_key"),
        Product.group_code.label("group_code"),
        sa.func.coalesce(Product.star_level, NONE_KEY).label("star_key"),
        sa.cast(Producer.type, sa.String(8)).label("producer_type"),
    )


def _differs():
    """True where a product's attributes today differ from its ProductKey (needs Product, Producer joined)."""
    return sa.or_(ProductKey.group_code != Product.group_code,
                  ProductKey.star_key != sa.func.coalesce(Product.star_level, NONE_KEY),
                  ProductKey.province_key != Producer.province_code,
                  ProductKey.producer_type != sa.cast(Producer.type, sa.String(8)))


def _keys_joined(statement):
    return statement.join(Product, Product.id == ProductKey.product_id).join(Producer, Producer.id == Product.producer_id)


def keys_changed() -> bool:
    """Whether some product's group or star level, or its producer's province or type, changed since the
    last refresh (the rollups keyed by them are then a refresh behind)."""
    return bool(db.session.scalar(sa.select(sa.exists(_keys_joined(sa.select(ProductKey.product_id))
                                                      .where(_differs())))))


def _insert(model):
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def fold(source, *, sign: int = 1, product_ids: list[int] | None = None, levels=LEVELS) -> None:
    """Add the rows of `source` (SalesDay or a table of its shape) into every level and grain, filed under the
    products' ProductKey; sign -1 takes them out. `product_ids` limits it to those products.

    One INSERT .. SELECT .. ON CONFLICT per level, its grains side by side in the SELECT (UNION ALL), in
    the order of the rollups' unique key."""
    columns = source.c if hasattr(source, "c") else source.__table__.c
    for level in levels:
        kept = {name: (columns[COLUMNS[name][0]] if name in ("location", "buyer", "producer", "product")
                       else ProductKey.__table__.c[COLUMNS[name][0]])
                for name in level.kept}
        selects = []
        for grain in level.grains:
            start = period_start(columns.day, grain)
            values = {"level": sa.literal(level.name), "grain": sa.literal(grain), "start": start,
                      "channel": columns.channel}
            for name, (column, empty) in COLUMNS.items():
                values[column] = kept.get(name, sa.literal(empty))
            values["units"] = sign * sa.func.sum(columns.units)
            values["revenue_vnd"] = sign * sa.func.sum(columns.revenue_vnd)
            values["orders"] = sign * sa.func.sum(columns.orders)
            select = (sa.select(*[value.label(name) for name, value in values.items()])
                      .select_from(source).join(ProductKey, ProductKey.product_id == columns.product_id)
                      .group_by(start, columns.channel, *kept.values()))
            if product_ids is not None:
                select = select.where(columns.product_id.in_(product_ids))
            selects.append(select)
        rows = sa.union_all(*selects).subquery("level_rows") if len(selects) > 1 else selects[0].subquery("level_rows")
        names = [column.name for column in rows.c]
        # In the unique key's order: the index takes them in one sweep, and a first build lays each
        # period's rows side by side (the refreshes after it then write few pages). WHERE true: SQLite
        # reads an INSERT .. SELECT .. ON CONFLICT unambiguously only with a WHERE.
        statement = _insert(SalesRollup).from_select(
            names, sa.select(*rows.c).where(sa.true()).order_by(*[rows.c[name] for name in KEY[1:]]))
        statement = statement.on_conflict_do_update(
            index_elements=KEY,
            set_={"units": SalesRollup.units + statement.excluded.units,
                  "revenue_vnd": SalesRollup.revenue_vnd + statement.excluded.revenue_vnd,
                  "orders": SalesRollup.orders + statement.excluded.orders})
        db.session.execute(statement)


def add_new_products(source) -> None:
    """File the products of `source` that have no ProductKey yet under their attributes today."""
    columns = source.c
    known = sa.select(ProductKey.product_id)
    select = (sa.select(Product.id, *_today_attributes()).join(Producer, Producer.id == Product.producer_id)
              .where(Product.id.in_(sa.select(columns.product_id).distinct()), Product.id.not_in(known)))
    db.session.execute(sa.insert(ProductKey).from_select(
        ["product_id", "producer_id", "province_key", "group_code", "star_key", "producer_type"], select))


def refresh_keys() -> int:
    """Move the folded sales of every product whose attributes changed to its attributes today (out of the
    levels keyed by attributes under the old ones, back in under the new). Returns how many products moved."""
    changed = list(db.session.scalars(_keys_joined(sa.select(ProductKey.product_id)).where(_differs())))
    if not changed:
        return 0
    keyed = tuple(level for level in LEVELS if level.keyed_by_attributes)
    for first in range(0, len(changed), 500):
        chunk = changed[first:first + 500]
        fold(SalesDay.__table__, sign=-1, product_ids=chunk, levels=keyed)
        today = {row.product_id: row for row in db.session.execute(
            sa.select(Product.id.label("product_id"), *_today_attributes())
            .join(Producer, Producer.id == Product.producer_id).where(Product.id.in_(chunk)))}
        db.session.execute(sa.update(ProductKey), [
            {"product_id": product_id, "producer_id": row.producer_id, "province_key": row.province_key,
             "group_code": row.group_code, "star_key": row.star_key, "producer_type": row.producer_type}
            for product_id, row in today.items()])
        fold(SalesDay.__table__, sign=1, product_ids=chunk, levels=keyed)
    db.session.execute(sa.delete(SalesRollup).where(SalesRollup.units == 0, SalesRollup.revenue_vnd == 0,
                                                    SalesRollup.orders == 0))
    return len(changed)
