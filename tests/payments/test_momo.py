"""MoMo through a fake gateway on 127.0.0.1: the signed create request, the IPN, the buyer's return, expiry."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders.status import OrderStatus
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus, ProviderEvent
from tests.factories import make_product, make_user
from tests.orders.helpers import place, stock_of

S = OrderStatus


@pytest.fixture
def momo_order(client, login_as, fake_momo):
    """A logged-in buyer with a placed MoMo order of 2 × 150.000 ₫ plus shipping (stock 5 -> 3)."""
    buyer = make_user(email="momo@example.test")
    product = make_product(price_vnd=150000, stock=5)
    order = place(buyer, [product], method="momo", quantity=2)
    db.session.commit()
    login_as(buyer)
    return order, product


def _start(client, order) -> str:
    response = client.post(f"/payments/pay/{order.number}")
    assert response.status_code == 302
    return response.headers["Location"]


def _ipn(client, body):
    return client.post("/payments/momo/ipn", data=json.dumps(body), headers={"Content-Type": "application/json"})


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _statuses(order):
    for sub in order.producer_orders:
        db.session.refresh(sub)
    return [sub.status for sub in order.producer_orders]


def _one_payment_one_sale(order):
    charges = list(db.session.scalars(sa.select(Payment).where(Payment.order_id == order.id,
                                                               Payment.kind == PaymentKind.CHARGE)))
    assert [p.status for p in charges] == [PaymentStatus.SUCCEEDED]
    assert _count(SaleEntry) == 1 and _statuses(order) == [S.PAID]
    return charges[0]


def test_create_request_is_signed_and_the_buyer_goes_to_the_pay_url(client, momo_order, fake_momo):
    """captureWallet for the exact total in đồng, HMAC-SHA256 signed (the fake verifies), then payUrl."""
    order, _product = momo_order
    location = _start(client, order)
    assert fake_momo.refused == []
    method, path, body = fake_momo.requests[-1]
    assert (method, path) == ("POST", "/v2/gateway/api/create")
    assert body["amount"] == order.total_vnd and body["requestType"] == "captureWallet"
    assert body["ipnUrl"] == "http://localhost/payments/momo/ipn"
    assert body["redirectUrl"] == "http://localhost/payments/momo/return"
    assert location == f"{fake_momo.base_url}/pay/{body['orderId']}"
    payment = db.session.scalar(sa.select(Payment))
    assert payment.provider == "momo" and payment.external_id == body["orderId"]
    assert payment.status == PaymentStatus.STARTED


def test_ipn_pays_once_and_a_replay_does_nothing(client, momo_order, fake_momo, outbox):
    """A signed IPN with resultCode 0 pays the order (204); delivered again, nothing more happens."""
    order, product = momo_order
    _start(client, order)
    body = fake_momo.pay(fake_momo.last_reference())
    assert _ipn(client, body).status_code == 204
    assert _ipn(client, body).status_code == 204
    payment = _one_payment_one_sale(order)
    assert payment.external_reference == str(body["transId"])
    assert stock_of(product) == 3 and _count(ProviderEvent) == 1
    outbox.wait_for(1)
    assert len(outbox.to("momo@example.test")) == 1


@pytest.mark.parametrize("forgery", ["other secret", "tampered amount", "no signature", "other partner", "not json"])
def test_forged_ipn_is_refused_and_changes_nothing(client, momo_order, fake_momo, forgery):
    """Another secret, a changed amount, no signature, another partner code or junk: 400, nothing stored."""
    order, _product = momo_order
    _start(client, order)
    body = fake_momo.pay(fake_momo.last_reference())
    if forgery == "other secret":
        body = fake_momo.signed(body, secret="attacker")
    elif forgery == "tampered amount":
        body["amount"] = 1000
    elif forgery == "no signature":
        body.pop("signature")
    elif forgery == "other partner":
        body = fake_momo.signed({**body, "partnerCode": "SOMEONEELSE"})
    if forgery == "not json":
        response = client.post("/payments/momo/ipn", data="resultCode=0", headers={"Content-Type": "text/plain"})
    else:
        response = _ipn(client, body)
    assert response.status_code == 400
    assert _statuses(order) == [S.PENDING_PAYMENT]
    assert _count(SaleEntry) == 0 and _count(ProviderEvent) == 0
    assert _ipn(client, fake_momo.pay(fake_momo.last_reference())).status_code == 204
    _one_payment_one_sale(order)


def test_wrong_amount_does_not_pay_then_the_right_one_pays_once(client, momo_order, fake_momo):
    """A signed IPN for another amount is recorded but pays nothing; the genuine one then pays exactly once."""
    order, _product = momo_order
    _start(client, order)
    ref = fake_momo.last_reference()
    assert _ipn(client, fake_momo.pay(ref, amount_vnd=1000)).status_code == 204
    assert _statuses(order) == [S.PENDING_PAYMENT] and _count(SaleEntry) == 0
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.UNMATCHED
    assert _ipn(client, fake_momo.pay(ref)).status_code == 204
    _one_payment_one_sale(order)


def test_return_before_the_ipn_asks_momo_then_the_ipn_changes_nothing(client, momo_order, fake_momo):
    """Back from MoMo before its IPN: the query confirms the payment, the page says so; the IPN adds nothing."""
    order, _product = momo_order
    _start(client, order)
    body = fake_momo.pay(fake_momo.last_reference())
    page = client.get("/payments/momo/return", query_string=body)
    assert page.status_code == 200 and "Đã nhận thanh toán" in page.get_data(as_text=True)
    assert any(path == "/v2/gateway/api/query" for _m, path, _b in fake_momo.requests)
    assert fake_momo.refused == []
    assert _ipn(client, body).status_code == 204
    _one_payment_one_sale(order)


def test_ipn_before_the_return_shows_paid_without_asking_again(client, momo_order, fake_momo):
    """IPN first, then the buyer's return: the page says paid without asking MoMo, still one payment and one sale."""
    order, _product = momo_order
    _start(client, order)
    body = fake_momo.pay(fake_momo.last_reference())
    assert _ipn(client, body).status_code == 204
    requests_before = len(fake_momo.requests)
    page = client.get("/payments/momo/return", query_string={**body, "lang": "en"})
    assert page.status_code == 200 and "Payment received" in page.get_data(as_text=True)
    assert len(fake_momo.requests) == requests_before
    _one_payment_one_sale(order)


@pytest.mark.parametrize("forgery", ["other secret", "tampered amount", "no signature"])
def test_a_forged_return_is_refused_and_marks_nothing_paid(client, momo_order, fake_momo, forgery):
    """A return whose signature does not verify: 400 with a clear message, MoMo not asked, the order unpaid;
    the genuine IPN then pays exactly once."""
    order, _product = momo_order
    _start(client, order)
    body = fake_momo.pay(fake_momo.last_reference())
    if forgery == "other secret":
        forged = fake_momo.signed(body, secret="attacker")
    elif forgery == "tampered amount":
        forged = {**body, "amount": 1000}
    else:
        forged = {key: value for key, value in body.items() if key != "signature"}
    requests_before = len(fake_momo.requests)
    page = client.get("/payments/momo/return", query_string=forged)
    assert page.status_code == 400
    assert "Liên kết thanh toán này không hợp lệ" in page.get_data(as_text=True)
    assert len(fake_momo.requests) == requests_before
    assert _statuses(order) == [S.PENDING_PAYMENT] and _count(SaleEntry) == 0
    assert _ipn(client, body).status_code == 204
    _one_payment_one_sale(order)


def test_a_return_claiming_success_is_checked_with_momo(client, momo_order, fake_momo):
    """A correctly signed redirect saying paid, while MoMo says the buyer has not paid: nothing is marked paid."""
    order, _product = momo_order
    _start(client, order)
    ref = fake_momo.last_reference()
    body = fake_momo.pay(ref)
    fake_momo.transactions[ref]["resultCode"] = 1000  # MoMo's own record: still waiting for the buyer
    page = client.get("/payments/momo/return", query_string=body).get_data(as_text=True)
    assert "Đang chờ xác nhận" in page
    assert _statuses(order) == [S.PENDING_PAYMENT] and _count(SaleEntry) == 0


def test_a_refused_payment_keeps_the_order_for_a_retry(client, momo_order, fake_momo):
    """The buyer refuses in the MoMo app (1006): no money taken, stock kept, a retry is a new attempt."""
    order, product = momo_order
    _start(client, order)
    first = fake_momo.last_reference()
    page = client.get("/payments/momo/return", query_string=fake_momo.cancel(first), ).get_data(as_text=True)
    assert "Bạn chưa bị trừ tiền" in page
    assert _statuses(order) == [S.PENDING_PAYMENT] and stock_of(product) == 3
    _start(client, order)
    second = fake_momo.last_reference()
    assert second != first
    assert _ipn(client, fake_momo.pay(second)).status_code == 204
    statuses = dict(db.session.execute(sa.select(Payment.external_id, Payment.status)).all())
    assert statuses == {first: PaymentStatus.FAILED, second: PaymentStatus.SUCCEEDED}
    assert _count(SaleEntry) == 1


def test_a_late_payment_of_a_replaced_attempt_is_not_a_second_sale(client, momo_order, fake_momo):
    """Two attempts both paid (the buyer paid an old MoMo page too): one sale, the second kept for a refund."""
    order, _product = momo_order
    _start(client, order)
    first = fake_momo.last_reference()
    _start(client, order)
    second = fake_momo.last_reference()
    assert _ipn(client, fake_momo.pay(second)).status_code == 204
    assert _ipn(client, fake_momo.pay(first)).status_code == 204
    statuses = dict(db.session.execute(sa.select(Payment.external_id, Payment.status)).all())
    assert statuses == {first: PaymentStatus.UNMATCHED, second: PaymentStatus.SUCCEEDED}
    assert _count(SaleEntry) == 1 and _statuses(order) == [S.PAID]


def test_unpaid_order_expires_and_its_stock_comes_back(app, client, momo_order, fake_momo, runner):
    """Past its time with the MoMo page never paid: the job asks MoMo, closes the attempt, cancels."""
    order, product = momo_order
    _start(client, order)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["payments", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    assert _statuses(order) == [S.CANCELLED] and stock_of(product) == 5
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.EXPIRED


def test_momo_limits_are_explained(client, login_as, fake_momo):
    """An order above MoMo's 50.000.000 ₫ limit: a clear message, no attempt sent to MoMo."""
    buyer = make_user()
    order = place(buyer, [make_product(price_vnd=26_000_000, stock=5)], method="momo", quantity=2)
    db.session.commit()
    login_as(buyer)
    response = client.post(f"/payments/pay/{order.number}", follow_redirects=True)
    assert "Ví MoMo chỉ nhận thanh toán từ 1.000 ₫ đến 50.000.000 ₫" in response.get_data(as_text=True)
    assert fake_momo.requests == [] and _count(Payment) == 0


def test_an_unreachable_momo_is_a_clear_message_and_a_failed_attempt(app, client, momo_order, fake_momo):
    """MoMo cannot be reached: the buyer is told to try again; the attempt is kept as failed."""
    order, _product = momo_order
    app.config["MOMO_ENDPOINT"] = "http://127.0.0.1:9"
    response = client.post(f"/payments/pay/{order.number}", follow_redirects=True)
    assert "Chưa thể bắt đầu thanh toán" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.FAILED
    assert _statuses(order) == [S.PENDING_PAYMENT]
