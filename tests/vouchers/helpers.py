"""A voucher with sensible defaults for the voucher tests (valid today, 10 % off, one use per buyer)."""

from datetime import timedelta

from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db
from marketplace.vouchers.models import CostBearer, Voucher, VoucherEvent, VoucherKind
from marketplace.vouchers.status import VoucherStatus


def make_voucher(code="GIAM10", *, kind=VoucherKind.PERCENT, percent=10, amount_vnd=None, max_discount_vnd=None,
                 min_order_vnd=0, valid_from=None, valid_until=None, total_limit=None, per_user_limit=1,
                 bearer=CostBearer.PLATFORM, producer=None, products=(), first_order_only=False,
                 status=VoucherStatus.ACTIVE) -> Voucher:
    today = today_vn()
    voucher = Voucher(
        code=code, title="", kind=kind, percent=percent if kind == VoucherKind.PERCENT else None,
        amount_vnd=amount_vnd, max_discount_vnd=max_discount_vnd, min_order_vnd=min_order_vnd,
        valid_from=valid_from or today - timedelta(days=1), valid_until=valid_until or today + timedelta(days=30),
        total_limit=total_limit, per_user_limit=per_user_limit, used_count=0, bearer=bearer,
        producer_id=producer.id if producer else None, first_order_only=first_order_only, status=status,
        products=list(products),
    )
    db.session.add(voucher)
    db.session.flush()
    db.session.add(VoucherEvent(voucher_id=voucher.id, to_status=status, at=utcnow()))
    db.session.flush()
    return voucher
