"""End-of-day (end-of-shift) close of a showroom's till.

A shift runs from the end of the showroom's previous close (or, for its first close, from the start of the
current day in Vietnam) to the moment of closing. Its takings are read from the sales' events, which are
append-only: a sale completed in the shift adds its total to its payment method, a void recorded in the shift
takes it off again (voids are netted in the shift in which they happen, even for a sale of an earlier shift).
So a closed shift's figures can never change: anything recorded after the close belongs to the next shift.

Expected cash, stated simply: the opening float plus the net cash takings (the change given back is already
out of a cash sale's total, which is what the customer paid net). The manager enters the counted cash; the
difference (counted - expected) is recorded, with a required note when it is not zero. A close is never
edited: a recount is a TillCloseCorrection referencing it, with its own note.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.dates import VIETNAM, period_bounds, today_vn, utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms.models import (
    PaymentMethod,
    PosSale,
    PosSaleEvent,
    Showroom,
    TillClose,
    TillCloseCorrection,
)
from marketplace.showrooms.status import PosSaleStatus
from marketplace.text import nfc

MAX_CASH_VND = 10**12


class CloseError(DomainError):
    """A close (or correction) that cannot be recorded as asked; the message is safe to show."""


@dataclass(frozen=True)
class ShiftTotals:
    period_start: datetime
    period_end: datetime
    sales_count: int
    voids_count: int
    #: Net takings by payment method value (every method present, 0 when none).
    by_method: dict[str, int]

    @property
    def total_vnd(self) -> int:
        return sum(self.by_method.values())


def last_close(showroom: Showroom) -> TillClose | None:
    return db.session.scalars(sa.select(TillClose).where(TillClose.showroom_id == showroom.id)
                              .order_by(TillClose.closed_at.desc(), TillClose.id.desc())).first()


def open_shift_start(showroom: Showroom) -> datetime:
    """Where the shift now open began: the end of the last close, or the start of today (Vietnam)."""
    previous = last_close(showroom)
    if previous is not None:
        return previous.closed_at
    return period_bounds(today_vn(), today_vn())[0]


def shift_totals(showroom: Showroom, start: datetime, end: datetime) -> ShiftTotals:
    """Net takings of the sales events recorded in (start, end]: completions add, voids subtract."""
    by_method = {method.value: 0 for method in PaymentMethod}
    counts = {PosSaleStatus.COMPLETED: 0, PosSaleStatus.VOIDED: 0}
    rows = db.session.execute(
        sa.select(PosSaleEvent.to_status, PosSale.payment_method, PosSale.total_vnd)
        .join(PosSale, PosSale.id == PosSaleEvent.sale_id)
        .where(PosSale.showroom_id == showroom.id, PosSaleEvent.at > start, PosSaleEvent.at <= end))
    for status, method, total in rows:
        status = PosSaleStatus(status)
        sign = 1 if status == PosSaleStatus.COMPLETED else -1
        counts[status] += 1
        by_method[PaymentMethod(method).value] += sign * total
    return ShiftTotals(start, end, counts[PosSaleStatus.COMPLETED], counts[PosSaleStatus.VOIDED], by_method)


def current_shift(showroom: Showroom, now: datetime | None = None) -> ShiftTotals:
    return shift_totals(showroom, open_shift_start(showroom), now or utcnow())


def _cash(value: int | None, message: str) -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CASH_VND:
        raise CloseError(message)
    return value


def close_shift(showroom: Showroom, opening_float_vnd: int | None, counted_cash_vnd: int | None, note: str,
                actor, *, now: datetime | None = None) -> TillClose:
    """Close the open shift (flushes, never commits). Raises CloseError for bad amounts, a missing note when the
    count differs, or a close made by someone else at the same moment."""
    opening = _cash(opening_float_vnd, _("Enter the opening float in đồng (0 or more)."))
    counted = _cash(counted_cash_vnd, _("Enter the cash counted in đồng (0 or more)."))
    note = nfc(note or "").strip()
    if len(note) > 500:
        raise CloseError(_("The note has at most 500 characters."))
    now = now or utcnow()
    totals = current_shift(showroom, now)
    expected = opening + totals.by_method[PaymentMethod.CASH.value]
    difference = counted - expected
    if difference != 0 and not note:
        raise CloseError(_("The cash counted differs from the cash expected: say why in the note."))
    day = now.astimezone(VIETNAM).date()
    day_start = period_bounds(day, day)[0]
    earlier_today = db.session.scalar(sa.select(sa.func.count(TillClose.id)).where(
        TillClose.showroom_id == showroom.id, TillClose.closed_at >= day_start))
    close = TillClose(showroom_id=showroom.id, business_day=day, shift_number=earlier_today + 1,
                      period_start=totals.period_start, closed_at=now, sales_count=totals.sales_count,
                      voids_count=totals.voids_count, cash_vnd=totals.by_method[PaymentMethod.CASH.value],
                      bank_transfer_vnd=totals.by_method[PaymentMethod.BANK_TRANSFER.value],
                      card_vnd=totals.by_method[PaymentMethod.CARD.value], opening_float_vnd=opening,
                      expected_cash_vnd=expected, counted_cash_vnd=counted, difference_vnd=difference, note=note,
                      closed_by_id=actor.id if actor else None)
    try:
        with db.session.begin_nested():
            db.session.add(close)
            db.session.flush()
    except IntegrityError:
        raise CloseError(_("This shift was just closed by someone else. Please reload.")) from None
    return close


def correct_close(close: TillClose, counted_cash_vnd: int | None, note: str, actor) -> TillCloseCorrection:
    """Record a recount of a closed shift's cash (the close itself is never changed). The note is required."""
    counted = _cash(counted_cash_vnd, _("Enter the cash counted in đồng (0 or more)."))
    note = nfc(note or "").strip()
    if not note:
        raise CloseError(_("Say why the count is corrected."))
    if len(note) > 500:
        raise CloseError(_("The note has at most 500 characters."))
    row = TillCloseCorrection(close_id=close.id, counted_cash_vnd=counted,
                              difference_vnd=counted - close.expected_cash_vnd, note=note,
                              actor_id=actor.id if actor else None)
    db.session.add(row)
    db.session.flush()
    return row


def closes_of(showroom: Showroom, limit: int = 100) -> list[TillClose]:
    return list(db.session.scalars(sa.select(TillClose).where(TillClose.showroom_id == showroom.id)
                                   .options(selectinload(TillClose.corrections))
                                   .order_by(TillClose.closed_at.desc(), TillClose.id.desc()).limit(limit)))


def get_close(showroom: Showroom, close_id: int) -> TillClose | None:
    return db.session.scalars(sa.select(TillClose).where(TillClose.id == close_id,
                                                         TillClose.showroom_id == showroom.id)
                              .options(selectinload(TillClose.corrections),
                                       selectinload(TillClose.closed_by))).first()


def effective_count(close: TillClose) -> tuple[int, int]:
    """(counted cash, difference) as last corrected."""
    if close.corrections:
        last = close.corrections[-1]
        return last.counted_cash_vnd, last.difference_vnd
    return close.counted_cash_vnd, close.difference_vnd
