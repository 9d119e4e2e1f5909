"""The producer's dashboard figures: revenue and units over time, by product, channel and buyer province,
top products and low stock. Revenue is net of refunds (reversing ledger entries are negative).

Dates are Vietnam's calendar days; a period [date_from, date_to] covers both days entirely.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace import geo
from marketplace.catalog.models import Product, ProductStatus
from marketplace.dates import VIETNAM, parse_date, period_bounds, today_vn
from marketplace.extensions import db
from marketplace.ledger.labels import sale_channel_label
from marketplace.ledger.models import SaleEntry
from marketplace.reports.analytics import Growth
from marketplace.stock.models import Location, StockLevel
from marketplace.stock.services import low_stock_clause

GRANULARITIES = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month")}
#: The default period: the last 30 days, today included.
DEFAULT_DAYS = 30
#: The longest period one page shows (two years).
MAX_DAYS = 731
#: Daily figures beyond this many days would draw an unreadable chart.
MAX_DAILY_DAYS = 186
TOP_PRODUCTS = 5


@dataclass
class FigureFilters:
    date_from: date
    date_to: date
    granularity: str = "day"
    #: Messages about input that was ignored (shown to the producer; the defaults were used instead).
    errors: list[str] = field(default_factory=list)

    def as_args(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "by": self.granularity}


@dataclass(frozen=True)
class Row:
    """One line of a figures table."""

    label: str
    units: int
    revenue_vnd: int
    key: str = ""
    #: Orders are not counted on the producer's page (the program analytics count them); None = not shown.
    orders: int | None = None


@dataclass(frozen=True)
class LowStockRow:
    product_id: int
    product_name: str
    sku: str | None
    location_name: str
    quantity: int
    threshold: int


def parse_filters(args, *, today: date | None = None) -> FigureFilters:
    """Read ?from=&to=&by= leniently: bad values are reported and replaced by the defaults, never a 500."""
    today = today or today_vn()
    errors: list[str] = []
    default_from = today - timedelta(days=DEFAULT_DAYS - 1)
    raw_from, raw_to = args.get("from", ""), args.get("to", "")
    date_from, date_to = parse_date(raw_from), parse_date(raw_to)
    if raw_from and date_from is None:
        errors.append(_("The start date was not understood; use dd/mm/yyyy."))
    if raw_to and date_to is None:
        errors.append(_("The end date was not understood; use dd/mm/yyyy."))
    date_to = date_to or today
    date_from = date_from or min(default_from, date_to)
    if date_from > date_to:
        errors.append(_("The start date was after the end date; they were swapped."))
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days + 1 > MAX_DAYS:
        errors.append(_("A period is at most %(days)s days; the start was moved.", days=MAX_DAYS))
        date_from = date_to - timedelta(days=MAX_DAYS - 1)
    granularity = args.get("by", "") or "day"
    if granularity not in GRANULARITIES:
        errors.append(_("Unknown grouping; figures are shown by day."))
        granularity = "day"
    if granularity == "day" and (date_to - date_from).days + 1 > MAX_DAILY_DAYS:
        granularity = "week" if (date_to - date_from).days + 1 <= 2 * MAX_DAILY_DAYS else "month"
    return FigureFilters(date_from, date_to, granularity, errors)


def _in_period(producer_id: int, filters: FigureFilters):
    start, end = period_bounds(filters.date_from, filters.date_to)
    return sa.and_(SaleEntry.producer_id == producer_id, SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end)


def bucket_start(day: date, granularity: str) -> date:
    """The first day of the day, ISO week (Monday) or month containing `day`."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def bucket_label(start: date, granularity: str) -> str:
    if granularity == "month":
        return f"{start.month:02d}/{start.year}"
    if granularity == "week":
        day = f"{start.day:02d}/{start.month:02d}/{start.year}"
        return _("Week of %(date)s", date=day)
    return f"{start.day:02d}/{start.month:02d}/{start.year}"


def timeline(producer_id: int, filters: FigureFilters) -> list[Row]:
    """Units and revenue per day, week or month of the period, empty buckets included."""
    buckets: dict[date, list[int]] = {}
    cursor = bucket_start(filters.date_from, filters.granularity)
    while cursor <= filters.date_to:
        buckets[cursor] = [0, 0]
        cursor = _next_bucket(cursor, filters.granularity)
    # Grouping by the Vietnamese calendar day is done here rather than in SQL, so it is the same on
    # SQLite and PostgreSQL; only three narrow columns of the producer's entries in the period are read.
    rows = db.session.execute(
        sa.select(SaleEntry.occurred_at, SaleEntry.quantity, SaleEntry.total_vnd)
        .where(_in_period(producer_id, filters))
    )
    for occurred_at, quantity, total in rows:
        day = occurred_at.astimezone(VIETNAM).date()
        bucket = buckets.setdefault(bucket_start(day, filters.granularity), [0, 0])
        bucket[0] += quantity
        bucket[1] += total
    return [Row(bucket_label(start, filters.granularity), units, revenue, key=start.isoformat())
            for start, (units, revenue) in sorted(buckets.items())]


def _grouped(producer_id: int, filters: FigureFilters, *columns):
    units = sa.func.coalesce(sa.func.sum(SaleEntry.quantity), 0).label("units")
    revenue = sa.func.coalesce(sa.func.sum(SaleEntry.total_vnd), 0).label("revenue")
    return db.session.execute(
        sa.select(*columns, units, revenue).where(_in_period(producer_id, filters)).group_by(*columns)
        .order_by(revenue.desc(), units.desc())
    ).all()


def by_product(producer_id: int, filters: FigureFilters) -> list[Row]:
    """Each product's units and revenue in the period, best first (names as sold: the ledger's snapshot)."""
    name = sa.func.max(SaleEntry.product_name).label("name")
    units = sa.func.sum(SaleEntry.quantity).label("units")
    revenue = sa.func.sum(SaleEntry.total_vnd).label("revenue")
    rows = db.session.execute(
        sa.select(SaleEntry.product_id, name, units, revenue).where(_in_period(producer_id, filters))
        .group_by(SaleEntry.product_id).order_by(revenue.desc(), units.desc(), SaleEntry.product_id)
    ).all()
    return [Row(row.name, int(row.units), int(row.revenue), key=str(row.product_id)) for row in rows]


def best_sellers(products: list[Row], limit: int = TOP_PRODUCTS) -> list[Row]:
    """The first `limit` rows of by_product that earned something (it lists the best first)."""
    return [row for row in products if row.revenue_vnd > 0][:limit]


def top_products(producer_id: int, filters: FigureFilters, limit: int = TOP_PRODUCTS) -> list[Row]:
    """The products with the most revenue in the period."""
    return best_sellers(by_product(producer_id, filters), limit)


def by_channel(producer_id: int, filters: FigureFilters) -> list[Row]:
    """Online, and each showroom location by name."""
    rows = _grouped(producer_id, filters, SaleEntry.channel, SaleEntry.location_id)
    location_ids = {row.location_id for row in rows if row.location_id is not None}
    names = dict(db.session.execute(sa.select(Location.id, Location.name).where(Location.id.in_(location_ids))).all()) \
        if location_ids else {}
    merged: dict[str, list] = {}
    for row in rows:
        if row.channel == "online":
            key, label = "online", sale_channel_label(row.channel)
        else:
            key = f"{row.channel}:{row.location_id or ''}"
            label = names.get(row.location_id) or sale_channel_label(row.channel)
        entry = merged.setdefault(key, [label, 0, 0])
        entry[1] += int(row.units)
        entry[2] += int(row.revenue)
    return sorted((Row(label, units, revenue, key=key) for key, (label, units, revenue) in merged.items()),
                  key=lambda row: (-row.revenue_vnd, row.label))


def by_province(producer_id: int, filters: FigureFilters) -> list[Row]:
    """Units and revenue by the buyer's province (names from marketplace.geo; unknown when not recorded)."""
    rows = _grouped(producer_id, filters, SaleEntry.buyer_province_code)
    result = []
    for row in rows:
        code = row.buyer_province_code
        label = geo.province_name(code) if code is not None else ""
        result.append(Row(label or _("Unknown"), int(row.units), int(row.revenue),
                          key=str(code) if code is not None else ""))
    return result


def previous_period(filters: FigureFilters) -> FigureFilters:
    """The same number of days just before the period (30 days before the last 30, and so on)."""
    days = (filters.date_to - filters.date_from).days + 1
    return FigureFilters(filters.date_from - timedelta(days=days), filters.date_from - timedelta(days=1),
                         filters.granularity)


def growth(producer_id: int, filters: FigureFilters, current: Row) -> Growth:
    """This period's totals (`current`, from the timeline) against the previous period of the same length."""
    previous = previous_period(filters)
    units, revenue = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(SaleEntry.quantity), 0),
                  sa.func.coalesce(sa.func.sum(SaleEntry.total_vnd), 0))
        .where(_in_period(producer_id, previous))
    ).one()
    return Growth(current, Row(_("Previous period"), int(units), int(revenue)), previous.date_from, previous.date_to)


def totals(rows: list[Row]) -> Row:
    return Row(_("Total"), sum(row.units for row in rows), sum(row.revenue_vnd for row in rows))


def low_stock(producer_id: int) -> list[LowStockRow]:
    """The producer's stock levels at or below their alert threshold (archived products left out)."""
    rows = db.session.execute(
        sa.select(Product.id, Product.name, Product.sku, Location.name, StockLevel.quantity,
                  StockLevel.low_stock_threshold)
        .join(StockLevel, StockLevel.product_id == Product.id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Product.producer_id == producer_id, Product.status != ProductStatus.ARCHIVED,
               low_stock_clause())
        .order_by(StockLevel.quantity, Product.name)
    ).all()
    return [LowStockRow(*row) for row in rows]
