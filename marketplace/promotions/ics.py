"""The trade-fair calendar as iCalendar (RFC 5545), written with the standard library.

Text values are escaped (backslash, semicolon, comma, newline: §3.3.11), every content line is folded at
75 octets of UTF-8 without splitting a character (§3.1), lines end with CRLF, and all-day events use
DTSTART/DTEND;VALUE=DATE with DTEND the day after the last day (DTEND is exclusive).
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from marketplace.dates import utcnow
from marketplace.promotions.models import TradeFair

LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n, other controls dropped."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 32 and ord(ch) != 127)


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, continuation lines starting with one space."""
    chunks: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            # A continuation line's leading space counts toward its 75 octets.
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += ch
        size += width
    chunks.append(current)
    return "\r\n ".join(chunks)


def _stamp(moment: datetime) -> str:
    """A UTC DATE-TIME value (form #2 of RFC 5545 §3.3.5)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(fairs: Iterable[TradeFair], *, name: str, host: str, fair_url: Callable[[TradeFair], str],
             place: Callable[[TradeFair], str], now: datetime | None = None) -> str:
    """The VCALENDAR text with one all-day VEVENT per fair."""
    now = now or utcnow()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OCOP Market//Trade fairs//VI", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}", "X-WR-TIMEZONE:Asia/Ho_Chi_Minh"]
    for fair in fairs:
        url = fair_url(fair)
        lines += [
            "BEGIN:VEVENT",
            f"UID:fair-{fair.id}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"LAST-MODIFIED:{_stamp(fair.updated_at or now)}",
            f"DTSTART;VALUE=DATE:{fair.starts_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{fair.ends_on + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(fair.name)}",
            f"LOCATION:{escape_text(place(fair))}",
            f"DESCRIPTION:{escape_text((fair.description + chr(10) + chr(10) + url).strip())}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
