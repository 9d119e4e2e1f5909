"""The program office's sales analytics, read from the sales ledger (through reports.summary, which keeps
every figure equal to a direct sum over it).

Figures: revenue (net of refunds), units and orders by channel (online, each showroom, linkage), by
producer province, by buyer province and province to province, by product group (Decision 148), by star
level, by producer type, over time; top products and producers; growth against the previous period of
the same length. Filters: period, producer province, product group or sector, star level, channel.

Group, star level, province and type are the product's and producer's today (the ledger records the sale,
not the certificate held that day). An order is one producer's part of a sale (see reports.summary):
it is counted for the channel, provinces, producer and day it belongs to; an order can hold products of
several groups and star levels, so those figures and the product tables give units and revenue only.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace import geo
from marketplace.catalog import categories
from marketplace.catalog.models import Product
from marketplace.dates import parse_date, today_vn
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.inputs import MAX_ID, parse_int
from marketplace.ledger.labels import sale_channel_label
from marketplace.ledger.models import CHANNELS, LINKAGE_CHANNEL, ONLINE_CHANNEL, SHOWROOM_CHANNEL
from marketplace.producers.labels import producer_type_label
from marketplace.producers.models import Producer
from marketplace.reports import rollups
from marketplace.reports.models import GRAINS, NONE_KEY
from marketplace.reports.summary import Selection, needs_current_keys, sales_source
from marketplace.showrooms.models import Showroom

GRANULARITIES = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month"), "quarter": _l("Quarter")}
#: The default period: the last 30 days, today included.
DEFAULT_DAYS = 30
#: The longest period one page shows (five years).
MAX_DAYS = 1827
#: The longest period shown day by day, and week by week; longer ones switch to a coarser grouping.
MAX_DAILY_DAYS = 92
MAX_WEEKLY_DAYS = 371
TOP = 10
STARS = (3, 4, 5)


@dataclass
class Filters:
    date_from: date
    date_to: date
    granularity: str = "day"
    #: The producer's province code.
    province: int | None = None
    #: A product group ("1.4") or a whole sector ("1").
    group: str | None = None
    star: int | None = None
    #: One of ledger CHANNELS, or None for all.
    channel: str | None = None
    #: With channel "showroom": one showroom's location id (None for every showroom).
    location: int | None = None
    #: Messages about input that was not understood (its default was used instead).
    errors: list[str] = field(default_factory=list)
    #: Notes about what was adjusted (e.g. a coarser grouping for a long period).
    notes: list[str] = field(default_factory=list)
    #: Whether the rollups' product attributes are today's: checked by the first figure that needs it
    #: (reports.rollups.keys_changed), then kept for the page's other figures (and the previous period's).
    keys_current: bool | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def channel_value(self) -> str:
        """The channel as the filter form spells it ("showroom:12" for one showroom)."""
        if self.channel == SHOWROOM_CHANNEL and self.location is not None:
            return f"{SHOWROOM_CHANNEL}:{self.location}"
        return self.channel or ""

    def previous(self) -> "Filters":
        """The same filters over the period of the same length just before this one."""
        return replace(self, date_from=self.date_from - timedelta(days=self.days),
                       date_to=self.date_from - timedelta(days=1), errors=[], notes=[])

    def as_args(self) -> dict[str, str]:
        """The query string that shows these figures again (shareable; empty filters left out)."""
        args = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "by": self.granularity}
        if self.province is not None:
            args["province"] = str(self.province)
        if self.group:
            args["group"] = self.group
        if self.star is not None:
            args["star"] = str(self.star)
        if self.channel:
            args["channel"] = self.channel_value
        return args


@dataclass(frozen=True)
class Row:
    """One line of a figures table. `orders` is None where orders cannot be split (see the module doc)."""

    label: str
    units: int
    revenue_vnd: int
    orders: int | None = None
    key: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.units and not self.revenue_vnd and not self.orders


@dataclass(frozen=True)
class Flow:
    """Sales from producers of one province to buyers of another (or unknown)."""

    from_label: str
    to_label: str
    units: int
    revenue_vnd: int
    orders: int
    from_code: int
    to_code: int | None


@dataclass(frozen=True)
class Growth:
    current: Row
    previous: Row
    previous_from: date
    previous_to: date

    @staticmethod
    def _percent(now: int, before: int) -> float | None:
        if before == 0:
            return None
        return (now - before) * 100 / abs(before)

    @property
    def revenue_percent(self) -> float | None:
        return self._percent(self.current.revenue_vnd, self.previous.revenue_vnd)

    @property
    def units_percent(self) -> float | None:
        return self._percent(self.current.units, self.previous.units)

    @property
    def orders_percent(self) -> float | None:
        return self._percent(self.current.orders or 0, self.previous.orders or 0)


def showroom_choices() -> list[tuple[int, str]]:
    """(location id, name) of every showroom, by name (closed ones too: their past sales count)."""
    return [(row.location_id, row.name) for row in db.session.execute(
        sa.select(Showroom.location_id, Showroom.name).order_by(Showroom.name))]


def _parse_channel(raw: str, errors: list[str], showrooms: dict[int, str]) -> tuple[str | None, int | None]:
    if not raw:
        return None, None
    if raw in CHANNELS:
        return raw, None
    prefix = SHOWROOM_CHANNEL + ":"
    if raw.startswith(prefix):
        location = parse_int(raw[len(prefix):], minimum=1, maximum=MAX_ID)
        if location is not None and location in showrooms:
            return SHOWROOM_CHANNEL, location
    errors.append(_("Unknown sales channel; every channel is shown."))
    return None, None


def parse_filters(args, *, today: date | None = None, showrooms: dict[int, str] | None = None) -> Filters:
    """Read ?from=&to=&by=&province=&group=&star=&channel= leniently: a value that is not understood is
    reported in `errors` and replaced by its default, never an error page."""
    today = today or today_vn()
    errors: list[str] = []
    notes: list[str] = []
    raw_from, raw_to = args.get("from", "").strip(), args.get("to", "").strip()
    date_from, date_to = parse_date(raw_from), parse_date(raw_to)
    if raw_from and date_from is None:
        errors.append(_("The start date was not understood; use dd/mm/yyyy."))
    if raw_to and date_to is None:
        errors.append(_("The end date was not understood; use dd/mm/yyyy."))
    date_to = date_to or today
    date_from = date_from or min(today - timedelta(days=DEFAULT_DAYS - 1), date_to)
    if date_from > date_to:
        errors.append(_("The start date was after the end date; they were swapped."))
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days + 1 > MAX_DAYS:
        errors.append(_("A period is at most %(days)s days; the start was moved.", days=MAX_DAYS))
        date_from = date_to - timedelta(days=MAX_DAYS - 1)
    granularity = args.get("by", "").strip() or "day"
    if granularity not in GRANULARITIES:
        errors.append(_("Unknown grouping; figures are shown by day."))
        granularity = "day"
    days = (date_to - date_from).days + 1
    if granularity == "day" and days > MAX_DAILY_DAYS:
        granularity = "week" if days <= MAX_WEEKLY_DAYS else "month"
        notes.append(_("The period is long, so the figures over time are grouped by %(unit)s.",
                       unit=str(GRANULARITIES[granularity]).lower()))
    elif granularity == "week" and days > 3 * MAX_WEEKLY_DAYS:
        granularity = "month"
        notes.append(_("The period is long, so the figures over time are grouped by %(unit)s.",
                       unit=str(GRANULARITIES[granularity]).lower()))

    province = None
    raw = args.get("province", "").strip()
    if raw:
        province = parse_int(raw, minimum=1, maximum=999)
        if province is None or geo.province(province) is None:
            errors.append(_("Unknown province; every province is shown."))
            province = None

    group = args.get("group", "").strip() or None
    if group is not None and not (categories.is_group(group) or group in {s.code for s in categories.SECTORS}):
        errors.append(_("Unknown product group; every group is shown."))
        group = None

    star = None
    raw = args.get("star", "").strip()
    if raw:
        star = parse_int(raw, minimum=3, maximum=5)
        if star is None:
            errors.append(_("The star level must be 3, 4 or 5; every level is shown."))

    showrooms = dict(showroom_choices()) if showrooms is None else showrooms
    channel, location = _parse_channel(args.get("channel", "").strip(), errors, showrooms)
    return Filters(date_from, date_to, granularity, province, group, star, channel, location, errors, notes)


# Reading the figures.

def selection(filters: Filters) -> Selection:
    """The sales the filters keep, besides the period."""
    return Selection(channel=filters.channel, location=filters.location, province=filters.province,
                     group=filters.group, star=filters.star)


def _aggregate(filters: Filters, keys: tuple[str, ...], *, order_by_revenue: bool = False,
               limit: int | None = None, grains=GRAINS):
    """Units, revenue and orders of the sales matching `filters`, grouped by `keys` (see
    reports.summary.sales_source; "day" is the first day of each row's grain, one of `grains`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # These statements are estimated as costly (the ledger part's first-line check), so PostgreSQL
        # would compile them just in time: half a second of compiling for a few milliseconds of work.
        db.session.execute(sa.text("SET LOCAL jit = off"))
    chosen = selection(filters)
    if filters.keys_current is None and needs_current_keys(keys, chosen):
        filters.keys_current = not rollups.keys_changed()
    source = sales_source(filters.date_from, filters.date_to, keys, chosen, grains=grains,
                          keys_current=filters.keys_current)
    units = sa.func.coalesce(sa.func.sum(source.c.units), 0).label("units")
    revenue = sa.func.coalesce(sa.func.sum(source.c.revenue_vnd), 0).label("revenue")
    orders = sa.func.coalesce(sa.func.sum(source.c.orders), 0).label("orders")
    grouping = [source.c[key] for key in keys]
    statement = sa.select(*grouping, units, revenue, orders)
    if keys:
        statement = statement.group_by(*grouping)
    if order_by_revenue:
        statement = statement.order_by(revenue.desc(), units.desc(), *grouping)
    if limit is not None:
        statement = statement.limit(limit)
    return db.session.execute(statement).all()


def _row(label, result, key="", *, with_orders=True) -> Row:
    return Row(str(label), int(result.units), int(result.revenue), int(result.orders) if with_orders else None,
               key=str(key))


def _sorted(rows: list[Row]) -> list[Row]:
    """Rows with something in them, best revenue first."""
    return sorted((row for row in rows if not row.is_empty), key=lambda row: (-row.revenue_vnd, -row.units, row.label))


def totals(filters: Filters) -> Row:
    """Units, revenue and orders of the whole selection."""
    result = _aggregate(filters, ())[0]
    return _row(_("Total"), result)


def growth(filters: Filters, current: Row | None = None) -> Growth:
    """This period's totals (`current` when the caller has them already) against the previous period of
    the same length (same filters)."""
    previous = filters.previous()
    return Growth(current or totals(filters), totals(replace(previous, keys_current=filters.keys_current)),
                  previous.date_from, previous.date_to)


def sum_rows(rows: list[Row]) -> Row:
    """The total of a table's rows (the rows of one figure cover the whole selection)."""
    return Row(_("Total"), sum(row.units for row in rows), sum(row.revenue_vnd for row in rows),
               sum(row.orders or 0 for row in rows))


def by_channel(filters: Filters) -> list[Row]:
    """Online, each showroom by name, and linkage."""
    names = dict(showroom_choices())
    rows = []
    for result in _aggregate(filters, ("channel", "location")):
        if result.channel == SHOWROOM_CHANNEL and result.location != NONE_KEY:
            label = names.get(result.location) or sale_channel_label(result.channel)
            key = f"{SHOWROOM_CHANNEL}:{result.location}"
        else:
            label, key = sale_channel_label(result.channel), result.channel
        rows.append(_row(label, result, key))
    return _sorted(rows)


def _province_label(code: int | None) -> str:
    if not code:
        return _("Not recorded")
    return geo.province_name(code) or _("Unknown province")


def province_figures(filters: Filters) -> tuple[list[Row], list[Row], list[Flow]]:
    """(by producer province, by buyer province, province-to-province flows), from one query."""
    producer_rows: dict[int, list[int]] = {}
    buyer_rows: dict[int, list[int]] = {}
    flows = []
    for result in _aggregate(filters, ("province", "buyer")):
        values = (int(result.units), int(result.revenue), int(result.orders))
        for table, code in ((producer_rows, result.province), (buyer_rows, result.buyer)):
            total = table.setdefault(code, [0, 0, 0])
            for index, value in enumerate(values):
                total[index] += value
        flows.append(Flow(_province_label(result.province), _province_label(result.buyer), *values,
                          from_code=result.province, to_code=result.buyer or None))
    producers = _sorted([Row(_province_label(code), *values, key=str(code)) for code, values in producer_rows.items()])
    buyers = _sorted([Row(_province_label(code), *values, key=str(code or "")) for code, values in buyer_rows.items()])
    flows = sorted((flow for flow in flows if flow.units or flow.revenue_vnd or flow.orders),
                   key=lambda flow: (-flow.revenue_vnd, -flow.units, flow.from_label, flow.to_label))
    return producers, buyers, flows


def _group_label(code: str | None) -> str:
    category = categories.get(code)
    if category is None:
        return code or _("No group")
    return f"{category.code} {category.name(current_language())}"


def star_label(star: int | None) -> str:
    if star is None:
        return _("No valid certificate today")
    return _("%(stars)s stars", stars=star)


def product_figures(filters: Filters) -> tuple[list[Row], list[Row], list[Row]]:
    """(by product group, by star level, by producer type): units and revenue, from one query. Orders are
    only given by producer type (an order is one producer's; it may span groups and star levels)."""
    groups: dict[str, list[int]] = {}
    stars: dict[int | None, list[int]] = {}
    types: dict[str, list[int]] = {}
    for result in _aggregate(filters, ("group", "star", "type")):
        values = (int(result.units), int(result.revenue), int(result.orders))
        star = int(result.star) or None
        for table, key in ((groups, result.group), (stars, star), (types, str(result.type))):
            total = table.setdefault(key, [0, 0, 0])
            for index, value in enumerate(values):
                total[index] += value
    group_rows = [Row(_group_label(code), units, revenue, None, key=code or "")
                  for code, (units, revenue, _orders) in groups.items()]
    star_rows = [Row(star_label(star), units, revenue, None, key=str(star or ""))
                 for star, (units, revenue, _orders) in stars.items()]
    type_rows = [Row(producer_type_label(kind), units, revenue, orders, key=kind)
                 for kind, (units, revenue, orders) in types.items()]
    group_rows = sorted((row for row in group_rows if not row.is_empty), key=lambda row: row.key)
    star_rows = sorted((row for row in star_rows if not row.is_empty), key=lambda row: row.key or "9")
    return group_rows, star_rows, _sorted(type_rows)


def bucket_start(day: date, granularity: str) -> date:
    """The first day of the day, ISO week (Monday), month or quarter containing `day`."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day


def _next_bucket(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity in ("month", "quarter"):
        months = 3 if granularity == "quarter" else 1
        month = start.month - 1 + months
        return date(start.year + month // 12, month % 12 + 1, 1)
    return start + timedelta(days=1)


def bucket_label(start: date, granularity: str) -> str:
    if granularity == "quarter":
        return _("Q%(quarter)s/%(year)s", quarter=(start.month - 1) // 3 + 1, year=start.year)
    if granularity == "month":
        return f"{start.month:02d}/{start.year}"
    day = f"{start.day:02d}/{start.month:02d}/{start.year}"
    if granularity == "week":
        return _("Week of %(date)s", date=day)
    return day


def timeline(filters: Filters) -> list[Row]:
    """Units, revenue and orders per day, week, month or quarter of the period, empty buckets included
    (the chart draws them; the table leaves them out)."""
    buckets: dict[date, list[int]] = {}
    cursor = bucket_start(filters.date_from, filters.granularity)
    while cursor <= filters.date_to:
        buckets[cursor] = [0, 0, 0]
        cursor = _next_bucket(cursor, filters.granularity)
    # Weeks and days need day rows; months and quarters can add up month rows.
    grains = ("day",) if filters.granularity in ("day", "week") else ("day", "month")
    for result in _aggregate(filters, ("day",), grains=grains):
        day = result.day if isinstance(result.day, date) else date.fromisoformat(str(result.day))
        bucket = buckets.setdefault(bucket_start(day, filters.granularity), [0, 0, 0])
        bucket[0] += int(result.units)
        bucket[1] += int(result.revenue)
        bucket[2] += int(result.orders)
    return [Row(bucket_label(start, filters.granularity), *values, key=start.isoformat())
            for start, values in sorted(buckets.items())]


def top_products(filters: Filters, limit: int = TOP) -> list[Row]:
    """The products with the most revenue (today's names), best first; units and revenue."""
    results = _aggregate(filters, ("product",), order_by_revenue=True, limit=limit)
    names = dict(db.session.execute(sa.select(Product.id, Product.name)
                                    .where(Product.id.in_([r.product for r in results]))).all()) if results else {}
    return [row for row in (_row(names.get(r.product, f"#{r.product}"), r, r.product, with_orders=False)
                            for r in results) if row.revenue_vnd > 0]


def top_producers(filters: Filters, limit: int = TOP) -> list[Row]:
    """The producers with the most revenue, best first; units, revenue and orders."""
    results = _aggregate(filters, ("producer",), order_by_revenue=True, limit=limit)
    names = dict(db.session.execute(sa.select(Producer.id, Producer.name)
                                    .where(Producer.id.in_([r.producer for r in results]))).all()) if results else {}
    return [row for row in (_row(names.get(r.producer, f"#{r.producer}"), r, r.producer) for r in results)
            if row.revenue_vnd > 0]


def channel_options(showrooms: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """(value, label) of the channel filter: every channel, online, showrooms (all, then each), linkage."""
    options = [("", _("All channels")), (ONLINE_CHANNEL, sale_channel_label(ONLINE_CHANNEL)),
               (SHOWROOM_CHANNEL, _("All showrooms"))]
    options += [(f"{SHOWROOM_CHANNEL}:{location}", "— " + name) for location, name in showrooms]
    options.append((LINKAGE_CHANNEL, sale_channel_label(LINKAGE_CHANNEL)))
    return options


def group_options() -> list[tuple[str, str]]:
    """(code, label) of the group filter: each sector followed by its groups."""
    language = current_language()
    options = []
    for sector in categories.SECTORS:
        options.append((sector.code, f"{sector.code} {sector.name(language)}"))
        options += [(group.code, f"— {group.code} {group.name(language)}") for group in sector.children]
    return options
