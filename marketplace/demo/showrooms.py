"""Two illustrative Hanoi showrooms holding consigned, received stock of several demo producers: lots with
best-before dates, some within 30 days so the expiring list has something to show. Idempotent: a showroom
whose slug exists is left exactly as it is."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.catalog.status import ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.showrooms import consignments, services
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
            commission_rate_bp=row.commission_rate_bp))
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
