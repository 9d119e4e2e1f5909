"""Reading the sales ledger for a screen: a producer's sales over a period (refunds and voids subtract)."""

from datetime import date

import sqlalchemy as sa

from marketplace.dates import period_bounds
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry


def producer_sales_vnd(producer_id: int, first_day: date, last_day: date) -> int:
    """The value of the goods the producer sold on every channel between two Vietnamese days (both inclusive),
    at their sale prices, with refunds and till voids subtracted (their reversing entries are negative).
    Before commission and vouchers; the statements settle those."""
    start, end = period_bounds(first_day, last_day)
    return int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SaleEntry.total_vnd), 0))
        .where(SaleEntry.producer_id == producer_id, SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end)
    ) or 0)
