"""A month of sales on every channel for the channel-settlement tests: online (card, COD, a refund), an online
order picked up at a showroom, and till sales at two showrooms (one with a discount, one voided).

Everything happens in October 2026 (Vietnam time) through the real services; the till void's reversing
entry gets its time from the patched clock, so nothing depends on today's date.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders.models import OrderLine, ProducerOrder
from marketplace.showrooms import sales
from marketplace.showrooms.models import Showroom, StaffRole
from tests.factories import make_product, make_user
from tests.settlements.sample import place, sale, vn
from tests.showrooms.helpers import deliver, make_showroom, make_staff

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
TODAY = date(2026, 11, 28)


@dataclass
class Month:
    producer: object
    fish_sauce: object
    rice: object
    old_quarter: Showroom
    bat_trang: Showroom
    manager: object
    #: Another producer with one till sale at the first showroom (its statement is separate).
    other_product: object
    other_producer: object


def till(showroom, staff, items, client_id, when, *, discount_vnd=0, method="cash"):
    """A completed till sale of [(product, quantity)] at `when`."""
    payment = sales.PaymentInput(method, discount_vnd=discount_vnd,
                                 cash_received_vnd=10**9 if method == "cash" else None)
    return sales.complete_sale(showroom, [sales.LineInput(product.id, quantity) for product, quantity in items],
                               payment, client_id, staff, occurred_at=when)


def october(monkeypatch) -> Month:
    """The month's sales; returns who and what (see the module docstring for the list)."""
    old_quarter = make_showroom("Điểm OCOP Phố Cổ", commission_rate_bp=1500)
    bat_trang = make_showroom("Điểm OCOP Bát Tràng", commission_rate_bp=1250)
    old_quarter.max_discount_bp = bat_trang.max_discount_bp = 1000
    manager = make_staff(old_quarter, StaffRole.MANAGER)
    clerk = make_staff(bat_trang, StaffRole.CLERK)
    fish_sauce = make_product("Nước mắm thử", price_vnd=45000, stock=50)
    rice = make_product("Gạo thử", producer=fish_sauce.producer, price_vnd=33333, stock=50)
    other = make_product("Tương thử", price_vnd=20000, stock=20)
    for showroom in (old_quarter, bat_trang):
        deliver(showroom, fish_sauce, 10)
        deliver(showroom, rice, 10)
    deliver(old_quarter, other, 5)

    # Online: a card sale, a VietQR sale refunded later in the month, and cash on delivery.
    sale(fish_sauce, 2, method="card", when=vn(2026, 10, 2))
    refunded = sale(rice, 3, method="vietqr", when=vn(2026, 10, 3))
    ledger.record_reversal(refunded, reference="refund:test", occurred_at=vn(2026, 10, 9))
    sale(fish_sauce, 1, method="cod", when=vn(2026, 10, 4))
    # An online order paid by card and picked up at the Old Quarter showroom (click and collect).
    order = place(make_user(role=Role.CONSUMER), [(rice, 1)], method="card")
    line = db.session.scalars(sa.select(OrderLine).join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
                              .where(ProducerOrder.order_id == order.id)).one()
    ledger.record_sale(product_id=rice.id, producer_id=rice.producer_id, quantity=1, unit_price_vnd=rice.price_vnd,
                       payment_method="card", product_name=rice.name, producer_name="Producer", sku=rice.sku,
                       order_line_id=line.id, channel="showroom",
                       location_id=old_quarter.location_id, reference=f"order:{order.number}",
                       occurred_at=vn(2026, 10, 5))
    # Tills: the Old Quarter sells with a discount (odd unit prices in the ledger), Bát Tràng by card; one
    # Bát Tràng sale is voided at the till later in the month (reversing entries).
    till(old_quarter, manager, [(fish_sauce, 3), (rice, 2)], "till-oq-0001", vn(2026, 10, 10), discount_vnd=1001)
    till(old_quarter, manager, [(other, 2)], "till-oq-0002", vn(2026, 10, 11))
    till(bat_trang, clerk, [(fish_sauce, 1)], "till-bt-0001", vn(2026, 10, 12), method="card")
    voided = till(bat_trang, clerk, [(rice, 4)], "till-bt-0002", vn(2026, 10, 13))
    monkeypatch.setattr(ledger, "utcnow", lambda: vn(2026, 10, 20))
    sales.void_sale(voided, clerk, "wrong product scanned")
    return Month(fish_sauce.producer, fish_sauce, rice, old_quarter, bat_trang, manager, other, other.producer)

