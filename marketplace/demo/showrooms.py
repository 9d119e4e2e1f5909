"""Two illustrative Hanoi showrooms holding consigned, received stock of several demo producers: lots with
best-before dates, some within 30 days so the expiring list has something to show. Idempotent: a showroom
whose slug exists is left exactly as it is. A few illustrative till sales in each (fixed till ids, so loading
again records nothing twice). The first showroom's shift with those sales is closed (a till close with its
counted cash), once."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.catalog.status import ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.showrooms import closes, consignments, lots, sales, services
from marketplace.showrooms.models import Showroom


@dataclass(frozen=True)
class DemoShowroom:
    slug: str
    name: str
    ward_code: int
    street: str
    latitude: float
    longitude: float
    commission_rate_bp: int
    #: Which of the Hanoi demo products (by position, every n-th) it holds.
    offset: int


NOTE = "Dữ liệu minh họa"
SHOWROOMS = (
    DemoShowroom("diem-ocop-hoan-kiem-minh-hoa", "Điểm OCOP Hoàn Kiếm (minh họa)", 70,
                 "Số 12 phố Hàng Bạc (địa chỉ minh họa)", 21.0342, 105.8526, 1500, 0),
    DemoShowroom("diem-ocop-bat-trang-minh-hoa", "Điểm OCOP Bát Tràng (minh họa)", 583,
                 "Chợ gốm Bát Tràng (địa chỉ minh họa)", 20.9760, 105.9140, 1200, 1),
)


def _hanoi_products() -> list[Product]:
    """The active demo products of Hanoi producers, by name."""
    return list(db.session.scalars(
        sa.select(Product).join(Producer, Producer.id == Product.producer_id)
        .where(Producer.is_demo.is_(True), Producer.province_code == services.HANOI,
               Product.status == ProductStatus.ACTIVE)
        .order_by(Product.name)))


def _best_before(product: Product, n: int):
    """Handicraft (sector 4) has no best-before; food lots alternate soon (within 30 days) and later."""
    if product.group_code.startswith("4"):
        return None
    return today_vn() + timedelta(days=(12, 25, 120, 200)[n % 4])


def load_showrooms() -> int:
    """Create the missing demo showrooms with their received consignments; returns how many were created."""
    existing = set(db.session.scalars(sa.select(Showroom.slug).where(Showroom.slug.in_([s.slug for s in SHOWROOMS]))))
    products = _hanoi_products()
    created = 0
    for row in SHOWROOMS:
        if row.slug in existing:
            continue
        showroom = services.create_showroom(services.ShowroomDetails(
            name=row.name, ward_code=row.ward_code, street=row.street, opening_hours="8:00–21:00 (minh họa)",
            phone="024 0000 000" + str(row.offset + 1), latitude=row.latitude, longitude=row.longitude,
            commission_rate_bp=row.commission_rate_bp, max_discount_bp=500))
        showroom.slug = row.slug
        held = products[row.offset::2]
        by_producer: dict[int, list[Product]] = {}
        for product in held:
            by_producer.setdefault(product.producer_id, []).append(product)
        for n, (producer_id, items) in enumerate(sorted(by_producer.items())):
            lines = [consignments.DeliveryLine(p.id, 6 + (p.id * 7) % 30, f"MH-{p.id:04d}-{row.offset + 1}",
                                               _best_before(p, n + i)) for i, p in enumerate(items)]
            consignment = consignments.record_delivery(showroom, producer_id, lines, actor=None, note=NOTE)
            received = consignments.lines_of(consignment)
            consignments.receive(consignment, {line.id: line.quantity for line in received}, {}, actor=None)
        created += 1
    db.session.flush()
    return created


#: (till id suffix, how many of the first and second product held, payment method, sale-level discount in đồng)
DEMO_SALES = (("0001", 1, 1, "cash", 0), ("0002", 2, 0, "bank_transfer", 0), ("0003", 1, 2, "card", 5000))


def load_pos_sales() -> int:
    """Three illustrative till sales in each demo showroom (cash with change, VietQR transfer, card with a small
    discount); returns how many were recorded this time (0 when they exist or stock is short)."""
    created = 0
    for row in SHOWROOMS:
        showroom = db.session.scalar(sa.select(Showroom).where(Showroom.slug == row.slug))
        if showroom is None:
            continue
        held = [r for r in lots.lots_at(showroom.location_id) if r.quantity >= 3]
        product_ids = list(dict.fromkeys(r.product.id for r in held))[:2]
        if len(product_ids) < 2:
            continue
        for suffix, first, second, method, discount in DEMO_SALES:
            client_id = f"demo-{showroom.id}-{suffix}"
            if sales.find_sale(showroom, client_id) is not None:
                continue
            lines = [sales.LineInput(pid, n) for pid, n in zip(product_ids, (first, second), strict=True) if n]
            subtotal = _subtotal(lines)
            # Cash: the customer hands over the next round 100.000 ₫ above the total, so there is change.
            cash = (subtotal // 100_000 + 1) * 100_000 if method == "cash" else None
            try:
                sales.complete_sale(showroom, lines, sales.PaymentInput(
                    method, discount_vnd=min(discount, subtotal * showroom.max_discount_bp // 10000),
                    cash_received_vnd=cash), client_id, None)
            except sales.SaleError:
                continue  # an edited demo showroom (stock sold, limit lowered): leave it
            created += 1
    db.session.flush()
    return created


def _subtotal(lines) -> int:
    prices = dict(db.session.execute(sa.select(Product.id, Product.price_vnd)
                                     .where(Product.id.in_([line.product_id for line in lines]))).all())
    return sum(prices[line.product_id] * line.quantity for line in lines)


#: The demo close: the opening float, and the counted cash is the expected one (no difference).
DEMO_FLOAT_VND = 500_000


def load_closes() -> int:
    """Close the till of the first demo showroom once (when it has no close yet); returns 0 or 1."""
    showroom = db.session.scalar(sa.select(Showroom).where(Showroom.slug == SHOWROOMS[0].slug))
    if showroom is None or closes.last_close(showroom) is not None:
        return 0
    shift = closes.current_shift(showroom)
    if shift.sales_count == 0:
        return 0
    counted = DEMO_FLOAT_VND + shift.by_method["cash"]
    closes.close_shift(showroom, DEMO_FLOAT_VND, max(counted, 0), NOTE, None)
    return 1
