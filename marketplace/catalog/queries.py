"""Read-only catalogue queries that return product cards: a catalogue page, the home page lists, related
products, search suggestions and a shop's page.

Which products (ids, in order) comes from one query, what a card shows from a second (see ProductCard).
Filters are in catalog.filtering, facet counts and their cache in catalog.facets.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlalchemy as sa

from marketplace import telex
from marketplace.catalog import search, spelling
from marketplace.catalog.facets import Facets, cached, facet_counts
from marketplace.catalog.filtering import CatalogFilters, conditions, select_products, with_query
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product, ProductImage
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.stock.services import online_quantity_column
from marketplace.text import search_tokens


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
    rows = db.session.execute(select_products(*_card_columns()).where(public_clause(), Product.id.in_(ids)))
    return {row[0]: ProductCard(*row) for row in rows}


def _in_order(found: dict[int, ProductCard], ids: list[int]) -> list[ProductCard]:
    return [found[product_id] for product_id in ids if product_id in found]


def cards(ids: list[int]) -> list[ProductCard]:
    """Cards of the public products among these ids, in the given order."""
    return _in_order(cards_by_id(ids), ids)


def public_ids() -> sa.Select:
    """SELECT of public product ids (producer joined, for filters on it); add conditions and an order."""
    return select_products(Product.id).where(public_clause())


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
    return not _finds_any(filters.terms)


def _finds_any(terms) -> bool:
    return bool(db.session.execute(sa.select(public_ids().where(search.match_clause(terms)).exists())).scalar())


#: A search matching more products than this is read in tiers, best-selling first (catalog.search.tiered),
#: instead of ranking every match: ranking costs in proportion to the matches (a middling query such as
#: "mat ong", 4 % of the catalogue, ranked 8,000 rows one by one at 200,000 products), a tier walk costs a
#: page. Below it the full ranking (ts_rank / bm25) is cheap and orders the few matches more finely.
BROAD_MATCHES = 1000

#: How many corrected readings of a query are tried at most (each is one indexed EXISTS query).
MAX_READINGS = 3


@dataclass(frozen=True)
class Reading:
    """Another reading of a query: its text, and those of its words matched as whole words, not prefixes."""

    text: str
    whole: frozenset[str] = frozenset()


def other_readings(q: str, *, last_word_complete: bool = True) -> list[Reading]:
    """What a query that found nothing may have meant, most likely first: its telex reading ("nuowcs mawms"
    -> "nước mắm"), then its words with typos corrected (catalog.spelling).

    In a corrected reading the corrected words, and the typed ones that are whole words of the search index,
    are matched whole: the reading names words, and a short word used as a prefix ("phu" in "nuoc mamm phu
    quoc" gathers every "phuong" of the addresses) cost the page 20 ms at 200,000 products where the whole
    words cost 2 ms. With last_word_complete=False (the search box, where the shopper may still be typing)
    a last word that was not corrected stays a prefix."""
    readings = []
    converted = telex.convert(q)
    if converted != q:
        readings.append(Reading(converted))
    for text in [converted] if converted != q else [q]:
        tokens = search_tokens(text)
        checked = [token for token in dict.fromkeys(tokens) if len(token) >= spelling.MIN_LENGTH]
        # A word that starts no indexed word needs no look at the products (catalog.spelling.starting_words).
        started = spelling.starting_words(checked)
        unknown = {token: spelling.candidates(token) for token in checked
                   if token not in started or not _finds_any([token])}
        unknown = {token: found for token, found in unknown.items() if found}
        if not unknown:
            continue
        typed_whole = spelling.known(token for token in tokens if token not in unknown)
        if not last_word_complete and tokens[-1] not in unknown:
            typed_whole.discard(tokens[-1])
        for attempt in range(MAX_READINGS):
            corrected = {token: found[min(attempt, len(found) - 1)] for token, found in unknown.items()}
            readings.append(Reading(" ".join(corrected.get(token, token) for token in tokens),
                                    frozenset(typed_whole | set(corrected.values()))))
    return list(dict.fromkeys(readings))[:MAX_READINGS + 1]


@dataclass
class CatalogPage:
    products: list[ProductCard]
    total: int
    page: int
    pages: int
    facets: Facets
    #: The reading of the query shown instead of the typed one, which found nothing ("Kết quả cho ...").
    corrected_query: str = ""


def catalog_page(filters: CatalogFilters, page_size: int) -> CatalogPage | None:
    """One page of the catalogue with its facets; None when the page number is past the last page.

    A search that finds nothing as typed is read again as telex and with its typos corrected; the first
    reading that finds products is shown, and named in corrected_query.
    """
    facets = facet_counts(filters)
    corrected = ""
    if filters.q and facets.total == 0 and filters.tokens:
        for reading in other_readings(filters.q):
            candidate = with_query(filters, reading.text, reading.whole)
            if candidate.terms and _finds_any(candidate.terms):
                candidate_facets = facet_counts(candidate)
                if candidate_facets.total:
                    filters, facets, corrected = candidate, candidate_facets, reading.text
                    break
    pages = max(1, -(-facets.total // page_size))
    if filters.page > pages:
        return None
    products = []
    if facets.total:
        offset = (filters.page - 1) * page_size
        if filters.effective_sort == "relevance" and facets.total > BROAD_MATCHES:
            statement = search.tiered(conditions(filters, with_search=False), filters.terms, limit=page_size,
                                      offset=offset)
        elif filters.effective_sort == "relevance":
            # The ranked search restricts to matches itself (SQLite joins the scores it sorts on).
            statement = search.ranked(select_products(Product.id).where(*conditions(filters, with_search=False)),
                                      filters.terms).limit(page_size).offset(offset)
        else:
            statement = (select_products(Product.id).where(*conditions(filters))
                         .order_by(*_ORDERS[filters.effective_sort]).limit(page_size).offset(offset))
        products = cards(_ids(statement))
    return CatalogPage(products=products, total=facets.total, page=filters.page, pages=pages, facets=facets,
                       corrected_query=corrected)


def home_cards(limit: int = 8) -> tuple[list[ProductCard], list[ProductCard]]:
    """The home page's featured products and newest 5-star products (newest first), in one card query.
    A product shows in one row only: the 5-star row leaves out the featured products.

    Which products they are is cached like the counts (until the catalogue changes); the cards are read live.
    """
    newest = (Product.created_at.desc(), Product.id.desc())
    featured = cached(f"featured:{limit}", CatalogFilters(), lambda: _ids(
        public_ids().where(Product.is_featured.is_(True)).order_by(*newest).limit(limit)))
    five_star = cached(f"five_star_not_featured:{limit}", CatalogFilters(), lambda: _ids(
        public_ids().where(Product.star_level == 5, Product.is_featured.is_(False)).order_by(*newest).limit(limit)))
    found = cards_by_id(featured + five_star)
    return _in_order(found, featured), _in_order(found, five_star)


def related_products(product: Product, limit: int = 8) -> list[ProductCard]:
    """Other public products of the same group, best rated and best selling first: their cards in one query
    (the group's index gives them in order, so the card columns are read for these few rows only)."""
    rows = db.session.execute(
        select_products(*_card_columns())
        .where(public_clause(), Product.group_code == product.group_code, Product.id != product.id)
        .order_by(Product.star_level.desc(), Product.sold_quantity.desc(), Product.id.desc()).limit(limit))
    return [ProductCard(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the search box shows of a product: its name, link and price and province line."""

    name: str
    slug: str
    price_vnd: int
    province_code: int


_SUGGESTION_COLUMNS = (Product.name, Product.slug, Product.price_vnd, Producer.province_code)


@lru_cache(maxsize=1024)
def _suggestion_statement(terms: search.SearchTerms, limit: int, today: date, postgres: bool) -> sa.Select:
    """The statement for these terms, built once: building it costs more than running it (its SQL
    still runs on every request, so what it finds is always fresh). `today` is part of the listing rule,
    `postgres` of the search SQL."""
    return search.tiered_rows([public_clause(today)], terms, _SUGGESTION_COLUMNS, limit=limit)


def _suggested(terms: search.SearchTerms, limit: int) -> list[Suggestion]:
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return [Suggestion(*row) for row in db.session.execute(_suggestion_statement(terms, limit, today_vn(), postgres))]


def suggestions(q: str, limit: int = 8) -> list[Suggestion]:
    """The best matches for a partly typed query, for the search box: the same reading as the catalogue's
    search (synonyms, a province), and its telex or corrected reading when it finds nothing as typed.

    One SQL statement reads them from the search index: the matches in tiers (the province asked for, then
    names holding the words), best-selling first, each tier stopping after `limit` rows
    (catalog.search.tiered_rows), and with them the four columns the box shows, so there is no second
    query for cards. A two-letter start matches most of the catalogue, and costs what a narrow query does.
    The listing rule is part of the statement: a product published or hidden shows or goes on the next
    request. Only a query that finds nothing as typed costs more (its other readings are tried)."""
    terms = search.understand(q)
    if not terms:
        return []
    found = _suggested(terms, limit)
    if not found:
        for reading in other_readings(q, last_word_complete=False):
            found = _suggested(search.understand(reading.text, reading.whole), limit)
            if found:
                break
    return found


def shop_product_ids(producer: Producer) -> sa.Select:
    """SELECT of a producer's public product ids, newest first (the shop page shows it a page at a time)."""
    return public_ids().where(Product.producer_id == producer.id).order_by(Product.created_at.desc(),
                                                                           Product.id.desc())
