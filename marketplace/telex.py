"""Telex typed without a Vietnamese keyboard: "nuowcs mawms" -> "nước mắm", "dduwowngf" -> "đường".

Telex writes each accent as a letter: aa â, aw ă, ee ê, oo ô, ow ơ, uw ư (uow ươ), dd đ, and a final s f
r x j for the tones sắc, huyền, hỏi, ngã, nặng. No Vietnamese syllable ends in s, f, r, x, j or w, and
none holds dd, so a word that changes is almost surely telex; catalogue search still tries the words as
typed first (catalog.queries) and reads them as telex only when that finds nothing.
"""

import re
import unicodedata

_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
#: Longest first: "uow" before "ow".
_LETTERS = (("uow", "ươ"), ("uw", "ư"), ("ow", "ơ"), ("aw", "ă"), ("aa", "â"), ("ee", "ê"), ("oo", "ô"),
            ("dd", "đ"))
_VOWELS = "aăâeêioôơuưy"
_MARKED = "ăâêôơư"
_WORD = re.compile(r"[A-Za-z]+")


def _place_tone(word: str, tone: str) -> str:
    """Put the tone mark on the right vowel (the marked one, else the rule for open and closed syllables)."""
    start = 0
    if word.startswith(("qu", "gi")) and len(word) > 2 and word[2] in _VOWELS:
        start = 2
    positions = [i for i in range(start, len(word)) if word[i] in _VOWELS]
    if not positions:
        return word
    first = positions[0]
    cluster = [first]
    for i in positions[1:]:
        if i == cluster[-1] + 1:
            cluster.append(i)
        else:
            break
    marked = [i for i in cluster if word[i] in _MARKED]
    if marked:
        target = marked[-1]
    elif len(cluster) == 1:
        target = cluster[0]
    elif cluster[-1] + 1 < len(word):
        # A closed syllable: the last vowel ("hoàng" is hoa + ng: the a).
        target = cluster[-1]
    elif len(cluster) == 3:
        target = cluster[1]
    else:
        target = cluster[0]
    return word[:target + 1] + tone + word[target + 1:]


def convert_word(word: str) -> str:
    """One ASCII word read as telex ("maatj" -> "mật"); any other word is returned unchanged."""
    if not word.isascii() or not word.isalpha():
        return word
    lower = word.lower()
    tone = ""
    if len(lower) > 1 and lower[-1] in _TONES and any(ch in "aeiouy" for ch in lower[:-1]):
        tone, lower = _TONES[lower[-1]], lower[:-1]
    for typed, letter in _LETTERS:
        lower = lower.replace(typed, letter)
    if lower.endswith("w") and len(lower) > 1:
        # "tuw" is tư, a lone trailing w marks the u or o before it.
        return word
    if tone:
        lower = _place_tone(lower, tone)
    converted = unicodedata.normalize("NFC", lower)
    return converted if converted != word.lower() else word


def convert(text: str) -> str:
    """Every ASCII word of the text read as telex; words that are not telex are left as typed."""
    return _WORD.sub(lambda match: convert_word(match.group(0)), text or "")


def looks_like_telex(text: str) -> bool:
    return convert(text) != (text or "")
