"""Real concurrency on PostgreSQL: a voucher's last use goes to exactly one of many simultaneous checkouts.

SQLite serialises every writer on one database lock, so these races cannot happen there: the tests skip
on SQLite with that reason and run with TEST_DATABASE_URL pointing at PostgreSQL.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.vouchers.models import Voucher, VoucherRedemption, VoucherUse
from marketplace.vouchers.rules import VoucherRefused
from tests.factories import make_product, make_user
from tests.orders.helpers import address
from tests.vouchers.helpers import make_voucher

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so concurrent checkouts cannot race there")]
CHECKOUTS = 20


def _race(app, buyer_ids, tokens):
    """Each (buyer, token) places an order with the code TET2027 in its own thread and session, all at once."""
    barrier = threading.Barrier(len(tokens), timeout=60)

    def buy(pair):
        buyer_id, token = pair
        with app.app_context(), app.test_request_context("/?lang=en"):
            buyer = db.session.get(User, buyer_id)
            db.session.commit()  # give the connection back while waiting (20 threads, a pool of 15)
            barrier.wait(timeout=60)
            try:
                checkout.place_order(buyer, address=address(), payment_method="cod", token=token,
                                     voucher_code="TET2027")
                db.session.commit()
                return "ok"
            except VoucherRefused as refusal:
                db.session.rollback()
                return refusal.reason
            finally:
                db.session.remove()

    with ThreadPoolExecutor(len(tokens)) as pool:
        return list(pool.map(buy, zip(buyer_ids, tokens, strict=True)))


def test_twenty_checkouts_for_the_last_use_make_one_discounted_order(app):
    """A code with one use left and 20 buyers checking out at the same moment: one order, 19 "used up"."""
    product = make_product(price_vnd=100_000, stock=CHECKOUTS)
    make_voucher("TET2027", total_limit=1)
    buyers = [make_user(email=f"tet{n}@example.test") for n in range(CHECKOUTS)]
    for buyer in buyers:
        carts.add_to_cart(product.id, 1, user=buyer)
    db.session.commit()
    results = _race(app, [buyer.id for buyer in buyers], [f"tet-{n}" for n in range(CHECKOUTS)])
    assert results.count("ok") == 1 and results.count("used_up") == CHECKOUTS - 1, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(Voucher.used_count).where(Voucher.code == "TET2027")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoucherRedemption)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_one_buyer_checking_out_in_eight_tabs_uses_a_one_per_buyer_code_once(app):
    """Eight simultaneous checkouts of one buyer (different forms) with a one-per-buyer code: one order."""
    product = make_product(price_vnd=100_000, stock=50)
    make_voucher("TET2027", total_limit=None, per_user_limit=1)
    buyer = make_user()
    carts.add_to_cart(product.id, 1, user=buyer)
    db.session.commit()
    results = _race(app, [buyer.id] * 8, [f"tab-{n}" for n in range(8)])
    assert results.count("ok") == 1 and results.count("already_used") == 7, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(VoucherUse.used_count)) == 1
    assert db.session.scalar(sa.select(Voucher.used_count)) == 1
