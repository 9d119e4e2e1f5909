"""VND amounts are integers (no minor unit); this module formats and parses them in one place."""

import re

from marketplace.inputs import MAX_INT

CURRENCY_SIGN = "₫"
#: The no-break space Vietnamese formatting puts between amount and sign.
NBSP = "\xa0"
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:,[0-9]{3})+", re.ASCII)


class InvalidAmount(ValueError):
    """The text is not a whole, non-negative number of đồng."""


def format_vnd(amount: int | None) -> str:
    """125000 -> '125.000 ₫' (Vietnamese grouping, no-break space), whatever the page language."""
    if amount is None:
        return ""
    # Whole đồng grouped by threes with dots, as Babel's vi_VN pattern '#,##0' gives (tests compare the two);
    # done directly because it runs for every price on a page and Babel re-parses its pattern each call.
    return f"{int(amount):,}".replace(",", ".") + NBSP + CURRENCY_SIGN


def parse_vnd(text: str | int | None) -> int:
    """Parse '125000', '125.000', '125.000 ₫' or '125,000' into 125000; refuse decimals and negatives."""
    if isinstance(text, int):
        if not 0 <= text <= MAX_INT:
            raise InvalidAmount(text)
        return text
    if text is None:
        raise InvalidAmount(text)
    cleaned = str(text).replace(CURRENCY_SIGN, "").replace("đ", "").replace(NBSP, "").replace(" ", "").strip()
    # ASCII digits only: "²".isdigit() is True and int("１２") reads full-width digits.
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", "")
    if not _DIGITS.fullmatch(cleaned) or int(cleaned) > MAX_INT:
        raise InvalidAmount(text)
    return int(cleaned)
