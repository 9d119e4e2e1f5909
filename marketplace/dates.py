"""Vietnam's calendar: every calendar day of the marketplace (expiry, periods, filters) is one of its days.

Pure helpers, no database and no request: any package may import them.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Vietnam's time zone.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today_vn() -> date:
    """Today's date in Vietnam, the date on which certificates expire."""
    return datetime.now(VIETNAM).date()


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The UTC instants of Vietnam's midnight at the start of first_day and after last_day (both days inclusive)."""
    start = datetime.combine(first_day, time(0), tzinfo=VIETNAM).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=VIETNAM).astimezone(UTC)
    return start, end


def parse_date(text: str | None) -> date | None:
    """YYYY-MM-DD (the HTML date input) or DD/MM/YYYY; None for anything else."""
    text = (text or "").strip()[:10]
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 2000 <= parsed.year <= 2100:
            return parsed
    return None
