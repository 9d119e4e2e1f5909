"""Typo corrections for catalogue search: one wrong, missing, doubled or swapped letter in a word of four
letters or more.

The vocabulary is every folded word of the search index: on SQLite the fts5vocab table products_fts_vocab
(kept by FTS5 itself), on PostgreSQL the search_words table kept by triggers on products (migration 0031).
A typed word that starts no indexed word is replaced by a known word one edit away (Damerau-Levenshtein:
the edits are generated here and looked up in the vocabulary's index); on PostgreSQL, pg_trgm similarity
orders those and adds longer words that are close in trigrams (two slips in a long word). On SQLite the
words found in more products come first. catalog.queries uses the correction only when it finds
products, and says so ("Kết quả cho ...").
"""

import string

import sqlalchemy as sa

from marketplace.extensions import db

#: Words shorter than this are never corrected: too many words are one letter away from them.
MIN_LENGTH = 4
#: Trigram similarity for PostgreSQL's extra candidates (longer words only).
TRIGRAM_THRESHOLD = 0.5
TRIGRAM_MIN_LENGTH = 7
_ALPHABET = string.ascii_lowercase + string.digits

_vocab = sa.table("products_fts_vocab", sa.column("term", sa.Text), sa.column("doc", sa.Integer))
_words = sa.table("search_words", sa.column("word", sa.Text))


def edits(word: str) -> set[str]:
    """Every string one deletion, insertion, substitution or swap of neighbours away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + letter + right[1:] for left, right in splits if right for letter in _ALPHABET}
    inserts = {left + letter + right for left, right in splits for letter in _ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


def candidates(word: str, limit: int = 3) -> list[str]:
    """Known words one edit away from `word`, best first (none for short words)."""
    if len(word) < MIN_LENGTH:
        return []
    near = sorted(edits(word))
    if db.session.get_bind().dialect.name == "postgresql":
        similarity = sa.func.similarity(_words.c.word, word)
        close = [_words.c.word.in_(near)]
        if len(word) >= TRIGRAM_MIN_LENGTH:
            close.append(sa.and_(_words.c.word.op("%")(word), similarity >= TRIGRAM_THRESHOLD))
        statement = (sa.select(_words.c.word).where(sa.or_(*close))
                     .order_by(_words.c.word.in_(near).desc(), similarity.desc(), _words.c.word).limit(limit))
    else:
        statement = (sa.select(_vocab.c.term).where(_vocab.c.term.in_(near))
                     .order_by(_vocab.c.doc.desc(), _vocab.c.term).limit(limit))
    return list(db.session.scalars(statement))


def known(words) -> set[str]:
    """Those of `words` that are whole words of the search index (one indexed lookup for them all)."""
    words = sorted(set(words))
    if not words:
        return set()
    if db.session.get_bind().dialect.name == "postgresql":
        statement = sa.select(_words.c.word).where(_words.c.word.in_(words))
    else:
        statement = sa.select(_vocab.c.term).where(_vocab.c.term.in_(words))
    return set(db.session.scalars(statement))


def starting_words(words) -> set[str]:
    """Those of `words` that start some word of the search index, in one statement.

    A typed word that starts none cannot match a product, and is known to need a correction without asking
    the products: an EXISTS over products for a word the index lacks ("mamm:*") was estimated at hundreds
    of matches by PostgreSQL, which then read all 200,000 products in a sequential scan to find none.
    Words are folded [a-z0-9] tokens, so they carry no LIKE wildcard; on PostgreSQL the trigram index of
    search_words serves the LIKE, on SQLite the vocabulary is read as a range of terms."""
    words = sorted(set(words))
    if not words:
        return set()
    if db.session.get_bind().dialect.name == "postgresql":
        tests = [sa.exists().where(_words.c.word.like(f"{word}%")) for word in words]
    else:
        tests = [sa.exists().where(_vocab.c.term >= word, _vocab.c.term < word[:-1] + chr(ord(word[-1]) + 1))
                 for word in words]
    found = db.session.execute(sa.select(*[test.label(f"w{number}") for number, test in enumerate(tests)])).one()
    return {word for word, starts in zip(words, found, strict=True) if starts}
