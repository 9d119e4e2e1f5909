"""The filter state of the catalogue page: parsing any query string into a clean CatalogFilters, and the SQL
conditions it stands for.

The whole state of the catalogue page lives in the query string. parse_filters() turns any query string
into a clean CatalogFilters (bad values are dropped, never an error); conditions() gives its SQL, always
inside the listing rule (catalog.listing.public_clause).
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from marketplace import geo
from marketplace.catalog import categories, search
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product
from marketplace.inputs import parse_int
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.producers.models import Producer
from marketplace.stock.services import online_in_stock_clause
from marketplace.text import MAX_QUERY_LENGTH, nfc

SORTS = ("relevance", "newest", "price_asc", "price_desc", "stars", "best_selling")
STAR_LEVELS = (3, 4, 5)
#: Prices above this are not real prices; a larger maximum means "no maximum".
MAX_PRICE_VND = 10**12
#: Page numbers past this are certainly past the last page.
MAX_PAGE = 10**9
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
    #: What the query stands for (catalog.search.understand): its words, synonyms and a province in it.
    terms: search.SearchTerms = field(default_factory=search.SearchTerms, compare=False)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The folded words of the query that must match."""
        return self.terms.tokens

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
        sort=sort if sort in SORTS else None, page=max(page, 1), terms=search.understand(q),
    )


def with_query(filters: CatalogFilters, q: str, whole: frozenset[str] = frozenset()) -> CatalogFilters:
    """The same filters with another query (a corrected reading of the typed one; `whole`: its words matched
    as whole words, catalog.search.understand)."""
    q = clean_query(q)
    return replace(filters, q=q, terms=search.understand(q, whole))


def is_plausible_slug(slug: str, max_length: int = 160) -> bool:
    """False for slugs no row can have (too long, control characters, which PostgreSQL refuses outright)."""
    return 0 < len(slug) <= max_length and slug.isprintable()


def group_clause(code: str):
    """Products of a group ("1.4") or of every group of a sector ("1")."""
    if "." in code:
        return Product.group_code == code
    sector = categories.get(code)
    return Product.group_code.in_([group.code for group in sector.children])


def conditions(filters: CatalogFilters, skip: str | None = None, *, with_search: bool = True) -> list:
    """SQL conditions for the filters inside the listing rule, leaving out the facet `skip` (the search is
    never a facet)."""
    conditions = [public_clause()]
    if filters.q and with_search:
        conditions.append(search.match_clause(filters.terms))
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


def select_products(*columns) -> sa.Select:
    """SELECT these columns from products joined to their producer (for filters on the producer)."""
    return sa.select(*columns).select_from(Product).join(Producer, Producer.id == Product.producer_id)
