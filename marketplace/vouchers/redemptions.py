"""Taking a voucher's use at checkout and giving it back when the order is cancelled unpaid.

Both limits are enforced in the database, never by reading a count and writing it back: a use is taken by
a conditional UPDATE (`used_count = used_count + 1 WHERE used_count < limit`) whose row count says whether
it happened, first on the voucher (the total limit), then on the buyer's counter (the per-buyer limit),
always in that order so concurrent checkouts lock the same rows in the same order. Of twenty concurrent
checkouts for a code with one use left, exactly one UPDATE finds `used_count < total_limit` true; the
others match no row and are refused. Giving a use back is a compare-and-set on the redemption's
`released_at`, so it happens once however many times it is asked. Services flush, never commit.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.vouchers.models import Voucher, VoucherRedemption, VoucherUse
from marketplace.vouchers.rules import VoucherRefused
from marketplace.vouchers.status import VoucherStatus


def _take_total_use(voucher: Voucher) -> bool:
    result = db.session.execute(
        sa.update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == VoucherStatus.ACTIVE,
               sa.or_(Voucher.total_limit.is_(None), Voucher.used_count < Voucher.total_limit))
        .values(used_count=Voucher.used_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _take_buyer_use(voucher: Voucher, user_id: int) -> bool:
    # The buyer's counter row exists first (a concurrent insert of the same pair loses on the unique key
    # and simply uses the winner's row).
    exists = db.session.scalar(sa.select(VoucherUse.id).where(VoucherUse.voucher_id == voucher.id,
                                                              VoucherUse.user_id == user_id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(VoucherUse(voucher_id=voucher.id, user_id=user_id, used_count=0))
        except IntegrityError:
            pass
    condition = [VoucherUse.voucher_id == voucher.id, VoucherUse.user_id == user_id]
    if voucher.per_user_limit is not None:
        condition.append(VoucherUse.used_count < voucher.per_user_limit)
    result = db.session.execute(sa.update(VoucherUse).where(*condition)
                                .values(used_count=VoucherUse.used_count + 1)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1


def redeem(voucher: Voucher, *, user_id: int, order_id: int, discount_vnd: int,
           shipping_discount_vnd: int) -> VoucherRedemption:
    """Take one use of the voucher for this order (both limits, atomically) and record what it took off.

    Raises VoucherRefused ("used_up", "paused" or "already_used") when a limit is reached, also when a
    concurrent checkout took the last use first; the caller then rolls back its savepoint, so nothing is kept.
    """
    if not _take_total_use(voucher):
        db.session.refresh(voucher)
        if voucher.status != VoucherStatus.ACTIVE:
            raise VoucherRefused("paused", _("The voucher %(code)s is paused at the moment.", code=voucher.code))
        raise VoucherRefused("used_up", _("The voucher %(code)s has been used up.", code=voucher.code))
    if not _take_buyer_use(voucher, user_id):
        raise VoucherRefused("already_used", _("You have already used the voucher %(code)s.", code=voucher.code))
    redemption = VoucherRedemption(voucher_id=voucher.id, user_id=user_id, order_id=order_id,
                                   discount_vnd=discount_vnd, shipping_discount_vnd=shipping_discount_vnd,
                                   redeemed_at=utcnow())
    db.session.add(redemption)
    db.session.flush()
    db.session.refresh(voucher, ["used_count"])
    return redemption


def release_for_order(order_id: int) -> bool:
    """Give the order's voucher use back (the order was cancelled before payment); True if it was given
    back now, False when the order had none or it was given back already (it happens exactly once)."""
    row = db.session.execute(
        sa.update(VoucherRedemption)
        .where(VoucherRedemption.order_id == order_id, VoucherRedemption.released_at.is_(None))
        .values(released_at=utcnow())
        .returning(VoucherRedemption.voucher_id, VoucherRedemption.user_id)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return False
    voucher_id, user_id = row
    db.session.execute(sa.update(Voucher).where(Voucher.id == voucher_id, Voucher.used_count > 0)
                       .values(used_count=Voucher.used_count - 1).execution_options(synchronize_session=False))
    db.session.execute(sa.update(VoucherUse)
                       .where(VoucherUse.voucher_id == voucher_id, VoucherUse.user_id == user_id,
                              VoucherUse.used_count > 0)
                       .values(used_count=VoucherUse.used_count - 1).execution_options(synchronize_session=False))
    db.session.flush()
    return True


def redemption_for_order(order_id: int) -> VoucherRedemption | None:
    return db.session.scalar(sa.select(VoucherRedemption).where(VoucherRedemption.order_id == order_id))
