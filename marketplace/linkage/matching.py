"""Which producers can supply a demand request, ranked.

Candidates are verified producers with public products (catalog.listing) either in the request's product
group (Decision 148, catalog.categories) or matching what is wanted, found with the catalogue's own
Vietnamese search (catalog.search.match_clause: accent-folded word prefixes, the same FTS5 or tsvector
index as the search page): one word of the request's title, or two words of its free-text details (one
word of a longer text is too often a coincidence). Every word matched, of the title or of the details,
counts for relevance. Each candidate is described by the few facts the ranking rule reads (Candidate),
and rank_candidates orders them.
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
from marketplace.text import folded_words, search_tokens

#: How many producers a request lists (and tells).
MAX_MATCHES = 20
#: How much of the details is read for words (characters).
MAX_DETAILS_READ = 2000
#: How many words of the details are searched besides the title's (one query each).
MAX_DETAIL_WORDS = 6
#: How many words of the details a product outside the request's group must match to be listed.
DETAIL_WORDS_TO_LIST = 2
#: Words of a request that say how or how much, not what: they would match nearly any product.
STOP_WORDS = frozenset({
    "can", "mua", "ban", "cung", "cap", "so", "luong", "lon", "nho", "loai", "hang", "san", "pham", "va",
    "cho", "the", "tai", "giao", "kg", "g", "gam", "lit", "l", "ml", "chai", "hop", "goi", "tui", "thung",
    "bao", "hu", "lo", "cai", "chiec", "bo", "moi", "thang", "tuan", "ngay", "gia", "si",
    # Words of a sentence that say nothing of the goods (the details are free text); words that may also
    # name goods once folded (cam: orange, nhan: longan, long, kem, de: goat, da: leather, do: degree) are kept.
    "tro", "len", "tren", "duoi", "toi", "thieu", "co", "khong", "nhu", "yeu", "cau", "theo", "cua", "la", "mot",
    "cac", "nhung", "duoc", "voi", "tu", "den", "trong", "ngoai", "it", "nhat", "neu", "hoac", "lai", "nay", "ve",
    "phai", "lien", "he", "xin", "on", "chung", "em", "anh", "minh", "a", "nhe", "vui", "hon", "rat", "nhieu",
    "them", "truoc", "sau", "khi",
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
    2. relevance: more of the request's words (title and details) matched by one of its products (the
       catalogue's search);
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


def detail_words(details: str, title_words: list[str]) -> list[str]:
    """The first MAX_DETAIL_WORDS words of the details that say what and are not already in the title."""
    words: list[str] = []
    for token in folded_words(details[:MAX_DETAILS_READ]).split():
        token = token[:40]
        if token in STOP_WORDS or token.isdigit():
            continue
        if token not in title_words and token not in words:
            words.append(token)
    return words[:MAX_DETAIL_WORDS]


def find_candidates(*, title: str, group_code: str, delivery_province_code: int, details: str = "",
                    exclude_producer_id: int | None = None) -> list[Candidate]:
    """Every producer with a public product in the group, matching a word of `title` or DETAIL_WORDS_TO_LIST
    words of `details`, described."""
    title_words = request_words(title)
    extra_words = detail_words(details, title_words)
    words = title_words + extra_words
    sector = categories.sector_of(group_code)
    base = sa.select(Product.id, Product.producer_id, Product.group_code, Product.star_level).join(
        Producer, Producer.id == Product.producer_id).where(public_clause())
    if exclude_producer_id is not None:
        base = base.where(Product.producer_id != exclude_producer_id)
    products: dict[int, tuple[int, str, int]] = {}
    word_hits: dict[int, int] = defaultdict(int)
    detail_hits: dict[int, int] = defaultdict(int)
    found: dict[int, tuple[int, str, int]] = {}
    for product_id, producer_id, product_group, stars in db.session.execute(base.where(Product.group_code == group_code)):
        products[product_id] = (producer_id, product_group, stars)
    # One query per word (at most 8 of the title and MAX_DETAIL_WORDS of the details): the search's bound
    # parameters are one per statement.
    for word in words:
        for product_id, producer_id, product_group, stars in db.session.execute(base.where(match_clause([word]))):
            found[product_id] = (producer_id, product_group, stars)
            word_hits[product_id] += 1
            if word in extra_words:
                detail_hits[product_id] += 1
    for product_id, facts in found.items():
        title_hits = word_hits[product_id] - detail_hits[product_id]
        if title_hits or detail_hits[product_id] >= DETAIL_WORDS_TO_LIST:
            products[product_id] = facts
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
                     details: str = "", exclude_producer_id: int | None = None,
                     limit: int = MAX_MATCHES) -> list[Candidate]:
    """The best `limit` producers for a request (its title and free-text details), ranked by rank_candidates."""
    candidates = find_candidates(title=title, group_code=group_code, delivery_province_code=delivery_province_code,
                                 details=details, exclude_producer_id=exclude_producer_id)
    return rank_candidates(candidates, quantity_wanted=quantity_wanted)[:limit]
