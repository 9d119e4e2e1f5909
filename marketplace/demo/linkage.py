"""Illustrative demand board data (dữ liệu minh họa): three demo buyers' requests, offers from demo producers,
one accepted offer with its linkage, and that linkage's marketplace order at the agreed price (cash on delivery,
shipped and delivered, so its sale is on the ledger's linkage channel).

The demo buyers and producer members are accounts with a random password nobody knows (use the password reset,
whose mail goes to the log in development). Idempotent: a request whose title exists for its demo buyer is left
as it is.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace import geo
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.catalog.models import Product
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.linkage import linkages, offers, requests
from marketplace.linkage.models import DemandRequest
from marketplace.orders import lifecycle
from marketplace.orders.addresses import DeliveryAddress
from marketplace.payments import cash
from marketplace.producers.models import Producer
from marketplace.stock.services import available_online

NOTE = "Dữ liệu minh họa."


@dataclass(frozen=True)
class DemoBuyer:
    email: str
    full_name: str
    kind: str
    organisation: str
    phone: str


BUYERS = (
    DemoBuyer("nhahangsen.minhhoa@example.org", "Trần Thị Mai", "restaurant", "Nhà hàng Sen Tây Hồ (minh họa)",
              "0912 000 101"),
    DemoBuyer("sieuthixanh.minhhoa@example.org", "Lê Văn Hùng", "supermarket", "Siêu thị Xanh Quận 3 (minh họa)",
              "0903 000 202"),
    DemoBuyer("phanphoi.minhhoa@example.org", "Phạm Thu Hà", "distributor", "Công ty Phân phối Đặc sản Việt (minh họa)",
              "0988 000 303"),
)


@dataclass(frozen=True)
class DemoRequest:
    buyer: int
    title: str
    group_code: str
    quantity: int
    unit: str
    target_price_vnd: int | None
    province_code: int
    days_ahead: int
    details: str


REQUESTS = (
    DemoRequest(0, "Nước mắm Phú Quốc 40 độ đạm cho bếp nhà hàng", "1.4", 12, "chai 500ml", 135000, 1, 21,
                "Nước mắm truyền thống, có chứng nhận OCOP 4 sao trở lên, giao hai lần trong tháng."),
    DemoRequest(1, "Gạo ST25 đóng túi cho quầy đặc sản", "1.2", 40, "túi 5kg", 175000, 79, 30,
                "Gạo vụ mới, bao bì có tem truy xuất nguồn gốc."),
    DemoRequest(2, "Chè Thái Nguyên búp khô làm quà Tết", "1.5", 150, "hộp 200g", None, 1, 45,
                "Hộp giấy in logo OCOP, cần báo giá sỉ."),
    DemoRequest(2, "Bộ bát đĩa gốm Bát Tràng cho khách sạn", "4.1", 30, "bộ 10 món", 1600000, 48, 60,
                "Men trắng vẽ tay, đóng thùng chống vỡ."),
)

#: (request index, producer slug, product name or None, unit price, quantity, lead days, message)
OFFERS = (
    (0, "nuoc-mam-khai-hoan", "Nước mắm Phú Quốc Khải Hoàn 40°N", 132000, 12, 5, "Giao từ kho Phú Quốc, hai đợt."),
    (0, "nuoc-mam-thanh-quoc", "Nước mắm Thanh Quốc 43°N", 150000, 12, 7, "Độ đạm 43, chai thủy tinh."),
    (1, "gao-st25-soc-trang", "Gạo ST25", 170000, 40, 4, "Gạo vụ đông xuân, giao tận quầy."),
)
#: The offer the first buyer accepts (and orders on the marketplace).
ACCEPTED = (0, "nuoc-mam-khai-hoan")


def _user(email: str, full_name: str, *, role: Role = Role.CONSUMER, producer_id: int | None = None,
          phone: str | None = None) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=full_name, phone=phone, role=role, producer_id=producer_id,
                    password_hash=hash_password(secrets.token_urlsafe(24)))
        db.session.add(user)
        db.session.flush()
    return user


def _member(producer: Producer) -> User:
    return _user(f"{producer.slug}.minhhoa@example.org", f"Thành viên {producer.name}", role=Role.PRODUCER,
                 producer_id=producer.id)


def load_linkage() -> int:
    """Create the demo requests (with their offers, linkage and order) that are missing; returns how many."""
    buyers = [_user(b.email, b.full_name, phone=b.phone) for b in BUYERS]
    producers = {p.slug: p for p in db.session.scalars(
        sa.select(Producer).where(Producer.slug.in_({slug for _r, slug, *_rest in OFFERS})))}
    created = 0
    posted: dict[int, DemandRequest] = {}
    for index, row in enumerate(REQUESTS):
        buyer, profile = buyers[row.buyer], BUYERS[row.buyer]
        if db.session.scalar(sa.select(DemandRequest.id).where(DemandRequest.author_id == buyer.id,
                                                                DemandRequest.title == row.title)):
            continue
        details = requests.validate_request({
            "buyer_kind": profile.kind, "organisation": profile.organisation, "title": row.title,
            "details": f"{row.details} {NOTE}", "group_code": row.group_code, "quantity": str(row.quantity),
            "unit": row.unit, "target_price_vnd": str(row.target_price_vnd or ""),
            "delivery_province_code": str(row.province_code), "needed_by": today_vn() + timedelta(days=row.days_ahead),
            "contact_name": profile.full_name, "contact_phone": profile.phone, "contact_email": profile.email})
        posted[index] = requests.post_request(buyer, details)
        created += 1
    accepted = None
    for index, slug, product_name, price, quantity, lead, message in OFFERS:
        demand, producer = posted.get(index), producers.get(slug)
        if demand is None or producer is None or not producer.is_verified:
            continue
        product = db.session.scalar(sa.select(Product).where(Product.producer_id == producer.id,
                                                             Product.name == product_name))
        made = offers.make_offer(demand, producer=producer, actor=_member(producer), details=offers.OfferDetails(
            unit_price_vnd=price, quantity=quantity, lead_time_days=lead, message=f"{message} {NOTE}",
            product_id=product.id if product is not None and product.is_public() else None))
        if (index, slug) == ACCEPTED:
            accepted = (demand, made)
    if accepted is not None:
        _accept_and_order(*accepted)
    db.session.flush()
    return created


def _accept_and_order(demand: DemandRequest, offer) -> None:
    """The buyer accepts the offer; the linkage becomes a cash-on-delivery order when the stock is there."""
    profile = next(b for b in BUYERS if b.email == db.session.get(User, demand.author_id).email)
    buyer = db.session.get(User, demand.author_id)
    linkage = offers.accept_offer(demand, offer, actor=buyer)
    product = linkages.orderable_product(linkage)
    if product is not None and available_online([product.id]).get(product.id, 0) >= linkage.quantity:
        order, _created = linkages.place_linkage_order(linkage, buyer=buyer, payment_method="cod",
                                                       token=f"demo-linkage-{linkage.id}", address=_address(profile))
        # Confirmed, shipped and delivered with the cash collected: the sale is on the ledger's linkage channel.
        member = _member(db.session.get(Producer, linkage.producer_id))
        for sub in order.producer_orders:
            lifecycle.confirm_sub_order(sub, actor=member)
            lifecycle.ship_sub_order(sub, actor=member, carrier="Viettel Post", tracking_number="MINHHOA-LK-1")
            cash.deliver_sub_order(sub, actor=member, cash_collected=True)


def _address(profile: DemoBuyer) -> DeliveryAddress:
    ward = geo.wards(1)[0]
    return DeliveryAddress(profile.full_name, profile.phone.replace(" ", ""), 1, ward.code,
                           "Số 1 đường Thanh Niên (địa chỉ minh họa)")
