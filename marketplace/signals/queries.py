"""The demand signals, read from what the marketplace already records. Read-only.

- missed searches: catalogue searches that found nothing (catalog.ZeroResultSearch), grouped by their
  accent-folded text, with counts, first and last seen and the buyers' provinces where known;
- products often out of stock: from the stock movement log of the producers' warehouses (the stock sold
  online): how many times the product ran out in the period and how many days it stayed out;
- added to carts but not bought: cart additions (signals.CartAddition) against the orders placed after them;
- most-wanted requests: the demand board's requests (linkage.queries.most_wanted).

Every figure is for a period [date_from, date_to] of Vietnam's calendar days. A producer's page passes its
own id: out-of-stock and cart figures are then that producer's products only, never another's.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _

from marketplace import geo
from marketplace.catalog import categories
from marketplace.catalog.models import Product, ZeroResultSearch
from marketplace.catalog.status import ProductStatus
from marketplace.dates import parse_date, period_bounds, today_vn, utcnow
from marketplace.extensions import db
from marketplace.linkage import queries as linkage_queries
from marketplace.orders.models import Order, OrderLine, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.signals.models import CartAddition, SearchProvince
from marketplace.stock.models import Location, LocationKind, StockLevel, StockMovement
from marketplace.text import folded_words

#: The default period: the last 90 days, today included (searches and carts are sparse).
DEFAULT_DAYS = 90
#: The longest period one page shows (two years).
MAX_DAYS = 731
#: Rows per table on the page and in the exports.
ROW_LIMIT = 200


@dataclass
class Period:
    date_from: date
    date_to: date
    #: Messages about input that was ignored (the defaults were used instead).
    errors: list[str] = field(default_factory=list)

    def as_args(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return period_bounds(self.date_from, self.date_to)


def parse_period(args, *, today: date | None = None) -> Period:
    """Read ?from=&to= leniently: bad values are reported and replaced by the defaults, never a 500."""
    today = today or today_vn()
    errors: list[str] = []
    raw_from, raw_to = args.get("from", ""), args.get("to", "")
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
    return Period(date_from, date_to, errors)


# --- Searches that found nothing -------------------------------------------------------------------


@dataclass(frozen=True)
class MissedSearch:
    """One folded query text: how often it found nothing, when, and from which provinces."""

    folded_query: str
    #: The latest way a buyer typed it (with accents).
    query: str
    count: int
    first_seen: datetime
    last_seen: datetime
    #: (province name, searches) for the searches whose buyer's province is known, most first.
    provinces: tuple[tuple[str, int], ...] = ()

    @property
    def provinces_text(self) -> str:
        return ", ".join(f"{name} ({count})" for name, count in self.provinces)


def missed_searches(period: Period, *, limit: int = ROW_LIMIT, related: "GroupWords | None" = None) -> list[MissedSearch]:
    """Zero-result searches of the period grouped by folded text, most frequent first.

    With `related`, only the searches whose words belong to those product groups (see GroupWords).
    """
    start, end = period.bounds
    in_period = sa.and_(ZeroResultSearch.created_at >= start, ZeroResultSearch.created_at < end)
    grouped = db.session.execute(
        sa.select(ZeroResultSearch.folded_query, sa.func.count(), sa.func.min(ZeroResultSearch.created_at),
                  sa.func.max(ZeroResultSearch.created_at), sa.func.max(ZeroResultSearch.id))
        .where(in_period)
        .group_by(ZeroResultSearch.folded_query)
        .order_by(sa.func.count().desc(), sa.func.max(ZeroResultSearch.created_at).desc(),
                  ZeroResultSearch.folded_query)
    ).all()
    if related is not None:
        grouped = [row for row in grouped if related.matches(row[0])]
    grouped = grouped[:limit]
    if not grouped:
        return []
    folded = [row[0] for row in grouped]
    typed = dict(db.session.execute(
        sa.select(ZeroResultSearch.id, ZeroResultSearch.query).where(ZeroResultSearch.id.in_([row[4] for row in grouped]))
    ).all())
    places: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for text, code, count in db.session.execute(
        sa.select(ZeroResultSearch.folded_query, SearchProvince.province_code, sa.func.count())
        .join(SearchProvince, SearchProvince.search_id == ZeroResultSearch.id)
        .where(in_period, ZeroResultSearch.folded_query.in_(folded))
        .group_by(ZeroResultSearch.folded_query, SearchProvince.province_code)
    ):
        places[text].append((geo.province_name(code), int(count)))
    return [
        MissedSearch(folded_query=text, query=typed.get(latest_id, text), count=int(count), first_seen=first,
                     last_seen=last, provinces=tuple(sorted(places.get(text, []), key=lambda p: (-p[1], p[0]))))
        for text, count, first, last, latest_id in grouped
    ]


@dataclass(frozen=True)
class GroupWords:
    """The vocabulary of some product groups: words and two-word phrases (accent-folded) of the groups' and
    product sets' names in both languages and of the listed products' names in those groups.

    A search matches when one of its two-word phrases is in that vocabulary, or, for a one-word search,
    when the word is (Vietnamese words are single syllables, so one shared syllable alone says little).
    """

    words: frozenset[str]
    phrases: frozenset[str]

    def matches(self, folded_query: str) -> bool:
        tokens = folded_query.split()
        if len(tokens) == 1:
            return tokens[0] in self.words
        return any(f"{a} {b}" in self.phrases for a, b in zip(tokens, tokens[1:], strict=False))


def _phrases(text: str) -> tuple[set[str], set[str]]:
    tokens = folded_words(text).split()
    return set(tokens), {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}


def producer_groups(producer_id: int) -> list[str]:
    """The product group codes of the producer's listed (non-archived) products, sorted."""
    return sorted(db.session.scalars(
        sa.select(Product.group_code).distinct()
        .where(Product.producer_id == producer_id, Product.status != ProductStatus.ARCHIVED)
    ))


def group_words(group_codes: list[str]) -> GroupWords:
    """The vocabulary of these product groups (names of the groups, their sets and their active products)."""
    words: set[str] = set()
    phrases: set[str] = set()
    texts: list[str] = []
    for code in group_codes:
        group = categories.get(code)
        if group is None:
            continue
        texts += [group.name_vi, group.name_en]
        texts += [name for child in group.children for name in (child.name_vi, child.name_en)]
    if group_codes:
        texts += db.session.scalars(sa.select(Product.name).where(
            Product.group_code.in_(group_codes), Product.status == ProductStatus.ACTIVE))
    for text in texts:
        found_words, found_phrases = _phrases(text)
        words |= found_words
        phrases |= found_phrases
    return GroupWords(frozenset(words), frozenset(phrases))


# --- Products often out of stock ---------------------------------------------------------------------


@dataclass(frozen=True)
class OutOfStockRow:
    product_id: int
    product_name: str
    producer_name: str
    #: How many times the warehouses' total fell to zero in the period.
    times_out: int
    #: Days (one decimal) the product had no unit for online buyers during the period.
    days_out: float
    #: True when it has none now.
    out_now: bool

    @property
    def days_out_label(self) -> str:
        """The days with one decimal, written the reader's way (4,5 in Vietnamese)."""
        return format_decimal(self.days_out, format="#,##0.0")


def _warehouse_levels(producer_id: int | None):
    statement = (sa.select(StockLevel.id, StockLevel.product_id)
                 .join(Location, Location.id == StockLevel.location_id)
                 .join(Product, Product.id == StockLevel.product_id)
                 .where(Location.kind == LocationKind.WAREHOUSE, Product.status == ProductStatus.ACTIVE))
    if producer_id is not None:
        statement = statement.where(Product.producer_id == producer_id)
    return statement


def out_of_stock(period: Period, *, producer_id: int | None = None, limit: int = ROW_LIMIT) -> list[OutOfStockRow]:
    """Active products that ran out in the period, most often (then longest) first.

    A product is out when the sum of its warehouse levels is zero (showroom stock is not sold online). The
    log of each level is replayed from its last movement before the period; a level with no movement
    before the period starts it at its first movement in it.
    """
    start, end = period.bounds
    stop = min(end, utcnow())
    levels = _warehouse_levels(producer_id).subquery()
    # Only the products that touched zero in the period, or have none now, are replayed.
    touched = set(db.session.scalars(
        sa.select(levels.c.product_id).distinct()
        .join(StockMovement, StockMovement.stock_level_id == levels.c.id)
        .where(StockMovement.created_at >= start, StockMovement.created_at < end, StockMovement.quantity_after == 0)))
    now_out = {product_id for product_id, total in db.session.execute(
        sa.select(levels.c.product_id, sa.func.sum(StockLevel.quantity))
        .join(StockLevel, StockLevel.id == levels.c.id).group_by(levels.c.product_id)) if not total}
    candidates = touched | now_out
    if not candidates:
        return []
    level_product = dict(db.session.execute(
        sa.select(levels.c.id, levels.c.product_id).where(levels.c.product_id.in_(candidates))).all())
    before = (sa.select(sa.func.max(StockMovement.id))
              .where(StockMovement.stock_level_id.in_(level_product), StockMovement.created_at < start)
              .group_by(StockMovement.stock_level_id))
    movements = db.session.execute(
        sa.select(StockMovement.stock_level_id, StockMovement.created_at, StockMovement.quantity_after)
        .where(StockMovement.stock_level_id.in_(level_product),
               sa.or_(sa.and_(StockMovement.created_at >= start, StockMovement.created_at < stop),
                      StockMovement.id.in_(before)))
        .order_by(StockMovement.created_at, StockMovement.id)
    ).all()
    by_product: dict[int, list] = defaultdict(list)
    for level_id, at, after in movements:
        by_product[level_product[level_id]].append((level_id, at, after))
    figures: dict[int, tuple[int, float]] = {}
    for product_id in candidates:
        quantities: dict[int, int] = {}
        times_out, seconds_out, out_since = 0, 0.0, None
        for level_id, at, after in by_product.get(product_id, []):
            was_out = bool(quantities) and sum(quantities.values()) == 0
            quantities[level_id] = after
            is_out = sum(quantities.values()) == 0
            moment = max(at, start)
            if is_out and not was_out:
                out_since = moment
                if at >= start:
                    times_out += 1
            elif was_out and not is_out and out_since is not None:
                seconds_out += (moment - out_since).total_seconds()
                out_since = None
        if out_since is not None:
            seconds_out += (stop - out_since).total_seconds()
        if times_out or seconds_out:
            figures[product_id] = (times_out, round(seconds_out / 86400, 1))
    if not figures:
        return []
    names = {row.id: row for row in db.session.execute(
        sa.select(Product.id, Product.name, Producer.name.label("producer_name"))
        .join(Producer, Producer.id == Product.producer_id).where(Product.id.in_(figures)))}
    rows = [OutOfStockRow(product_id, names[product_id].name, names[product_id].producer_name, times, days,
                          product_id in now_out)
            for product_id, (times, days) in figures.items()]
    rows.sort(key=lambda row: (-row.times_out, -row.days_out, row.product_name))
    return rows[:limit]


# --- Added to carts but not bought --------------------------------------------------------------------


@dataclass(frozen=True)
class CartRow:
    product_id: int
    product_name: str
    producer_name: str
    #: Times the product was put in a cart (signed-in buyers and guests).
    additions: int
    units: int
    #: Signed-in buyers who put it in a cart in the period.
    buyers: int
    #: Of those, the ones who ordered it afterwards (an order not cancelled).
    bought: int
    #: Additions by guests (whether they bought is not known).
    guest_additions: int

    @property
    def not_bought(self) -> int:
        return self.buyers - self.bought

    @property
    def not_bought_percent(self) -> int:
        return round(100 * self.not_bought / self.buyers) if self.buyers else 0


def carts_not_bought(period: Period, *, producer_id: int | None = None, limit: int = ROW_LIMIT) -> list[CartRow]:
    """Products put in carts in the period, the ones most often left unbought first."""
    start, end = period.bounds
    in_period = [CartAddition.created_at >= start, CartAddition.created_at < end]
    if producer_id is not None:
        in_period.append(CartAddition.producer_id == producer_id)
    totals = {row.product_id: row for row in db.session.execute(
        sa.select(CartAddition.product_id, sa.func.count().label("additions"),
                  sa.func.sum(CartAddition.quantity).label("units"),
                  sa.func.sum(sa.case((CartAddition.user_id.is_(None), 1), else_=0)).label("guests"))
        .where(*in_period).group_by(CartAddition.product_id))}
    if not totals:
        return []
    # Each signed-in buyer's first addition of each product, then whether an order of it followed.
    firsts = (sa.select(CartAddition.product_id, CartAddition.user_id,
                        sa.func.min(CartAddition.created_at).label("first_at"))
              .where(*in_period, CartAddition.user_id.is_not(None))
              .group_by(CartAddition.product_id, CartAddition.user_id).subquery())
    ordered = (sa.select(OrderLine.id)
               .join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
               .join(Order, Order.id == ProducerOrder.order_id)
               .where(OrderLine.product_id == firsts.c.product_id, Order.buyer_id == firsts.c.user_id,
                      Order.created_at >= firsts.c.first_at, ProducerOrder.status != OrderStatus.CANCELLED)
               .exists())
    buyers = {product_id: (int(count), int(bought or 0)) for product_id, count, bought in db.session.execute(
        sa.select(firsts.c.product_id, sa.func.count(), sa.func.sum(sa.case((ordered, 1), else_=0)))
        .group_by(firsts.c.product_id))}
    names = {row.id: row for row in db.session.execute(
        sa.select(Product.id, Product.name, Producer.name.label("producer_name"))
        .join(Producer, Producer.id == Product.producer_id).where(Product.id.in_(totals)))}
    rows = [CartRow(product_id, names[product_id].name, names[product_id].producer_name, int(row.additions),
                    int(row.units or 0), *buyers.get(product_id, (0, 0)), int(row.guests or 0))
            for product_id, row in totals.items() if product_id in names]
    rows.sort(key=lambda row: (-row.not_bought, -row.additions, row.product_name))
    return rows[:limit]


# --- Most-wanted items of the demand board -------------------------------------------------------------


#: Requests read before a producer's groups are picked out of them.
WANTED_SCAN = 1000


def most_wanted(period: Period, *, group_codes: list[str] | None = None, limit: int = ROW_LIMIT) -> list:
    """What buyers asked for most on the demand board since the period's first day (linkage.queries.most_wanted:
    folded title words, product group, number of requests, last posted); with `group_codes`, only those groups."""
    since, _end = period.bounds
    if group_codes is None:
        return linkage_queries.most_wanted(since, limit)
    wanted = set(group_codes)
    return [row for row in linkage_queries.most_wanted(since, WANTED_SCAN) if row.group_code in wanted][:limit]


def group_label(code: str | None, language: str) -> str:
    """'1.5 Chè' for a group code (the code alone when unknown)."""
    group = categories.get(code) if code else None
    return f"{group.code} {group.name(language)}" if group else (code or "")
