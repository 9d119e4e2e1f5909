"""Illustrative voucher codes (their titles say so): a platform Tết code, a producer's own code, a free-shipping
code and a first-order code, valid from yesterday for three months when first loaded. Idempotent: a code that
exists is left exactly as it is."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.vouchers import services
from marketplace.vouchers.models import Voucher


@dataclass(frozen=True)
class DemoVoucher:
    code: str
    title: str
    kind: str
    value: str
    max_discount: str
    min_order: str
    total_limit: str
    bearer: str
    #: A demo producer's slug: its shop only (and, with bearer "producer", its own cost).
    producer_slug: str | None = None
    first_order_only: bool = False


VOUCHERS = (
    DemoVoucher("TET2027", "Quà Tết OCOP: giảm 10% (mã minh họa)", "percent", "10", "50000", "200000", "500",
                "platform"),
    DemoVoucher("GOMBATTRANG", "Gốm Hoa Sen Bát Tràng giảm 30.000 ₫ (mã minh họa)", "fixed", "30000", "", "300000",
                "100", "producer", producer_slug="gom-hoa-sen-bat-trang"),
    DemoVoucher("FREESHIP-OCOP", "Miễn phí vận chuyển đến 40.000 ₫ (mã minh họa)", "free_shipping", "", "40000",
                "150000", "1000", "platform"),
    DemoVoucher("CHAOBANMOI", "Đơn đầu tiên giảm 20.000 ₫ (mã minh họa)", "fixed", "20000", "", "100000", "", "platform",
                first_order_only=True),
)


def load_vouchers() -> int:
    """Create the demo codes that are missing; returns how many were created (the caller commits)."""
    existing = set(db.session.scalars(sa.select(Voucher.code).where(Voucher.code.in_([v.code for v in VOUCHERS]))))
    today = today_vn()
    created = 0
    for row in VOUCHERS:
        if row.code in existing:
            continue
        producer = None
        if row.producer_slug:
            producer = db.session.scalar(sa.select(Producer).where(Producer.slug == row.producer_slug))
            if producer is None:
                continue
        data = {"code": row.code, "title": row.title, "kind": row.kind, "percent": row.value, "amount": row.value,
                "max_discount": row.max_discount, "min_order": row.min_order,
                "valid_from": (today - timedelta(days=1)).isoformat(),
                "valid_until": (today + timedelta(days=90)).isoformat(), "total_limit": row.total_limit,
                "per_user_limit": "1", "first_order_only": row.first_order_only, "bearer": row.bearer,
                "producer_id": str(producer.id) if producer else ""}
        services.create_voucher(data, actor=None, producer=producer if row.bearer == "producer" else None)
        created += 1
    return created
