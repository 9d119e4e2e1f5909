"""One way to read numbers that people and URLs send: ASCII digits only, within a database integer.

`"²".isdigit()` is True and `int("²")` raises; `int("１２")` quietly accepts full-width digits; a 30-digit id
overflows a BIGINT and turns into a database error. Every number read from a form, a query string or a
spreadsheet cell goes through `parse_int`, and query-string numbers through `arg_int`.
"""

import re

from flask import abort, request
from wtforms import IntegerField

#: The largest value a signed 64-bit column holds: anything above is not an id or a quantity of ours.
MAX_INT = 2**63 - 1
#: The largest id: primary keys are INTEGER columns (32-bit in PostgreSQL, which refuses a larger value
#: in a comparison with "integer out of range" rather than finding nothing).
MAX_ID = 2**31 - 1

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
#: "125.000", "125,000", "125 000" and "125.000 ₫" as people write prices.
_GROUPED = re.compile(r"[0-9]{1,3}(?:[.,  ][0-9]{3})+", re.ASCII)


def parse_int(text, *, minimum: int | None = None, maximum: int | None = MAX_INT,
              grouped: bool = False) -> int | None:
    """The integer written in `text`, or None when it is not one (or lies outside minimum..maximum).

    Accepts an optional sign and ASCII digits, surrounded by spaces. With `grouped`, thousands separators
    ("125.000", "125,000", "125 000") and a trailing "₫"/"đ"/"VND" are accepted too (prices, as typed).
    """
    if text is None:
        return None
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        value = text
    else:
        text = str(text).strip()
        if grouped:
            for suffix in ("₫", "đ", "VND", "vnd", "VNĐ", "vnđ"):
                if text.endswith(suffix):
                    text = text[: -len(suffix)].strip()
                    break
            if _GROUPED.fullmatch(text):
                text = re.sub(r"[^0-9]", "", text)
        if not _INTEGER.fullmatch(text):
            return None
        value = int(text)
    if minimum is not None and value < minimum:
        return None
    if maximum is not None and value > maximum:
        return None
    return value


def arg_int(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = MAX_INT, args=None) -> int | None:
    """A number from the query string (or the given MultiDict): `default` when absent or not a number."""
    raw = (args if args is not None else request.args).get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    return default if value is None else value


def page_arg(name: str = "page") -> int:
    """The page number asked for (1 when absent or nonsense)."""
    return arg_int(name, 1, minimum=1, maximum=100_000)


def id_arg_or_404(name: str) -> int | None:
    """An id from the query string: None when absent, 404 when present but not a valid id."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = parse_int(raw, minimum=1, maximum=MAX_ID)
    if value is None:
        abort(404)
    return value


class WholeNumberField(IntegerField):
    """WTForms' IntegerField read with `parse_int`: ASCII digits only, within a 64-bit column."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_int(valuelist[0])
        if self.data is None:
            raise ValueError(self.invalid_value_message or self.gettext("Not a valid integer value."))
