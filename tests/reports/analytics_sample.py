"""A hand-made ledger for the program analytics tests, with every figure worked out by hand in EXPECTED.

Three producers: A (Hà Nội, cooperative) sells a 5-star tea (group 1.5), B (An Giang, enterprise) a
4-star fish sauce (1.4), C (Quảng Ninh, household) a 3-star vase (4.1). One showroom. The period under
test is 02/11/2026-08/11/2026 (Vietnam days); the previous period of the same length is 26/10-01/11.

 #  when (VN)       channel   product  units  total     buyer   reference    notes
 0  30/10 10:00     online    vase      1     200.000   22      order:0      previous period
 1  02/11 12:00     online    tea       2     200.000   79      order:1
 2  02/11 12:00     online    sauce     3     150.000   79      order:1      same order, other producer
 3  04/11 09:00     showroom  tea       1     100.000   -       pos:1
 4  04/11 09:00     showroom  vase      1     200.000   -       pos:1        same receipt, other producer
 5  05/11 15:00     linkage   sauce    10     450.000   1       linkage:1    45.000 each
 6  06/11 08:00     online    tea       1     100.000   1       order:2
 6r 07/11 10:00     online    tea      -1    -100.000   1       refund:2     reverses 6
 7  08/11 11:00     showroom  tea       1      99.999   -       pos:2        one till line split in two
 7b 08/11 11:00     showroom  tea       1     100.000   -       pos:2        ledger rows (discount rounding)
 9  08/11 23:30     online    sauce     1      50.000   79      order:3      last minutes of the period
10  09/11 00:30     online    sauce     1      50.000   79      order:4      after the period
"""

from datetime import date

from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.producers.models import ProducerType
from tests.factories import make_producer, make_product
from tests.settlements.sample import vn
from tests.showrooms.helpers import make_showroom

PERIOD = {"from": "2026-11-02", "to": "2026-11-08"}
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 8)

# (units, revenue, orders) per figure, worked out from the table above.
EXPECTED = {
    "totals": (20, 1_349_999, 8),
    "previous": (1, 200_000, 1),
    "channels": {"showroom": (4, 499_999, 3), "linkage": (10, 450_000, 1), "online": (6, 400_000, 4)},
    "producer_provinces": {1: (5, 499_999, 4), 91: (14, 650_000, 3), 22: (1, 200_000, 1)},
    "buyer_provinces": {79: (6, 400_000, 3), 1: (10, 450_000, 2), 0: (4, 499_999, 3)},
    "flows": {(1, 79): (2, 200_000, 1), (91, 79): (4, 200_000, 2), (1, 0): (3, 299_999, 2),
              (22, 0): (1, 200_000, 1), (91, 1): (10, 450_000, 1), (1, 1): (0, 0, 1)},
    "groups": {"1.4": (14, 650_000), "1.5": (5, 499_999), "4.1": (1, 200_000)},
    "stars": {"4": (14, 650_000), "5": (5, 499_999), "3": (1, 200_000)},
    "types": {"DN": (14, 650_000, 3), "HTX": (5, 499_999, 4), "HKD": (1, 200_000, 1)},
    "days": {date(2026, 11, 2): (5, 350_000, 2), date(2026, 11, 4): (2, 300_000, 2),
             date(2026, 11, 5): (10, 450_000, 1), date(2026, 11, 6): (1, 100_000, 1),
             date(2026, 11, 7): (-1, -100_000, 0), date(2026, 11, 8): (3, 249_999, 2)},
}


def sell(product, quantity, price, *, when, reference, channel="online", location_id=None, province=None):
    return ledger.record_sale(
        product_id=product.id, producer_id=product.producer_id, quantity=quantity, unit_price_vnd=price,
        payment_method="card", product_name=product.name, producer_name="x", sku=product.sku, channel=channel,
        location_id=location_id, buyer_province_code=province, reference=reference, occurred_at=when)


def build_ledger():
    """Write the ledger above; returns a namespace of the objects made."""
    a = make_producer("HTX Chè A", province_code=1, type=ProducerType.COOPERATIVE)
    b = make_producer("Công ty Nước mắm B", province_code=91, type=ProducerType.ENTERPRISE)
    c = make_producer("Hộ Gốm C", province_code=22, type=ProducerType.HOUSEHOLD)
    tea = make_product("Chè A", producer=a, price_vnd=100_000, stars=5, group_code="1.5", stock=0)
    sauce = make_product("Nước mắm B", producer=b, price_vnd=50_000, stars=4, group_code="1.4", stock=0)
    vase = make_product("Bình gốm C", producer=c, price_vnd=200_000, stars=3, group_code="4.1", stock=0)
    showroom = make_showroom("Điểm OCOP Mẫu")
    room = showroom.location_id
    sell(vase, 1, 200_000, when=vn(2026, 10, 30, 10), reference="order:0", province=22)
    sell(tea, 2, 100_000, when=vn(2026, 11, 2), reference="order:1", province=79)
    sell(sauce, 3, 50_000, when=vn(2026, 11, 2), reference="order:1", province=79)
    sell(tea, 1, 100_000, when=vn(2026, 11, 4, 9), reference="pos:1", channel="showroom", location_id=room)
    sell(vase, 1, 200_000, when=vn(2026, 11, 4, 9), reference="pos:1", channel="showroom", location_id=room)
    sell(sauce, 10, 45_000, when=vn(2026, 11, 5, 15), reference="linkage:1", channel="linkage", province=1)
    refunded = sell(tea, 1, 100_000, when=vn(2026, 11, 6, 8), reference="order:2", province=1)
    ledger.record_reversal(refunded, reference="refund:2", occurred_at=vn(2026, 11, 7, 10))
    sell(tea, 1, 99_999, when=vn(2026, 11, 8, 11), reference="pos:2", channel="showroom", location_id=room)
    sell(tea, 1, 100_000, when=vn(2026, 11, 8, 11), reference="pos:2", channel="showroom", location_id=room)
    sell(sauce, 1, 50_000, when=vn(2026, 11, 8, 23, 30), reference="order:3", province=79)
    sell(sauce, 1, 50_000, when=vn(2026, 11, 9, 0, 30), reference="order:4", province=79)
    db.session.commit()

    class Made:
        pass

    made = Made()
    made.a, made.b, made.c, made.tea, made.sauce, made.vase, made.showroom = a, b, c, tea, sauce, vase, showroom
    return made
