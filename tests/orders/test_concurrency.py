"""Real concurrency on PostgreSQL: the last units are sold exactly once, however many buyers race.

SQLite serialises every writer on one database lock, so these races cannot happen there: the tests skip
on SQLite with that reason and run with TEST_DATABASE_URL pointing at PostgreSQL.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.stock.services import OutOfStock
from tests.factories import make_product, make_user
from tests.fixtures.auth import login_session
from tests.orders.helpers import address, checkout_form, stock_of

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so concurrent checkouts cannot race there")]
ROOT = Path(__file__).resolve().parents[2]
BUYERS = 24
UNITS = 5


def _setup_race():
    product = make_product(price_vnd=100000, stock=UNITS)
    buyers = [make_user(email=f"racer{n}@example.test") for n in range(BUYERS)]
    for buyer in buyers:
        carts.add_to_cart(product.id, 1, user=buyer)
    db.session.commit()
    return product.id, [buyer.id for buyer in buyers]


def _assert_sold_exactly(product_id):
    db.session.expire_all()
    product = db.session.get(Product, product_id)
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
    assert orders == UNITS
    assert stock_of(product) == 0
    sold_units = db.session.scalar(sa.text(
        "SELECT COALESCE(SUM(quantity), 0) FROM order_lines WHERE product_id = :p"), {"p": product_id})
    assert sold_units + stock_of(product) == UNITS


def test_many_threads_buying_the_last_units_sell_exactly_that_many(app):
    """24 buyers, each in their own thread and session, race for 5 units: 5 orders, stock 0, nothing oversold."""
    product_id, buyer_ids = _setup_race()
    barrier = threading.Barrier(BUYERS, timeout=60)

    def buy(buyer_id):
        with app.app_context(), app.test_request_context("/"):
            from marketplace.accounts.models import User

            buyer = db.session.get(User, buyer_id)
            # Give the connection back while waiting: 24 threads share a pool of 15.
            db.session.commit()
            barrier.wait(timeout=60)
            try:
                checkout.place_order(buyer, address=address(), payment_method="card",
                                     token=f"race-{buyer_id}")
                db.session.commit()
                return "ok"
            except (OutOfStock, checkout.CartNeedsAttention):
                # Refused at the reservation, or already at the pre-check once the stock showed 0.
                db.session.rollback()
                return "out"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(BUYERS) as pool:
        results = list(pool.map(buy, buyer_ids))
    assert results.count("ok") == UNITS and results.count("out") == BUYERS - UNITS
    _assert_sold_exactly(product_id)


def test_double_submitted_checkout_at_the_same_moment_makes_one_order(app, client, login_as):
    """Eight simultaneous submits of one checkout form: one order, the others redirect to it."""
    product = make_product(stock=10)
    buyer = make_user()
    carts.add_to_cart(product.id, 2, user=buyer)
    db.session.commit()
    clients = [login_as(buyer, app.test_client()) for _ in range(8)]
    barrier = threading.Barrier(len(clients), timeout=60)

    def submit(each):
        barrier.wait()
        return each.post("/checkout", data=checkout_form(token="one-form"))

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(submit, clients))
    assert {r.status_code for r in responses} == {302}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert stock_of(product) == 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(app, user, user_agent):
    """A signed session cookie logging `user` in, as Flask-Login would leave it after a login."""
    written = login_session(app, user, environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": user_agent})
    return app.session_interface.get_signing_serializer(app).dumps(written)


def test_two_gunicorn_workers_sell_the_last_units_exactly_once(app, database_url):
    """Through real HTTP and two gunicorn worker processes, 24 checkouts for 5 units give 5 orders."""
    product_id, buyer_ids = _setup_race()
    from marketplace.accounts.models import User

    user_agent = "concurrency-test"
    cookies = [_session_cookie(app, db.session.get(User, buyer_id), user_agent) for buyer_id in buyer_ids]
    port = _free_port()
    env = dict(os.environ, TEST_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
         "tests.orders.gunicorn_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start: " + server.stderr.read1().decode(errors="replace"))
        barrier = threading.Barrier(BUYERS, timeout=60)

        def checkout(index):
            http = requests.Session()
            http.headers["User-Agent"] = user_agent
            http.cookies.set("session", cookies[index], domain="127.0.0.1", path="/")
            barrier.wait()
            return http.post(f"{base}/checkout", data=checkout_form(token=f"http-{index}", payment_method="vietqr"),
                             allow_redirects=False, timeout=60)

        with ThreadPoolExecutor(BUYERS) as pool:
            responses = list(pool.map(checkout, range(BUYERS)))
        locations = [r.headers.get("Location", "") for r in responses]
        assert all(r.status_code == 302 for r in responses), [r.status_code for r in responses]
        assert sum("/payments/vietqr/" in location for location in locations) == UNITS
        assert sum(location.endswith("/cart") for location in locations) == BUYERS - UNITS
    finally:
        server.terminate()
        server.wait(timeout=30)
    _assert_sold_exactly(product_id)
