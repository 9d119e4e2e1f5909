"""An illustrative producer statement over every channel (dữ liệu minh họa), so `make run` shows one.

For a demo producer whose goods are consigned to both demo showrooms, last month (Vietnam calendar) gets a few
illustrative sales: till sales in each showroom (one with a discount), online sales paid by VietQR and card,
one cash on delivery, one refund, and two with vouchers (one borne by the producer, one by OCOP Market). Online ones are written to the ledger directly, with illustrative order
numbers (MH-...), since a demo cannot replay last month's checkouts; till sales go through the real till
service. Then the program office's statement for that month is built through the real service and left
open. Idempotent: nothing is added when the producer already has a statement for that month, and every demo
sale carries a fixed id (till id or reference), so a second run records nothing twice.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.dates import VIETNAM, today_vn
from marketplace.demo.showrooms import NOTE, SHOWROOMS
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import SaleEntry
from marketplace.producers.models import Producer
from marketplace.settlements import services as settlements
from marketplace.settlements.models import Statement, StatementStatus
from marketplace.showrooms import consignments, sales
from marketplace.showrooms.models import Lot, LotStock, Showroom


def last_month(today: date | None = None) -> tuple[date, date]:
    """The first and last day of the month before this one (Vietnam calendar)."""
    today = today or today_vn()
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=VIETNAM)


def _showrooms() -> list[Showroom]:
    found = {showroom.slug: showroom for showroom in db.session.scalars(
        sa.select(Showroom).where(Showroom.slug.in_([row.slug for row in SHOWROOMS])))}
    return [found[row.slug] for row in SHOWROOMS if row.slug in found]


def _held(showroom: Showroom) -> dict[int, int]:
    """Units held at the showroom per product."""
    return dict(db.session.execute(
        sa.select(Lot.product_id, sa.func.sum(LotStock.quantity)).join(Lot, Lot.id == LotStock.lot_id)
        .where(LotStock.location_id == showroom.location_id).group_by(Lot.product_id)).all())


def _demo_producer(showrooms: list[Showroom]) -> tuple[Producer, list[Product], list[Product]] | None:
    """The first demo producer (by name) with at least 3 units of a product in the first showroom, its products
    there and those in the second showroom (maybe none yet)."""
    first, second = (_held(showroom) for showroom in showrooms)
    ids = [pid for pid, units in first.items() if units >= 3]
    products = list(db.session.scalars(
        sa.select(Product).join(Producer, Producer.id == Product.producer_id)
        .where(Product.id.in_(ids), Producer.is_demo.is_(True)).order_by(Producer.name, Product.name)))
    if not products:
        return None
    producer = db.session.get(Producer, products[0].producer_id)
    in_first = [product for product in products if product.producer_id == producer.id]
    in_second = list(db.session.scalars(sa.select(Product).where(
        Product.producer_id == producer.id, Product.id.in_([pid for pid, units in second.items() if units >= 3]))))
    return producer, in_first, in_second


def _consign(showroom: Showroom, producer: Producer, product: Product, month: str) -> None:
    """The producer also brings 6 units to the second showroom (a received consignment), so that it has
    sales in both showrooms to settle."""
    best_before = None if product.group_code.startswith("4") else today_vn() + timedelta(days=120)
    consignment = consignments.record_delivery(
        showroom, producer.id, [consignments.DeliveryLine(product.id, 6, f"MH-QT-{month}", best_before)],
        actor=None, note=NOTE)
    received = consignments.lines_of(consignment)
    consignments.receive(consignment, {line.id: line.quantity for line in received}, {}, actor=None)


def _till(showroom: Showroom, product: Product, quantity: int, method: str, when: datetime, client_id: str,
          discount_vnd: int = 0) -> None:
    if sales.find_sale(showroom, client_id) is not None:
        return
    total = product.price_vnd * quantity
    discount = min(discount_vnd, total * showroom.max_discount_bp // 10000)
    sales.complete_sale(showroom, [sales.LineInput(product.id, quantity)], sales.PaymentInput(
        method, discount_vnd=discount, cash_received_vnd=(total // 100_000 + 1) * 100_000 if method == "cash" else None),
        client_id, None, occurred_at=when)


def _online(producer: Producer, product: Product, quantity: int, method: str, when: datetime,
            reference: str, *, discount_vnd: int = 0, bearer: str | None = None) -> SaleEntry:
    found = db.session.scalar(sa.select(SaleEntry).where(SaleEntry.reference == reference,
                                                         SaleEntry.reverses_id.is_(None)))
    if found is not None:
        return found
    return ledger.record_sale(product_id=product.id, producer_id=producer.id, quantity=quantity,
                              unit_price_vnd=product.price_vnd, payment_method=method, product_name=product.name,
                              producer_name=producer.name, sku=product.sku, channel="online",
                              buyer_province_code=1, reference=reference, occurred_at=when,
                              discount_vnd=discount_vnd, discount_bearer=bearer if discount_vnd else None)


def load_statements(today: date | None = None) -> int:
    """Last month's illustrative sales of one demo producer on every channel and its statement; returns 1 when
    the statement was built now, 0 otherwise (already there, or the demo showrooms hold too little)."""
    showrooms = _showrooms()
    if len(showrooms) < 2:
        return 0
    found = _demo_producer(showrooms)
    if found is None:
        return 0
    producer, in_first, in_second = found
    start, end = last_month(today)
    if db.session.scalar(sa.select(Statement.id).where(
            Statement.producer_id == producer.id, Statement.period_start <= end, Statement.period_end >= start,
            Statement.status != StatementStatus.VOID).limit(1)) is not None:
        return 0
    month = start.strftime("%y%m")
    first, second = showrooms
    if not in_second:
        _consign(second, producer, in_first[0], month)
        in_second = [in_first[0]]
    _till(first, in_first[0], 2, "cash", _at(start + timedelta(days=4), 10), f"demo-settle-{month}-1")
    _till(first, in_first[-1], 1, "card", _at(start + timedelta(days=11), 16), f"demo-settle-{month}-2",
          discount_vnd=5000)
    _till(second, in_second[0], 3, "bank_transfer", _at(start + timedelta(days=8), 11), f"demo-settle-{month}-3")
    product = in_first[0]
    _online(producer, product, 2, "vietqr", _at(start + timedelta(days=2), 9), f"order:MH-{month}-0001")
    refunded = _online(producer, product, 1, "card", _at(start + timedelta(days=6), 20), f"order:MH-{month}-0002")
    _online(producer, in_second[0], 1, "cod", _at(start + timedelta(days=14), 15), f"order:MH-{month}-0003")
    # Two orders with vouchers: 10 % off borne by the producer (prepaid: deducted from its payout), and
    # 15.000 ₫ off borne by OCOP Market on cash on delivery (OCOP Market pays it to the producer).
    _online(producer, product, 1, "vietqr", _at(start + timedelta(days=16), 10), f"order:MH-{month}-0004",
            discount_vnd=product.price_vnd // 10, bearer="producer")
    _online(producer, product, 1, "cod", _at(start + timedelta(days=18), 17), f"order:MH-{month}-0005",
            discount_vnd=min(15_000, product.price_vnd), bearer="platform")
    if db.session.scalar(sa.select(SaleEntry.id).where(SaleEntry.reverses_id == refunded.id)) is None:
        ledger.record_reversal(refunded, reference=f"refund:MH-{month}-0002",
                               occurred_at=_at(start + timedelta(days=9), 14))
    settlements.build_statement(producer, start, end, actor=None, today=today)
    db.session.flush()
    return 1
