"""Regional synonyms: chè/trà, lạc/đậu phộng, lợn/heo, bát/chén... read from data/synonyms_vi.txt.

The table is curated by hand (its header says where the words come from and how to add one). Each line
is a set of words naming the same thing; `alternatives()` reads the folded words of a query and, for
every run of words that is a word of a set, gives the other words of that set. Catalogue search then
accepts a product whose *name* holds one of them in place of the typed word (catalog.search), so "chè
xanh" finds "Trà xanh Tân Cương" and ranks it as if the shopper had typed "trà".

A word marked "*" in the file is read only when the query has it with its accents ("mè" but not "me",
which is also tamarind): without accents it means other things too.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from marketplace.text import fold, folded_words, nfc

DATA_FILE = Path(__file__).with_name("data") / "synonyms_vi.txt"


class SynonymTableError(ValueError):
    """The synonym file breaks a rule (a word in two sets, a set of one word)."""


@dataclass(frozen=True)
class Word:
    #: The folded words ("dau phong").
    folded: tuple[str, ...]
    #: The word as written in the table ("đậu phộng").
    accented: str
    #: Read only when typed with its accents.
    accents_required: bool


def parse(text: str) -> list[tuple[Word, ...]]:
    """The sets of a synonym file's text; raises SynonymTableError on a broken rule.

    A word read without accents (unmarked) may be in one set only, so it always means one thing.
    """
    sets: list[tuple[Word, ...]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = []
        for part in line.split("="):
            part = nfc(part).lower()
            required = part.endswith("*")
            accented = part.rstrip("*").strip()
            folded = tuple(folded_words(accented).split())
            if not folded:
                raise SynonymTableError(f"line {number}: an empty word")
            if folded in seen and not required:
                raise SynonymTableError(f"line {number}: '{accented}' is already in the set of line {seen[folded]}")
            if not required:
                seen[folded] = number
            words.append(Word(folded, accented, required))
        if len(words) < 2:
            raise SynonymTableError(f"line {number}: a set needs two words or more")
        sets.append(tuple(words))
    return sets


@cache
def table() -> tuple[tuple[Word, ...], ...]:
    return tuple(parse(DATA_FILE.read_text(encoding="utf-8")))


@cache
def _by_folded() -> dict[tuple[str, ...], list[tuple[Word, tuple[Word, ...]]]]:
    index: dict[tuple[str, ...], list[tuple[Word, tuple[Word, ...]]]] = {}
    for words in table():
        for word in words:
            index.setdefault(word.folded, []).append((word, words))
    return index


@cache
def _longest() -> int:
    return max(len(word.folded) for words in table() for word in words)


def _typed_with_accents(word: Word, query: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.accented)}(?!\w)", query) is not None


def alternatives(tokens: list[str], query: str | None = None) -> list[tuple[int, int, list[tuple[str, ...]]]]:
    """(start, end, other words) for each run tokens[start:end] that is a word of a set, longest first.

    `query` is the typed text, used for words read only with their accents (without it they are skipped).
    """
    typed = fold(query) != (query or "").lower() and nfc(query).lower() or ""
    found = []
    position = 0
    while position < len(tokens):
        for size in range(min(_longest(), len(tokens) - position), 0, -1):
            run = tuple(tokens[position:position + size])
            matches = [(word, words) for word, words in _by_folded().get(run, ())
                       if not word.accents_required or (typed and _typed_with_accents(word, typed))]
            if matches:
                others = [other.folded for word, words in matches for other in words if other.folded != run]
                found.append((position, position + size, list(dict.fromkeys(others))))
                position += size
                break
        else:
            position += 1
    return found
