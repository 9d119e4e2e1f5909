"""Accent- and case-insensitive Vietnamese product search that reads how shoppers type.

Both databases search the same accent-folded columns (Product.search_name, Product.search_body, filled by
catalog.services.index_product), so "nuoc mam", "NƯỚC MẮM" and a decomposed (NFD) "Nước mắm" find the
same rows. The query is folded by marketplace.text.search_tokens into [a-z0-9] words, each used as a
word prefix ("bat tr" finds "Bát Tràng"), and every word must match. On top of that, understand() reads:

- regional synonyms (catalog.synonyms): a typed word also accepts a product whose *name* holds another
  word of its set ("che xanh" finds "Trà xanh"), and such a product ranks as if the shopper had typed
  its own word (the name test of the ranking accepts either);
- a province in the query, new or old ("mat ong tuyen quang", "nuoc mam kien giang"): its words stop
  being required and the products of that province (or of that old province) come first, then those named
  after it (products.province_code / old_province_code, the producer's, copied by migration 0036). A query that is only a province name is searched as words (the index holds the province and
  old province names);
- a product group in the query (GROUP_WORDS: "tra", "ca phe", "nuoc mam"...): its words stay required and
  the products of that group come next after the province's.

Typos and telex are read by catalog.queries when a query finds nothing as typed (catalog.spelling,
marketplace.telex).

- SQLite: the FTS5 table products_fts (rowid = products.id), queried with MATCH '"tok1"* "tok2"*';
  a synonym adds `("tok"* OR search_name : "other")`. Quoting each token neutralises the FTS syntax.
- PostgreSQL: products.search_tsv @@ to_tsquery('simple', 'tok1:* & tok2:*'); a synonym adds
  `(tok:* | other:A)` (weight A is the name). search_tsv is a stored generated column (name weighted A,
  body D; migration 0007, not mapped on the model) with the GIN index ix_products_search_tsv.

Ranking: the asked-for province first (its products, then those named after it), then the asked-for group, then products whose name holds every word
(or its synonym), then bm25 (name weighted 10, body 1) on SQLite or ts_rank of the weighted vector on
PostgreSQL, then the newest. Searches matching many products are read in tiers instead (tiered()).
"""

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.sql.util import ClauseAdapter

from marketplace import geo, old_provinces
from marketplace.catalog import synonyms
from marketplace.catalog.models import Product, ZeroResultSearch
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.text import MAX_QUERY_LENGTH, folded_words, nfc, search_tokens

#: bm25 column weights for products_fts(search_name, search_body).
NAME_WEIGHT = 10.0
BODY_WEIGHT = 1.0

_fts = sa.table("products_fts", sa.column("rowid", sa.Integer))
_fts_table = sa.literal_column("products_fts")


@dataclass(frozen=True)
class Term:
    """One thing the shopper asked for: the typed words (each a prefix), or a synonym in a product's name."""

    typed: tuple[str, ...]
    #: Whole words of the same synonym set, looked for in product names.
    others: tuple[tuple[str, ...], ...] = ()
    #: The typed words are whole indexed words, not prefixes (a corrected reading, catalog.queries).
    whole: bool = False


@dataclass(frozen=True)
class PlaceWords:
    """A province named in the query: a new one (province_code) or an old one (old_province_code)."""

    words: tuple[str, ...]
    province_code: int | None = None
    old_province_code: int | None = None


@dataclass(frozen=True)
class GroupWords:
    """Words of the query that name an OCOP product group ("tra", "ca phe", "nuoc mam")."""

    words: tuple[str, ...]
    group_code: str


@dataclass(frozen=True)
class SearchTerms:
    terms: tuple[Term, ...] = ()
    place: PlaceWords | None = None
    group: GroupWords | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        """The typed words that must match (a province read as a place is not among them)."""
        return tuple(token for term in self.terms for token in term.typed)

    def __bool__(self) -> bool:
        return bool(self.terms)


def _terms(tokens: list[str], query: str | None, whole: frozenset[str] = frozenset()) -> tuple[Term, ...]:
    runs = {start: (end, others) for start, end, others in synonyms.alternatives(tokens, query)}
    terms, position = [], 0
    while position < len(tokens):
        end, others = runs.get(position, (position + 1, ()))
        typed = tuple(tokens[position:end])
        terms.append(Term(typed, tuple(others), whole=bool(whole) and all(token in whole for token in typed)))
        position = end
    return tuple(terms)


def _place_names() -> dict[tuple[str, ...], PlaceWords]:
    names: dict[tuple[str, ...], PlaceWords] = {}
    for old in old_provinces.all_old():
        words = tuple(folded_words(old.name).split())
        names[words] = PlaceWords(words, old_province_code=old.code)
    for place in geo.provinces():
        # A new province's name wins over the old one it kept (An Giang, Hà Nội...).
        words = tuple(folded_words(place.short_name).split())
        names[words] = PlaceWords(words, province_code=place.code)
    return names


_PLACES: dict[tuple[str, ...], PlaceWords] = {}


def read_place(tokens: list[str]) -> tuple[list[str], PlaceWords | None]:
    """The tokens without the last province name they hold, and that province (None when there is none,
    or when the province is the whole query)."""
    if not _PLACES:
        _PLACES.update(_place_names())
    for size in (4, 3, 2):
        for start in range(len(tokens) - size, -1, -1):
            run = tuple(tokens[start:start + size])
            if run in _PLACES and len(tokens) > size:
                return tokens[:start] + tokens[start + size:], _PLACES[run]
    return tokens, None


#: Folded words that name an OCOP product group (catalog.categories, Decision 148/QĐ-TTg), as shoppers say
#: them: the group's own short name and the product that stands for it. A query holding one ranks that
#: group's products first ("tra thai nguyen": Thái Nguyên's tea before a Bát Tràng teapot); the words stay
#: required, since every product's search text holds its group's name. Words that mean other things
#: without accents ("hoa", "vai", "lua") are left out.
GROUP_WORDS: dict[tuple[str, ...], str] = {
    ("che",): "1.5", ("tra",): "1.5",
    ("ca", "phe"): "1.6", ("ca", "cao"): "1.6", ("cafe",): "1.6",
    ("gia", "vi"): "1.4", ("nuoc", "mam"): "1.4", ("nuoc", "cham"): "1.4", ("tuong", "ot"): "1.4",
    ("ruou",): "2.1",
    ("tinh", "dau"): "3.3", ("my", "pham"): "3.2",
    ("gom",): "4.1", ("cay", "canh"): "5.2",
    ("du", "lich"): "6.1", ("homestay",): "6.1",
}


def read_group(tokens: list[str]) -> GroupWords | None:
    """The first run of the tokens that names a product group (two-word names before one-word ones)."""
    for size in (2, 1):
        for start in range(len(tokens) - size + 1):
            run = tuple(tokens[start:start + size])
            if run in GROUP_WORDS:
                return GroupWords(run, GROUP_WORDS[run])
    return None


def understand(query: str | None, whole: frozenset[str] = frozenset()) -> SearchTerms:
    """The search a typed query stands for: its words, their synonyms, a province and a product group named
    in it. Words in `whole` match whole indexed words only, not as prefixes (a corrected reading: an exact
    word is read from the search index at a fraction of a prefix's cost, "phu:*" gathers every "phuong")."""
    tokens, place = read_place(search_tokens(query))
    return SearchTerms(_terms(tokens, nfc(query), whole), place, read_group(tokens))


def _as_terms(terms: "SearchTerms | list[str] | tuple[str, ...]") -> SearchTerms:
    if isinstance(terms, SearchTerms):
        return terms
    return SearchTerms(_terms(list(terms), None))


def _fts_term(term: Term) -> tuple[str, bool]:
    star = "" if term.whole else "*"
    typed = " ".join(f'"{token}"{star}' for token in term.typed)
    if not term.others:
        return typed, False
    others = " OR ".join("search_name : (" + " ".join(f'"{word}"' for word in other) + ")" for other in term.others)
    return f"(({typed}) OR {others})", True


def fts_match_string(terms) -> str:
    """The FTS5 MATCH string: every token quoted and used as a prefix (unless whole), all required; a synonym as
    an OR."""
    parts = [_fts_term(term) for term in _as_terms(terms).terms]
    if any(has_or for _, has_or in parts):
        # FTS5 joins an OR group to its neighbours only with an explicit AND.
        return " AND ".join(f"({text})" if not has_or else text for text, has_or in parts)
    return " ".join(text for text, _ in parts)


def ts_query_string(terms, *, names_only: bool = False) -> str:
    """The PostgreSQL to_tsquery text: every token as a prefix (unless whole), all required; a synonym as an OR
    on names. names_only: every word in the name (weight A)."""
    parts = []
    weight = "A" if names_only else ""
    for term in _as_terms(terms).terms:
        label = (":" + weight) if term.whole and weight else ("" if term.whole else f":*{weight}")
        typed = " & ".join(f"{token}{label}" for token in term.typed)
        if term.others:
            others = " | ".join("(" + " & ".join(f"{word}:A" for word in other) + ")" for other in term.others)
            parts.append(f"(({typed}) | {others})")
        else:
            parts.append(typed)
    return " & ".join(parts)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _pg_vector():
    return sa.literal_column("products.search_tsv")


def _pg_query(terms: SearchTerms, *, names_only: bool = False):
    # Rendered into the SQL text at execution (literal_execute: SQLAlchemy still caches one compiled form).
    # As parameters of a prepared statement, PostgreSQL's generic plan could not see how many products
    # the words match. The tokens are [a-z0-9] words only, and the dialect quotes the value all the same.
    config = sa.literal_column("'simple'::regconfig")
    words = sa.bindparam("search_tsquery_names" if names_only else "search_tsquery",
                         ts_query_string(terms, names_only=names_only), type_=sa.Text, literal_execute=True,
                         unique=True)
    return sa.func.to_tsquery(config, words)


def _sqlite_match(terms: SearchTerms, *, names_only: bool = False):
    text = fts_match_string(terms)
    if names_only:
        return _fts_table.op("MATCH")(sa.bindparam("search_match_names", f"search_name : ({text})", type_=sa.Text,
                                                         unique=True))
    return _fts_table.op("MATCH")(sa.bindparam("search_match", text, type_=sa.Text, unique=True))


def match_clause(terms):
    """SQL condition: the product matches every term (no terms: nothing matches).

    `terms` is a SearchTerms (understand()) or a list of folded tokens (synonyms read, no province).
    """
    terms = _as_terms(terms)
    if not terms:
        return sa.false()
    if _is_postgres():
        return _pg_vector().op("@@")(_pg_query(terms))
    return Product.id.in_(sa.select(_fts.c.rowid).select_from(_fts).where(_sqlite_match(terms)))


def name_clause(terms):
    """SQL condition: the product's name holds every term (the search index's name column only)."""
    terms = _as_terms(terms)
    if not terms:
        return sa.false()
    if _is_postgres():
        return _pg_vector().op("@@")(_pg_query(terms, names_only=True))
    return Product.id.in_(sa.select(_fts.c.rowid).select_from(_fts).where(_sqlite_match(terms, names_only=True)))


def _place_column(place: PlaceWords) -> tuple[sa.Column, int]:
    """The column of products (the producer's province, copied by migration 0036) and the code the place has."""
    if place.province_code is not None:
        return Product.__table__.c.province_code, place.province_code
    return Product.__table__.c.old_province_code, place.old_province_code


def of_place_clause(place: PlaceWords, *, negated: bool = False):
    """SQL condition (never NULL when negated): the product's producer is in the province named in the query;
    read from products' copy of the producer's province, so the index on (province, sold_quantity, id) can
    walk it."""
    column, code = _place_column(place)
    if negated:
        return sa.func.coalesce(column, 0) != code
    return column == code


def place_clause(place: PlaceWords):
    """SQL condition (never NULL): the product's producer is in the province named in the query, or its name
    holds the province's words."""
    column, code = _place_column(place)
    return sa.or_(sa.func.coalesce(column, 0) == code, _name_holds(place.words, prefix=False))


def _name_holds(words: tuple[str, ...], *, prefix: bool):
    padded = sa.literal(" ") + Product.search_name + sa.literal(" ")
    return sa.and_(*[padded.like(f"% {word}%" if prefix else f"% {word} %") for word in words])


def name_match_expression(terms):
    """1 when the product's name holds every typed word as a word prefix (a whole word for a whole term) or a
    synonym of it, else 0.

    Tokens are [a-z0-9] only (search_tokens), so they carry no LIKE wildcard.
    """
    terms = _as_terms(terms)
    conditions = [sa.or_(_name_holds(term.typed, prefix=not term.whole),
                         *[_name_holds(other, prefix=False) for other in term.others]) for term in terms.terms]
    return sa.case((sa.and_(*conditions), 1), else_=0)


def group_clause(group: GroupWords):
    """SQL condition: the product is of the group named in the query."""
    return Product.group_code == group.group_code


def place_boost_expression(place: PlaceWords):
    """2 for products of the province named in the query, 1 for products named after it (of another province),
    else 0: the same order as the tiers of tiered_rows."""
    column, code = _place_column(place)
    return sa.case((sa.func.coalesce(column, 0) == code, 2), (_name_holds(place.words, prefix=False), 1), else_=0)


def ranked(statement: sa.Select, terms) -> sa.Select:
    """Restrict a SELECT of products to matches and order it by relevance."""
    terms = _as_terms(terms)
    if not terms:
        return statement.where(sa.false())
    first = [place_boost_expression(terms.place).desc()] if terms.place else []
    if terms.group:
        first.append(sa.case((group_clause(terms.group), 1), else_=0).desc())
    if _is_postgres():
        rank = sa.func.ts_rank(_pg_vector(), _pg_query(terms))
        return statement.where(match_clause(terms)).order_by(
            *first, name_match_expression(terms).desc(), rank.desc(), Product.created_at.desc(), Product.id.desc())
    scores = (
        sa.select(_fts.c.rowid.label("product_id"),
                  sa.func.bm25(_fts_table, NAME_WEIGHT, BODY_WEIGHT).label("score"))
        .select_from(_fts).where(_sqlite_match(terms)).subquery("search_scores")
    )
    # bm25 is lower for better matches.
    return statement.join(scores, scores.c.product_id == Product.id).order_by(
        *first, name_match_expression(terms).desc(), scores.c.score.asc(), Product.created_at.desc(),
        Product.id.desc())


def tiered(where: list, terms, *, limit: int, offset: int = 0) -> sa.Select:
    """SELECT of product ids matching `terms` (and `where`, which may use Producer), for broad searches.

    Ranking every match of a word that half the catalogue holds ("san") costs in proportion to the
    catalogue. Here the matches fall in tiers (of the province named in the query, then named after it;
    else of the group named in it; else the name holds the words; first), and each tier is read best-selling first from the index on (sold_quantity, id),
    stopping after offset + limit rows: a tier with many matches finds them within its first rows, one
    with few is read from the search index. The cost stays that of one page whatever the catalogue's size.
    """
    return tiered_rows(where, terms, (Product.id,), limit=limit, offset=offset)


def tiered_rows(where: list, terms, columns: tuple, *, limit: int, offset: int = 0) -> sa.Select:
    """tiered(), selecting `columns` (of Product and Producer) instead of the id alone: what the search box
    shows comes out of the same single statement (catalog.queries.suggestions).

    The best tier is read first (a CTE); the other tier's scan runs only when the best one did not fill
    offset + limit rows (an uncommon condition, which PostgreSQL checks once before the scan). A tier read
    best-selling first costs little when its matches are dense, but a rare tier would be read through the
    whole index ("mat ong": honey is nearly always named so, and the products that only mention it are a
    handful among 200,000); when the best tier falls short, the other one holds all the remaining matches,
    which are many for a broad query. A province named in the query is walked through its own best-sellers
    (ix_products_province_sold): its products are few (Tuyên Quang's honey: 221 of 200,000), and reading them
    through the search index gathered every word starting with "mat", "ong", "tuyen", "quang" first.
    """
    terms = _as_terms(terms)
    if not terms:
        return sa.select(*[sa.null().label(f"c{number}") for number in range(len(columns))]).where(sa.false())
    wanted = offset + limit
    postgres = _is_postgres()
    walk_rows = min(WALK_ROWS_PER_RESULT * wanted, MAX_WALK_ROWS)
    named = None
    if terms.place:
        # Three tiers: the products of the province, walked best-selling first through its own index (its
        # copy of the producer's province, migration 0036) and each tested for the words; then those named
        # after it in another province, few, read from the search index with the place's whole words; then
        # the rest.
        place = terms.place
        walk = _place_best_sellers(walk_rows, postgres, *_place_column_key(place))
        best = [match_clause(terms), of_place_clause(place)]
        named_after = _name_holds(place.words, prefix=False)
        with_place = SearchTerms(terms.terms + (Term(place.words, whole=True),))
        named = [match_clause(with_place), named_after, of_place_clause(place, negated=True)]
        other = [match_clause(terms), of_place_clause(place, negated=True), sa.not_(named_after)]
    elif terms.group:
        # (With a province as well, the province alone makes the tiers; the full ranking uses both.)
        test = group_clause(terms.group)
        walk = _best_sellers(walk_rows, postgres)
        best, other = [match_clause(terms), test], [match_clause(terms), sa.not_(test)]
    else:
        # A name holding every word matches the whole index too: the name test alone, so that PostgreSQL
        # estimates the tier from one condition (two conditions on search_tsv multiplied their selectivities,
        # and it chose to read every match through the GIN index, 240 ms for "nuoc ma" at 200,000).
        test = name_clause(terms)
        walk = _best_sellers(walk_rows, postgres)
        best, other = [test], [match_clause(terms), sa.not_(test)]

    def tier(number: int, conditions: list, walk=None):
        # Over `walk` (the best-sellers, a subquery named like the table): every condition and column
        # rewritten to read the walk's columns.
        adapter = ClauseAdapter(walk) if walk is not None else None

        def adapt(clause):
            if adapter is None:
                return clause
            # ORM attributes (Product.id) are adapted through their column.
            return adapter.traverse(getattr(clause, "__clause_element__", lambda: clause)())

        product_id, sold = adapt(Product.id), adapt(Product.sold_quantity)
        return (
            sa.select(product_id.label("id"), sold.label("sold"), sa.literal(number).label("tier"),
                      *[adapt(column).label(f"c{position}") for position, column in enumerate(columns)])
            .select_from(walk if walk is not None else Product)
            .join(Producer, Producer.id == adapt(Product.producer_id))
            .where(*[adapt(condition) for condition in [*where, *conditions]])
            .order_by(sold.desc(), product_id.desc()).limit(wanted)
        )

    walked = tier(2, best, walk).cte("best_walked")
    enough = sa.select(sa.func.count()).select_from(walked).scalar_subquery() >= wanted
    # The best tier: the walk's rows when it found a page, else (the tier is sparse) the tier read in full.
    whole = tier(2, [*best, sa.not_(enough)]).subquery("best_whole")
    first = sa.union_all(sa.select(walked).where(enough), sa.select(whole)).cte("best_tier")
    if named is not None:
        # Read only when the province's own products fall short of a page.
        short = sa.select(sa.func.count()).select_from(first).scalar_subquery() < wanted
        named_tier = tier(1, [*named, short]).subquery("named_tier")
        first = sa.union_all(sa.select(first), sa.select(named_tier)).cte("best_tiers")
    filled = sa.select(sa.func.count()).select_from(first).scalar_subquery()
    rest = tier(0, [*other, filled < wanted]).subquery("other_tier")
    # SQLite takes no LIMIT inside a UNION member: the second one is a subquery.
    found = sa.union_all(sa.select(first), sa.select(rest)).subquery("tiers")
    return (sa.select(*[found.c[f"c{position}"] for position in range(len(columns))])
            .order_by(found.c.tier.desc(), found.c.sold.desc(), found.c.id.desc()).limit(limit).offset(offset))


#: The best tier is first looked for among this many best-sellers per row wanted (a tier holding more than
#: 1 % of the catalogue fills a page there), at most MAX_WALK_ROWS; a sparser tier is read in full.
WALK_ROWS_PER_RESULT = 100
MAX_WALK_ROWS = 5000


@cache
def _best_sellers(rows: int, postgres: bool):
    """The `rows` best-selling products, as a subquery named "products" with every column of the table (and
    search_tsv on PostgreSQL). Its LIMIT keeps the conditions outside it: PostgreSQL reads exactly these rows
    from ix_products_sold and tests each, whatever it estimates of the search words. (Left to choose, it
    took two correlated words for a rare pair and read every match through the GIN index: "nuoc mam" cost
    in proportion to the catalogue.) Built once per size (a few sizes: 100 rows per row wanted, capped):
    building it and its column collection cost more than running it."""
    extra = [_pg_vector().label("search_tsv")] if postgres else []
    return (sa.select(*Product.__table__.c, *extra).order_by(Product.sold_quantity.desc(), Product.id.desc())
            .limit(rows).subquery("products"))


def _place_column_key(place: PlaceWords) -> tuple[str, int]:
    column, code = _place_column(place)
    return column.name, code


@cache
def _place_best_sellers(rows: int, postgres: bool, column: str, code: int):
    """The `rows` best-selling products of one province (new or old: `column` of products, `code`), read from
    ix_products_province_sold or ix_products_old_province_sold, as _best_sellers() builds them. Built once per
    size and province (a few sizes, 34 provinces and 63 old ones)."""
    extra = [_pg_vector().label("search_tsv")] if postgres else []
    return (sa.select(*Product.__table__.c, *extra).where(Product.__table__.c[column] == code)
            .order_by(Product.sold_quantity.desc(), Product.id.desc()).limit(rows).subquery("products"))


def record_zero_result_search(query: str, language: str) -> ZeroResultSearch | None:
    """Keep a catalogue search that found nothing as a demand signal; blank or wordless queries are skipped."""
    text = nfc(query)[:MAX_QUERY_LENGTH]
    if not search_tokens(text):
        return None
    entry = ZeroResultSearch(query=text, folded_query=" ".join(search_tokens(text))[:MAX_QUERY_LENGTH],
                             language=language if language in ("vi", "en") else "vi")
    db.session.add(entry)
    db.session.flush()
    return entry
