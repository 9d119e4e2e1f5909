"""E-wallet IPNs racing each other and the buyer's return on PostgreSQL: one payment, one ledger sale."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders.status import OrderStatus
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus
from tests.factories import make_product, make_user
from tests.orders.helpers import place

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so notifications cannot race there")]


def _placed(app, client, login_as, method):
    buyer = make_user(email=f"race-{method}@example.test")
    order = place(buyer, [make_product(price_vnd=70000, stock=3)], method=method)
    db.session.commit()
    login_as(buyer)
    response = client.post(f"/payments/pay/{order.number}")
    assert response.status_code == 302
    return buyer, order, response.headers["Location"]


def _paid_once(order, outbox, email):
    db.session.expire_all()
    sub = order.producer_orders[0]
    db.session.refresh(sub)
    assert sub.status == OrderStatus.PAID
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 1
    statuses = db.session.scalars(sa.select(Payment.status).where(Payment.kind == PaymentKind.CHARGE)).all()
    assert statuses == [PaymentStatus.SUCCEEDED]
    outbox.wait_for(1)
    assert len(outbox.to(email)) == 1


def test_vnpay_ipns_and_the_return_racing_pay_once(app, client, login_as, fake_vnpay, outbox):
    """Six IPN deliveries and the buyer's return at once: paid once, one sale, one e-mail."""
    import urllib.request

    buyer, order, location = _placed(app, client, login_as, "vnpay")
    urllib.request.urlopen(location, timeout=5).read()  # noqa: S310 the buyer opens the fake VNPAY page
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    browser = login_as(buyer, app.test_client())
    barrier = threading.Barrier(7, timeout=60)

    def ipn():
        each = app.test_client()
        barrier.wait()
        return each.get("/payments/vnpay/ipn", query_string=params).get_json()["RspCode"]

    def back_from_vnpay():
        barrier.wait()
        return browser.get("/payments/vnpay/return", query_string=params).status_code

    with ThreadPoolExecutor(7) as pool:
        answers = [pool.submit(ipn) for _ in range(6)]
        page = pool.submit(back_from_vnpay)
        codes = [answer.result() for answer in answers]
        assert page.result() == 200
    assert set(codes) <= {"00", "02"} and codes.count("00") <= 1
    _paid_once(order, outbox, "race-vnpay@example.test")


def test_momo_ipns_racing_pay_once(app, client, login_as, fake_momo, outbox):
    """Six MoMo IPN deliveries at once: all answered 204, paid once, one sale, one e-mail."""
    _buyer, order, _location = _placed(app, client, login_as, "momo")
    body = json.dumps(fake_momo.pay(fake_momo.last_reference()))
    barrier = threading.Barrier(6, timeout=60)

    def ipn():
        each = app.test_client()
        barrier.wait()
        return each.post("/payments/momo/ipn", data=body, headers={"Content-Type": "application/json"}).status_code

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(lambda _n: ipn(), range(6))) == {204}
    _paid_once(order, outbox, "race-momo@example.test")
