"""Accent- and case-insensitive Vietnamese product search.

Both databases search the same accent-folded columns (Product.search_name, Product.search_body, filled by
catalog.services.index_product), so "nuoc mam", "NƯỚC MẮM" and a decomposed (NFD) "Nước mắm" find the
same rows. The query is folded by marketplace.text.search_tokens into [a-z0-9] words, each used as a
word prefix ("bat tr" finds "Bát Tràng"), and every word must match.

- SQLite: the FTS5 table products_fts (rowid = products.id), queried with MATCH '"tok1"* "tok2"*'.
  Quoting each token neutralises the FTS syntax (AND, OR, NEAR, *, ^, :, parentheses, minus).
- PostgreSQL: products.search_tsv @@ to_tsquery('simple', 'tok1:* & tok2:*'). search_tsv is a stored
  generated column (name weighted A, body D; migration 0007, not mapped on the model) with the GIN index
  ix_products_search_tsv, so neither the index recheck nor ranking recomputes a vector.

Ranking: products whose name holds every word come first, then bm25 (name weighted 10, body 1) on
SQLite or ts_rank of the weighted vector on PostgreSQL, then the newest.
"""

import sqlalchemy as sa

from marketplace.catalog.models import Product, ZeroResultSearch
from marketplace.extensions import db
from marketplace.text import MAX_QUERY_LENGTH, nfc, search_tokens

#: bm25 column weights for products_fts(search_name, search_body).
NAME_WEIGHT = 10.0
BODY_WEIGHT = 1.0

_fts = sa.table("products_fts", sa.column("rowid", sa.Integer))
_fts_table = sa.literal_column("products_fts")


def fts_match_string(tokens: list[str]) -> str:
    """The FTS5 MATCH string: every token quoted and used as a prefix, all required."""
    return " ".join(f'"{token}"*' for token in tokens)


def ts_query_string(tokens: list[str]) -> str:
    """The PostgreSQL to_tsquery text: every token as a prefix, all required."""
    return " & ".join(f"{token}:*" for token in tokens)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _pg_vector():
    return sa.literal_column("products.search_tsv")


def _pg_query(tokens: list[str]):
    # Rendered into the SQL text at execution (literal_execute: SQLAlchemy still caches one compiled form).
    # As parameters of a prepared statement, PostgreSQL's generic plan could not see how many products
    # the words match. The tokens are [a-z0-9] words only, and the dialect quotes the value all the same.
    config = sa.literal_column("'simple'::regconfig")
    words = sa.bindparam("search_tsquery", ts_query_string(tokens), type_=sa.Text, literal_execute=True)
    return sa.func.to_tsquery(config, words)


def _sqlite_match(tokens: list[str]):
    return _fts_table.op("MATCH")(sa.bindparam("search_match", fts_match_string(tokens), type_=sa.Text))


def match_clause(tokens: list[str]):
    """SQL condition: the product matches every token (no tokens: nothing matches)."""
    if not tokens:
        return sa.false()
    if _is_postgres():
        return _pg_vector().op("@@")(_pg_query(tokens))
    return Product.id.in_(sa.select(_fts.c.rowid).select_from(_fts).where(_sqlite_match(tokens)))


def name_match_expression(tokens: list[str]):
    """1 when the product's name holds every token as a word prefix, else 0.

    Tokens are [a-z0-9] only (search_tokens), so they carry no LIKE wildcard.
    """
    padded = sa.literal(" ") + Product.search_name
    return sa.case((sa.and_(*[padded.like(f"% {token}%") for token in tokens]), 1), else_=0)


def ranked(statement: sa.Select, tokens: list[str]) -> sa.Select:
    """Restrict a SELECT of products to matches and order it by relevance."""
    if not tokens:
        return statement.where(sa.false())
    if _is_postgres():
        rank = sa.func.ts_rank(_pg_vector(), _pg_query(tokens))
        statement = statement.where(match_clause(tokens)).order_by(
            name_match_expression(tokens).desc(), rank.desc(), Product.created_at.desc(), Product.id.desc())
        return statement
    scores = (
        sa.select(_fts.c.rowid.label("product_id"),
                  sa.func.bm25(_fts_table, NAME_WEIGHT, BODY_WEIGHT).label("score"))
        .select_from(_fts).where(_sqlite_match(tokens)).subquery("search_scores")
    )
    # bm25 is lower for better matches.
    return statement.join(scores, scores.c.product_id == Product.id).order_by(
        name_match_expression(tokens).desc(), scores.c.score.asc(), Product.created_at.desc(), Product.id.desc())


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
