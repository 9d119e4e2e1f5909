"""Which producers can supply a demand request, ranked.

Candidates are verified producers with public products (catalog.listing) either in the request's product
group (Decision 148, catalog.categories) or matching at least one word of what is wanted, found with the
catalogue's own Vietnamese search (catalog.search.match_clause: accent-folded word prefixes, the same FTS5
or tsvector index as the search page). Each candidate is described by the few facts the ranking rule
reads (Candidate), and rank_candidates orders them.
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.catalog import categories
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product
from marketplace.catalog.search import match_clause
from marketplace.extensions import db
from marketplace.linkage.neighbours import distance_tier
from marketplace.producers.models import Producer
from marketplace.stock.models import Location, LocationKind, StockLevel
from marketplace.text import search_tokens

#: How many producers a request lists (and tells).
MAX_MATCHES = 20
#: Words of a request that say how or how much, not what: they would match nearly any product.
STOP_WORDS = frozenset({
    "can", "mua", "ban", "cung", "cap", "so", "luong", "lon", "nho", "loai", "hang", "san", "pham", "va",
    "cho", "the", "tai", "giao", "kg", "g", "gam", "lit", "l", "ml", "chai", "hop", "goi", "tui", "thung",
    "bao", "hu", "lo", "cai", "chiec", "bo", "moi", "thang", "tuan", "ngay", "gia", "si",
})


@dataclass(frozen=True)
class Candidate:
    """What the ranking rule knows of one producer for one request."""

    producer_id: int
    #: 2 a public product in the request's group, 1 only in its sector, 0 neither (matched by words).
    group_match: int
    #: The most request words one of its products matched, of words_total.
    words_matched: int
    words_total: int
    #: Warehouse units of its matching products.
    stock_quantity: int
    #: The highest star level among its matching products.
    star_level: int
    #: 0 in the delivery province, 1 in a neighbouring province, 2 farther (linkage.neighbours).
    distance_tier: int


def rank_candidates(candidates: list[Candidate], *, quantity_wanted: int) -> list[Candidate]:
    """Order the producers able to supply a request, best first. The rule, criterion by criterion (a later
    one only decides between producers equal on all earlier ones):

    1. product-group match: a product in the request's Decision 148 group, then one in the same sector,
       then products found by words only;
    2. relevance: more of the request's words matched by one of its products (the catalogue's search);
    3. stock: producers whose warehouse holds the quantity wanted before those that hold less;
    4. star level: the best OCOP star level among its matching products, higher first;
    5. distance: a producer in the delivery province, then in a neighbouring province, then farther;
    6. then more units in stock, then the lower producer id (so the order never depends on chance).
    """
    def key(candidate: Candidate):
        return (-candidate.group_match, -candidate.words_matched,
                0 if candidate.stock_quantity >= quantity_wanted else 1, -candidate.star_level,
                candidate.distance_tier, -candidate.stock_quantity, candidate.producer_id)

    return sorted(candidates, key=key)


def request_words(text: str) -> list[str]:
    """The folded words of what is wanted that say what (STOP_WORDS and bare numbers left out)."""
    return [token for token in search_tokens(text) if token not in STOP_WORDS and not token.isdigit()]


def find_candidates(*, title: str, group_code: str, delivery_province_code: int,
                    exclude_producer_id: int | None = None) -> list[Candidate]:
    """Every producer with a public product in the group or matching a word of `title`, described."""
    words = request_words(title)
    sector = categories.sector_of(group_code)
    base = sa.select(Product.id, Product.producer_id, Product.group_code, Product.star_level).join(
        Producer, Producer.id == Product.producer_id).where(public_clause())
    if exclude_producer_id is not None:
        base = base.where(Product.producer_id != exclude_producer_id)
    products: dict[int, tuple[int, str, int]] = {}
    word_hits: dict[int, int] = defaultdict(int)
    for product_id, producer_id, product_group, stars in db.session.execute(base.where(Product.group_code == group_code)):
        products[product_id] = (producer_id, product_group, stars)
    # One query per word (at most 8): the search's bound parameters are one per statement.
    for word in words:
        for product_id, producer_id, product_group, stars in db.session.execute(base.where(match_clause([word]))):
            products[product_id] = (producer_id, product_group, stars)
            word_hits[product_id] += 1
    if not products:
        return []
    stock_by_product = dict(db.session.execute(
        sa.select(StockLevel.product_id, sa.func.sum(StockLevel.quantity))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id.in_(list(products)), Location.kind == LocationKind.WAREHOUSE)
        .group_by(StockLevel.product_id)).all())
    provinces = dict(db.session.execute(sa.select(Producer.id, Producer.province_code).where(
        Producer.id.in_({producer_id for producer_id, _group, _stars in products.values()}))).all())
    facts: dict[int, dict] = {}
    for product_id, (producer_id, product_group, stars) in products.items():
        group_match = 2 if product_group == group_code else 1 if categories.sector_of(product_group) == sector else 0
        entry = facts.setdefault(producer_id, {"group": 0, "words": 0, "stock": 0, "stars": 0})
        entry["group"] = max(entry["group"], group_match)
        entry["words"] = max(entry["words"], word_hits.get(product_id, 0))
        entry["stock"] += int(stock_by_product.get(product_id) or 0)
        entry["stars"] = max(entry["stars"], stars or 0)
    return [Candidate(producer_id=producer_id, group_match=entry["group"], words_matched=entry["words"],
                      words_total=len(words), stock_quantity=entry["stock"], star_level=entry["stars"],
                      distance_tier=distance_tier(delivery_province_code, provinces.get(producer_id)))
            for producer_id, entry in facts.items()]


def ranked_producers(*, title: str, group_code: str, delivery_province_code: int, quantity_wanted: int,
                     exclude_producer_id: int | None = None, limit: int = MAX_MATCHES) -> list[Candidate]:
    """The best `limit` producers for a request, ranked by rank_candidates."""
    candidates = find_candidates(title=title, group_code=group_code, delivery_province_code=delivery_province_code,
                                 exclude_producer_id=exclude_producer_id)
    return rank_candidates(candidates, quantity_wanted=quantity_wanted)[:limit]
