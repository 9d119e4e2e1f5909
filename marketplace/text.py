"""Vietnamese text: NFC normalisation, accent folding, search tokens and slugs.

Shared by catalog search and (later) the linkage of demand to supply.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
#: Search queries longer than this are cut: nobody types more, and FTS work stays bounded.
MAX_QUERY_LENGTH = 200
MAX_QUERY_TOKENS = 8


def nfc(value: str | None) -> str:
    """Normalise to NFC (input from macOS may arrive decomposed) and trim."""
    if not value:
        return ""
    return unicodedata.normalize("NFC", value).strip()


def fold(value: str | None) -> str:
    """Lower-case and strip Vietnamese accents; đ/Đ have no decomposition so are mapped explicitly."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", text).casefold()


def search_tokens(query: str | None) -> list[str]:
    """Split a user query into folded alphanumeric words, safe to put in any full-text query syntax."""
    folded = fold(nfc(query)[:MAX_QUERY_LENGTH])
    tokens = [token for token in _NON_WORD.split(folded) if token]
    return [token[:40] for token in tokens[:MAX_QUERY_TOKENS]]


def folded_words(*parts: str | None) -> str:
    """Join text parts into one folded, space-separated string of words for the search index."""
    words: list[str] = []
    for part in parts:
        words.extend(token for token in _NON_WORD.split(fold(part)) if token)
    return " ".join(words)


def slugify(value: str, max_length: int = 80) -> str:
    """A URL slug from Vietnamese text: 'Nước mắm Phú Quốc' -> 'nuoc-mam-phu-quoc'."""
    slug = "-".join(token for token in _NON_WORD.split(fold(nfc(value))) if token)
    return slug[:max_length].strip("-") or "item"
