"""Read-only catalogue queries: the filter state of /products, its facets, and the home page lists.

The whole state of the catalogue page lives in the query string. parse_filters() turns any query string
into a clean CatalogFilters (bad values are dropped, never an error). Facet counts follow the usual rule:
each facet is counted with every other filter applied but not its own, one GROUP BY per facet, always
inside the listing rule (catalog.listing.public_clause).
"""

import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from flask import current_app

from marketplace import geo
from marketplace.catalog import categories, search
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product, ProductImage
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.producers.models import Producer
from marketplace.stock.services import online_in_stock_clause, online_quantity_column
from marketplace.text import MAX_QUERY_LENGTH, nfc, search_tokens

SORTS = ("relevance", "newest", "price_asc", "price_desc", "stars", "best_selling")
STAR_LEVELS = (3, 4, 5)
#: Prices above this are not real prices; a larger maximum means "no maximum".
MAX_PRICE_VND = 10**12
#: Page numbers past this are certainly past the last page.
MAX_PAGE = 10**9
#: The price-range facet: (lowest, highest) in đồng, both inclusive; None means open.
PRICE_RANGES: tuple[tuple[int | None, int | None], ...] = (
    (None, 99_999), (100_000, 199_999), (200_000, 499_999), (500_000, 999_999), (1_000_000, None),
)


@dataclass(frozen=True)
class CatalogFilters:
    """The clean state of the catalogue page."""

    q: str = ""
    stars: int | None = None
    #: A group code ("1.4") or a sector code ("1").
    group: str | None = None
    province: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    #: The sort asked for, if valid; see effective_sort.
    sort: str | None = None
    page: int = 1
    tokens: tuple[str, ...] = field(default=(), compare=False)

    @property
    def effective_sort(self) -> str:
        """Relevance is the default with a search and only makes sense with one; otherwise newest."""
        if self.sort and (self.sort != "relevance" or self.q):
            return self.sort
        return "relevance" if self.q else "newest"

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.stars or self.group or self.province or self.min_price is not None
                    or self.max_price is not None or self.in_stock)

    def args(self, **changes) -> dict:
        """Query-string arguments for url_for, without defaults; a change of filter goes back to page 1."""
        state = {"q": self.q, "stars": self.stars, "group": self.group, "province": self.province,
                 "min_price": self.min_price, "max_price": self.max_price, "in_stock": self.in_stock,
                 "sort": self.sort, "page": 1}
        state.update(changes)
        state["q"] = state["q"] or None
        state["in_stock"] = 1 if state["in_stock"] else None
        if state["page"] is not None and state["page"] <= 1:
            state["page"] = None
        return {key: value for key, value in state.items() if value is not None}


def _int_or_none(value: str | None, *, max_digits: int = 12) -> int | None:
    return parse_int(value, minimum=0, maximum=10**max_digits - 1)


def _price(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text or len(text) > 30 or not text.isascii():
        return None
    try:
        return parse_vnd(text)
    except InvalidAmount:
        return None


def clean_query(value: str | None) -> str:
    """The typed query in NFC, without control characters (PostgreSQL refuses NUL), at most 200 characters."""
    text = "".join(ch for ch in (value or "")[:MAX_QUERY_LENGTH * 4] if unicodedata.category(ch) not in ("Cc", "Cs"))
    return nfc(text)[:MAX_QUERY_LENGTH]


def parse_filters(args: Mapping[str, str]) -> CatalogFilters:
    """Read the catalogue state from a query string, silently dropping anything invalid."""
    q = clean_query(args.get("q", ""))
    stars = _int_or_none(args.get("stars"), max_digits=1)
    group = (args.get("group") or "").strip()
    if not (categories.is_group(group) or (group in {sector.code for sector in categories.SECTORS})):
        group = None
    province = _int_or_none(args.get("province"), max_digits=3)
    if province is not None and geo.province(province) is None:
        province = None
    min_price, max_price = _price(args.get("min_price")), _price(args.get("max_price"))
    if min_price is not None and min_price > MAX_PRICE_VND:
        min_price = MAX_PRICE_VND
    if max_price is not None and max_price > MAX_PRICE_VND:
        max_price = None
    if min_price is not None and max_price is not None and min_price > max_price:
        # An impossible range is a typing slip: show everything rather than a puzzling empty page.
        min_price = max_price = None
    sort = args.get("sort")
    raw_page = (args.get("page") or "").strip()
    if raw_page.isascii() and raw_page.isdigit():
        page = min(int(raw_page[:10]), MAX_PAGE) if len(raw_page) <= 10 else MAX_PAGE
    else:
        page = 1
    return CatalogFilters(
        q=q, stars=stars if stars in STAR_LEVELS else None, group=group, province=province,
        min_price=min_price, max_price=max_price, in_stock=args.get("in_stock") == "1",
        sort=sort if sort in SORTS else None, page=max(page, 1), tokens=tuple(search_tokens(q)),
    )


def is_plausible_slug(slug: str, max_length: int = 160) -> bool:
    """False for slugs no row can have (too long, control characters, which PostgreSQL refuses outright)."""
    return 0 < len(slug) <= max_length and slug.isprintable()


def group_clause(code: str):
    """Products of a group ("1.4") or of every group of a sector ("1")."""
    if "." in code:
        return Product.group_code == code
    sector = categories.get(code)
    return Product.group_code.in_([group.code for group in sector.children])


def _conditions(filters: CatalogFilters, skip: str | None = None, *, with_search: bool = True) -> list:
    """SQL conditions for the filters, leaving out the facet `skip` (the search is never a facet)."""
    conditions = [public_clause()]
    if filters.q and with_search:
        conditions.append(search.match_clause(list(filters.tokens)))
    if filters.stars and skip != "stars":
        conditions.append(Product.star_level >= filters.stars)
    if filters.group and skip != "group":
        conditions.append(group_clause(filters.group))
    if filters.province and skip != "province":
        conditions.append(Producer.province_code == filters.province)
    if skip != "price":
        if filters.min_price is not None:
            conditions.append(Product.price_vnd >= filters.min_price)
        if filters.max_price is not None:
            conditions.append(Product.price_vnd <= filters.max_price)
    if filters.in_stock and skip != "in_stock":
        conditions.append(online_in_stock_clause(Product.id))
    return conditions


def _counted(*columns) -> sa.Select:
    return sa.select(*columns).select_from(Product).join(Producer, Producer.id == Product.producer_id)


@dataclass
class Facets:
    """Counts for each facet, every one computed with the other filters applied."""

    stars: dict[int, int]
    groups: dict[str, int]
    provinces: dict[int, int]
    prices: list[tuple[int | None, int | None, int]]
    in_stock: int
    total: int

    @property
    def sectors(self) -> dict[str, int]:
        """Counts per sector, summed from the group counts."""
        totals: dict[str, int] = {}
        for code, count in self.groups.items():
            sector = categories.sector_of(code)
            totals[sector] = totals.get(sector, 0) + count
        return totals


def count_by_stars(filters: CatalogFilters) -> dict[int, int]:
    """Products at or above each star level (3+, 4+, 5), other filters applied."""
    rows = db.session.execute(
        _counted(Product.star_level, sa.func.count()).where(*_conditions(filters, "stars")).group_by(Product.star_level)
    ).all()
    exact = {int(level): count for level, count in rows if level}
    return {level: sum(count for star, count in exact.items() if star >= level) for level in STAR_LEVELS}


def count_by_group(filters: CatalogFilters) -> dict[str, int]:
    """Products per group code, other filters applied."""
    rows = db.session.execute(
        _counted(Product.group_code, sa.func.count()).where(*_conditions(filters, "group")).group_by(Product.group_code)
    ).all()
    return {code: count for code, count in rows}


def count_by_province(filters: CatalogFilters) -> dict[int, int]:
    """Products per producer province code, other filters applied."""
    rows = db.session.execute(
        _counted(Producer.province_code, sa.func.count())
        .where(*_conditions(filters, "province")).group_by(Producer.province_code)
    ).all()
    return {int(code): count for code, count in rows}


def count_by_price(filters: CatalogFilters) -> list[tuple[int | None, int | None, int]]:
    """(lowest, highest, count) for each price range, in one query."""
    sums = []
    for low, high in PRICE_RANGES:
        bounds = [Product.price_vnd >= low] if low is not None else []
        bounds += [Product.price_vnd <= high] if high is not None else []
        sums.append(sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*bounds), 1), else_=0)), 0))
    row = db.session.execute(_counted(*sums).where(*_conditions(filters, "price"))).one()
    return [(low, high, int(count)) for (low, high), count in zip(PRICE_RANGES, row, strict=True)]


def count_in_stock(filters: CatalogFilters) -> int:
    """Products with units in a producer's warehouse, other filters applied."""
    return db.session.execute(
        _counted(sa.func.count()).where(*_conditions(filters, "in_stock"), online_in_stock_clause(Product.id))
    ).scalar_one()


class CountCache:
    """Recent counts (and the home page's id lists) per filter state, shared by the requests of one process.

    Facet counts scan the whole public catalogue (one GROUP BY per facet), while the 24 products of a
    page are one indexed query; reusing counts for CATALOG_FACET_CACHE_SECONDS keeps a busy catalogue
    page close to the cost of a bare product list. Products shown are always read live (and checked
    against the listing rule); only counts and the choice of home-page products can lag behind by that
    many seconds. The key includes today's date, so expiry at midnight is respected.
    """

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key, compute, ttl_seconds: float):
        """The cached value for key if younger than ttl_seconds, else compute() (stored for next time)."""
        if ttl_seconds <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry and now - entry[0] < ttl_seconds:
                self._entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _cached(name: str, filters: CatalogFilters, compute):
    cache = current_app.extensions.setdefault("catalog_count_cache", CountCache())
    key = (name, today_vn(), replace(filters, page=1, sort=None))
    return cache.get_or_compute(key, compute, current_app.config.get("CATALOG_FACET_CACHE_SECONDS", 0))


def facet_counts(filters: CatalogFilters) -> Facets:
    """Every facet of the catalogue page; the total falls out of the star counts (no extra query)."""

    def compute() -> Facets:
        stars = count_by_stars(filters)
        return Facets(
            stars=stars, groups=count_by_group(filters), provinces=count_by_province(filters),
            prices=count_by_price(filters), in_stock=count_in_stock(filters),
            total=stars[filters.stars or STAR_LEVELS[0]],
        )

    return _cached("facets", filters, compute)


def browse_counts() -> tuple[dict[str, int], dict[int, int]]:
    """Public products per group and per province, for the home page."""
    everything = CatalogFilters()
    return _cached("browse", everything, lambda: (count_by_group(everything), count_by_province(everything)))


@dataclass(frozen=True, slots=True)
class ProductCard:
    """What a product card shows: one plain row per product, no ORM objects.

    Cards are read in two lean queries (the ids of a page in order, then their cards with the main picture
    and the stock as subqueries), because loading 24 products, their producers, their pictures and their
    stock as ORM objects in four round trips cost more than the search that chose them.
    """

    id: int
    slug: str
    name: str
    price_vnd: int
    unit: str
    star_level: int
    producer_name: str
    producer_slug: str
    province_code: int
    #: The main picture's thumbnail and alt text, None when the product has no picture.
    thumb_key: str | None
    image_alt: str | None
    #: Units available to online buyers (the producer's warehouse).
    available: int

    @property
    def in_stock(self) -> bool:
        return self.available > 0


def _main_image(column):
    return (sa.select(column).where(ProductImage.product_id == Product.id)
            .order_by(ProductImage.position, ProductImage.id).limit(1).scalar_subquery())


def _card_columns() -> tuple:
    return (Product.id, Product.slug, Product.name, Product.price_vnd, Product.unit, Product.star_level,
            Producer.name, Producer.slug, Producer.province_code, _main_image(ProductImage.thumb_key),
            _main_image(ProductImage.alt), online_quantity_column(Product.id))


def cards_by_id(ids) -> dict[int, ProductCard]:
    """Cards of the public products among these ids (a product that stopped being public drops out)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    rows = db.session.execute(_counted(*_card_columns()).where(public_clause(), Product.id.in_(ids)))
    return {row[0]: ProductCard(*row) for row in rows}


def _in_order(found: dict[int, ProductCard], ids: list[int]) -> list[ProductCard]:
    return [found[product_id] for product_id in ids if product_id in found]


def cards(ids: list[int]) -> list[ProductCard]:
    """Cards of the public products among these ids, in the given order."""
    return _in_order(cards_by_id(ids), ids)


def public_ids() -> sa.Select:
    """SELECT of public product ids (producer joined, for filters on it); add conditions and an order."""
    return _counted(Product.id).where(public_clause())


def _ids(statement: sa.Select) -> list[int]:
    return list(db.session.scalars(statement))


_ORDERS = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "price_asc": (Product.price_vnd.asc(), Product.id.asc()),
    "price_desc": (Product.price_vnd.desc(), Product.id.desc()),
    "stars": (Product.star_level.desc(), Product.created_at.desc(), Product.id.desc()),
    "best_selling": (Product.sold_quantity.desc(), Product.created_at.desc(), Product.id.desc()),
}


def search_alone_finds_nothing(filters: CatalogFilters) -> bool:
    """True when the words of the search match no public product even without the other filters.

    A search that comes back empty only because of a star, price or province filter says nothing about
    what buyers want that nobody supplies, so only this kind is recorded as a demand signal.
    """
    if not filters.tokens:
        return True
    return not db.session.execute(
        sa.select(public_ids().where(search.match_clause(list(filters.tokens))).exists())).scalar()


@dataclass
class CatalogPage:
    products: list[ProductCard]
    total: int
    page: int
    pages: int
    facets: Facets


def catalog_page(filters: CatalogFilters, page_size: int) -> CatalogPage | None:
    """One page of the catalogue with its facets; None when the page number is past the last page."""
    facets = facet_counts(filters)
    pages = max(1, -(-facets.total // page_size))
    if filters.page > pages:
        return None
    products = []
    if facets.total:
        statement = _counted(Product.id)
        if filters.effective_sort == "relevance":
            # The ranked search restricts to matches itself (SQLite joins the scores it sorts on).
            statement = search.ranked(statement.where(*_conditions(filters, with_search=False)), list(filters.tokens))
        else:
            statement = statement.where(*_conditions(filters)).order_by(*_ORDERS[filters.effective_sort])
        products = cards(_ids(statement.limit(page_size).offset((filters.page - 1) * page_size)))
    return CatalogPage(products=products, total=facets.total, page=filters.page, pages=pages, facets=facets)


def home_cards(limit: int = 8) -> tuple[list[ProductCard], list[ProductCard]]:
    """The home page's featured products and newest 5-star products (newest first), in one card query.

    Which products they are is cached like the counts; the cards themselves are read live.
    """
    newest = (Product.created_at.desc(), Product.id.desc())
    featured = _cached(f"featured:{limit}", CatalogFilters(), lambda: _ids(
        public_ids().where(Product.is_featured.is_(True)).order_by(*newest).limit(limit)))
    five_star = _cached(f"five_star:{limit}", CatalogFilters(), lambda: _ids(
        public_ids().where(Product.star_level == 5).order_by(*newest).limit(limit)))
    found = cards_by_id(featured + five_star)
    return _in_order(found, featured), _in_order(found, five_star)


def related_products(product: Product, limit: int = 8) -> list[ProductCard]:
    """Other public products of the same group, best rated and best selling first."""
    return cards(_ids(
        public_ids().where(Product.group_code == product.group_code, Product.id != product.id)
        .order_by(Product.star_level.desc(), Product.sold_quantity.desc(), Product.id.desc()).limit(limit)))


def suggestions(q: str, limit: int = 8) -> list[ProductCard]:
    """The best matches for a partly typed query, for the search box."""
    tokens = search_tokens(q)
    if not tokens:
        return []
    return cards(_ids(search.ranked(public_ids(), tokens).limit(limit)))


def shop_product_ids(producer: Producer) -> sa.Select:
    """SELECT of a producer's public product ids, newest first (the shop page shows it a page at a time)."""
    return public_ids().where(Product.producer_id == producer.id).order_by(Product.created_at.desc(),
                                                                           Product.id.desc())
