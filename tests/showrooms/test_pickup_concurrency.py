"""Two buyers checking out the last unit a showroom holds for pickup at the same moment: exactly one order
holds it, the other is refused with nothing kept (PostgreSQL).

SQLite serialises every writer on one database lock, so the race cannot happen there: the test skips on SQLite
and runs with TEST_DATABASE_URL pointing at PostgreSQL."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.showrooms import lots
from marketplace.showrooms.models import Pickup, PickupLot
from marketplace.stock.services import OutOfStock
from tests.factories import make_product, make_user
from tests.orders.helpers import address
from tests.showrooms.helpers import deliver, make_showroom

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so two checkouts cannot race there")]


def test_two_buyers_for_the_last_unit_at_a_showroom_one_gets_it(app):
    showroom = make_showroom()
    product = make_product(price_vnd=80000, stock=5)  # the warehouse has more: only the showroom is short
    deliver(showroom, product, 1, lot="LAST", best_before=date(2027, 1, 1))
    buyers = [make_user(f"race{n}@example.test") for n in range(2)]
    for buyer in buyers:
        carts.add_to_cart(product.id, 1, user=buyer)
    db.session.commit()
    ids = [buyer.id for buyer in buyers]
    producer_id, showroom_id, location_id, product_id = product.producer_id, showroom.id, showroom.location_id, product.id
    barrier = threading.Barrier(2, timeout=30)
    results = []

    def buy(buyer_id):
        with app.app_context(), app.test_request_context("/"):
            buyer = db.session.get(User, buyer_id)
            summary = carts.load_cart(user=buyer)
            chosen = checkout._chosen_showrooms(summary, {producer_id: showroom_id})  # both see it offered
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                checkout._create_order(buyer, summary, address=address(), payment_method=checkout.PaymentMethod.COD,
                                       token=f"race-{buyer_id}", pickups=chosen)
                db.session.commit()
                results.append("ok")
            except OutOfStock:
                db.session.rollback()
                results.append("short")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(buyer_id,)) for buyer_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["ok", "short"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == 1
    assert db.session.scalar(sa.select(sa.func.sum(PickupLot.quantity))) == 1
    assert lots.lot_total(product_id, location_id) == lots.level_quantity(product_id, location_id) == 0
