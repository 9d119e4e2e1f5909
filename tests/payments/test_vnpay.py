"""VNPAY through a fake gateway on 127.0.0.1: the signed payment URL, the IPN, the buyer's return, expiry."""

import urllib.request
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.orders.status import OrderStatus
from marketplace.payments.models import Payment, PaymentEvent, PaymentKind, PaymentStatus, ProviderEvent
from tests.factories import make_product, make_user
from tests.orders.helpers import address, place, stock_of
from tests.vouchers.helpers import make_voucher

S = OrderStatus


@pytest.fixture
def vnpay_order(client, login_as, fake_vnpay):
    """A logged-in buyer with a placed VNPAY order of 2 × 150.000 ₫ plus shipping (stock 5 -> 3)."""
    buyer = make_user(email="vnpay@example.test")
    product = make_product(price_vnd=150000, stock=5)
    order = place(buyer, [product], method="vnpay", quantity=2)
    db.session.commit()
    login_as(buyer)
    return order, product


def _start(client, order) -> str:
    """Press "Pay now" and follow the redirect to the (fake) VNPAY page, as the browser would."""
    response = client.post(f"/payments/pay/{order.number}")
    assert response.status_code == 302
    location = response.headers["Location"]
    with urllib.request.urlopen(location, timeout=5) as page:  # noqa: S310 the local fake
        assert page.status == 200
    return location


def _ipn(client, params):
    return client.get("/payments/vnpay/ipn", query_string=params)


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
    assert _count(SaleEntry) == 1
    assert _statuses(order) == [S.PAID]
    return charges[0]


def test_payment_url_is_signed_with_hmac_sha512_and_the_amount_times_100(client, vnpay_order, fake_vnpay):
    """The buyer goes to VNPAY with vnp_Amount = total × 100 in VND, signed so the gateway accepts it."""
    order, _product = vnpay_order
    location = _start(client, order)
    params = dict(parse_qsl(urlsplit(location).query))
    assert params["vnp_Amount"] == str(order.total_vnd * 100)
    assert params["vnp_CurrCode"] == "VND" and params["vnp_Command"] == "pay" and params["vnp_Version"] == "2.1.0"
    assert params["vnp_ReturnUrl"] == "http://localhost/payments/vnpay/return"
    assert len(params["vnp_SecureHash"]) == 128 and "vnp_ExpireDate" in params
    assert fake_vnpay.refused == [] and len(fake_vnpay.transactions) == 1
    payment = db.session.scalar(sa.select(Payment))
    assert payment.provider == "vnpay" and payment.status == PaymentStatus.STARTED
    assert payment.external_id == params["vnp_TxnRef"] and payment.amount_vnd == order.total_vnd


def test_ipn_pays_once_and_a_replay_is_already_confirmed(client, vnpay_order, fake_vnpay, outbox):
    """A signed IPN pays the order (RspCode 00); the same IPN again answers 02 and changes nothing."""
    order, product = vnpay_order
    _start(client, order)
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    assert _ipn(client, params).get_json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert _ipn(client, params).get_json() == {"RspCode": "02", "Message": "Order already confirmed"}
    payment = _one_payment_one_sale(order)
    assert payment.external_reference == params["vnp_TransactionNo"]
    assert stock_of(product) == 3
    assert _count(PaymentEvent, PaymentEvent.payment_id == payment.id) == 2  # started, then succeeded
    outbox.wait_for(1)
    assert len(outbox.to("vnpay@example.test")) == 1


@pytest.mark.parametrize("forgery", ["other secret", "tampered amount", "no hash"])
def test_forged_ipn_is_refused_and_changes_nothing(client, vnpay_order, fake_vnpay, forgery):
    """A signature made with another secret, a changed amount under the old hash, or none: RspCode 97."""
    order, _product = vnpay_order
    _start(client, order)
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    if forgery == "other secret":
        params = fake_vnpay.signed(params, secret="attacker")
    elif forgery == "tampered amount":
        params["vnp_Amount"] = "100"
    else:
        params.pop("vnp_SecureHash")
    assert _ipn(client, params).get_json() == {"RspCode": "97", "Message": "Invalid signature"}
    assert _statuses(order) == [S.PENDING_PAYMENT]
    assert _count(SaleEntry) == 0 and _count(ProviderEvent) == 0
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.STARTED
    # The genuine IPN still pays the order, once.
    assert _ipn(client, fake_vnpay.signed(fake_vnpay.pay(fake_vnpay.last_reference()))).get_json()["RspCode"] == "00"
    _one_payment_one_sale(order)


def test_wrong_amount_is_refused_then_the_right_one_pays_once(client, vnpay_order, fake_vnpay):
    """A signed IPN for another amount answers 04 and does not pay; the genuine one then pays exactly once."""
    order, _product = vnpay_order
    _start(client, order)
    ref = fake_vnpay.last_reference()
    wrong = fake_vnpay.pay(ref, amount_vnd=order.total_vnd - 1000)
    assert _ipn(client, wrong).get_json() == {"RspCode": "04", "Message": "invalid amount"}
    assert _statuses(order) == [S.PENDING_PAYMENT] and _count(SaleEntry) == 0
    assert _ipn(client, fake_vnpay.pay(ref)).get_json()["RspCode"] == "00"
    assert _ipn(client, wrong).get_json()["RspCode"] == "04"
    _one_payment_one_sale(order)


def test_unknown_reference_is_order_not_found(client, vnpay_order, fake_vnpay):
    """An IPN for a reference we never sent: RspCode 01."""
    order, _product = vnpay_order
    _start(client, order)
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    params["vnp_TxnRef"] = "OC9999999999A1"
    assert _ipn(client, fake_vnpay.signed(params)).get_json() == {"RspCode": "01", "Message": "Order not found"}
    assert _statuses(order) == [S.PENDING_PAYMENT]


def test_return_before_the_ipn_asks_vnpay_then_the_ipn_changes_nothing(client, vnpay_order, fake_vnpay):
    """Back from VNPAY before its IPN: querydr confirms the payment, the page says so; the late IPN is a 02."""
    order, _product = vnpay_order
    _start(client, order)
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    page = client.get("/payments/vnpay/return", query_string=params)
    assert page.status_code == 200
    assert "Đã nhận thanh toán" in page.get_data(as_text=True)
    assert any(path == "/merchant_webapi/api/transaction" for _m, path, _b in fake_vnpay.requests)
    assert fake_vnpay.refused == []
    assert _ipn(client, params).get_json()["RspCode"] == "02"
    _one_payment_one_sale(order)


def test_ipn_before_the_return_shows_paid_without_asking_again(client, vnpay_order, fake_vnpay):
    """IPN first, then the buyer's return: the page says paid, still one payment and one sale."""
    order, _product = vnpay_order
    _start(client, order)
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    assert _ipn(client, params).get_json()["RspCode"] == "00"
    requests_before = len(fake_vnpay.requests)
    page = client.get("/payments/vnpay/return", query_string={**params, "lang": "en"})
    assert "Payment received" in page.get_data(as_text=True)
    assert len(fake_vnpay.requests) == requests_before
    _one_payment_one_sale(order)


def test_a_forged_return_is_refused_and_marks_nothing_paid(client, vnpay_order, fake_vnpay):
    """A return URL whose signature does not verify: 400 with a clear message, the order still unpaid."""
    order, _product = vnpay_order
    _start(client, order)
    params = fake_vnpay.signed(fake_vnpay.pay(fake_vnpay.last_reference()), secret="attacker")
    page = client.get("/payments/vnpay/return", query_string=params)
    assert page.status_code == 400
    assert "Liên kết thanh toán này không hợp lệ" in page.get_data(as_text=True)
    assert _statuses(order) == [S.PENDING_PAYMENT] and _count(SaleEntry) == 0


def test_another_buyers_return_is_not_found(client, vnpay_order, fake_vnpay, login_as):
    """Someone else opening the buyer's (validly signed) return URL gets 404 and learns nothing."""
    order, _product = vnpay_order
    _start(client, order)
    params = fake_vnpay.pay(fake_vnpay.last_reference())
    login_as(make_user(email="stranger@example.test"))
    assert client.get("/payments/vnpay/return", query_string=params).status_code == 404
    assert _statuses(order) == [S.PENDING_PAYMENT]


def test_a_cancelled_payment_keeps_the_order_and_stock_and_can_be_retried(client, vnpay_order, fake_vnpay):
    """The buyer cancels at VNPAY: the page says no money was taken, the units stay reserved, a retry
    opens a new attempt with a new reference, and paying that one pays the order once."""
    order, product = vnpay_order
    _start(client, order)
    first = fake_vnpay.last_reference()
    cancelled = fake_vnpay.cancel(first)
    page = client.get("/payments/vnpay/return", query_string=cancelled).get_data(as_text=True)
    assert "Thanh toán chưa hoàn tất" in page and "Thanh toán lại" in page
    assert _statuses(order) == [S.PENDING_PAYMENT] and stock_of(product) == 3
    assert _ipn(client, cancelled).get_json()["RspCode"] == "00"  # the failure is recorded once
    _start(client, order)
    second = fake_vnpay.last_reference()
    assert second != first
    assert _ipn(client, fake_vnpay.pay(second)).get_json()["RspCode"] == "00"
    statuses = dict(db.session.execute(sa.select(Payment.external_id, Payment.status)).all())
    assert statuses == {first: PaymentStatus.FAILED, second: PaymentStatus.SUCCEEDED}
    assert _count(SaleEntry) == 1 and _statuses(order) == [S.PAID]


def test_unpaid_order_expires_and_its_stock_comes_back(app, client, vnpay_order, fake_vnpay, runner):
    """Past its time with nothing paid at VNPAY: expire-unpaid asks VNPAY, closes the attempt, cancels."""
    order, product = vnpay_order
    _start(client, order)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["payments", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    assert _statuses(order) == [S.CANCELLED] and stock_of(product) == 5
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.EXPIRED


def test_expiry_notices_a_payment_whose_ipn_never_came(app, client, vnpay_order, fake_vnpay, runner):
    """Paid at VNPAY but no IPN yet when the order expires: the job asks VNPAY and fulfils instead."""
    order, product = vnpay_order
    _start(client, order)
    fake_vnpay.pay(fake_vnpay.last_reference())
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["payments", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    _one_payment_one_sale(order)
    assert stock_of(product) == 3


def test_an_ipn_after_the_order_expired_is_kept_for_a_refund(app, client, vnpay_order, fake_vnpay, runner):
    """The order was cancelled unpaid, then VNPAY reports a payment: no sale, the money kept as unmatched."""
    order, product = vnpay_order
    _start(client, order)
    ref = fake_vnpay.last_reference()
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    runner.invoke(args=["payments", "expire-unpaid"])
    assert _ipn(client, fake_vnpay.pay(ref)).get_json()["RspCode"] == "02"
    assert _statuses(order) == [S.CANCELLED] and stock_of(product) == 5
    assert _count(SaleEntry) == 0
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.UNMATCHED
    page = client.get("/payments/vnpay/return", query_string=fake_vnpay.pay(ref)).get_data(as_text=True)
    assert "cần chúng tôi kiểm tra" in page



def test_the_office_records_the_refund_of_an_unmatched_payment(app, client, vnpay_order, fake_vnpay, runner,
                                                               login_as):
    """Money that came for a cancelled order is listed for the office; recording its refund once removes it."""
    order, _product = vnpay_order
    _start(client, order)
    ref = fake_vnpay.last_reference()
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    runner.invoke(args=["payments", "expire-unpaid"])
    params = fake_vnpay.pay(ref)
    _ipn(client, params)
    admin = make_user(email="office@example.test", role=Role.ADMIN)
    db.session.commit()
    login_as(admin)
    page = client.get("/payments/admin/wallet-refunds").get_data(as_text=True)
    assert order.number in page and "Đã trả cho một đơn hàng đã hủy hoặc đã được thanh toán" in page
    charge = db.session.scalar(sa.select(Payment).where(Payment.kind == PaymentKind.CHARGE))
    url = f"/payments/admin/wallet-refunds/{charge.id}/done"
    response = client.post(url, data={"reference": "HT-123"}, follow_redirects=True)
    assert "Đã ghi nhận khoản hoàn tiền" in response.get_data(as_text=True)
    assert order.number not in client.get("/payments/admin/wallet-refunds").get_data(as_text=True)
    assert "đã được ghi nhận" in client.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    refunds = list(db.session.scalars(sa.select(Payment).where(Payment.kind == PaymentKind.REFUND)))
    assert [(r.amount_vnd, r.status, r.external_reference) for r in refunds] == [
        (order.total_vnd, PaymentStatus.SUCCEEDED, "HT-123")]


def test_cancelling_a_paid_wallet_order_lists_its_refund_until_recorded(client, vnpay_order, fake_vnpay, login_as):
    """The buyer cancels a paid VNPAY order: stock back, sale reversed, the refund waits for the office."""
    order, product = vnpay_order
    _start(client, order)
    _ipn(client, fake_vnpay.pay(fake_vnpay.last_reference()))
    assert client.post(f"/orders/{order.number}/cancel", data={
        "parts": [str(po.id) for po in order.producer_orders], "reason": "change_payment"}).status_code == 302
    assert _statuses(order) == [S.REFUNDED] and stock_of(product) == 5
    refund = db.session.scalar(sa.select(Payment).where(Payment.kind == PaymentKind.REFUND))
    assert refund.status == PaymentStatus.STARTED and refund.provider == "vnpay"
    charge = db.session.scalar(sa.select(Payment).where(Payment.kind == PaymentKind.CHARGE))
    assert refund.external_reference == charge.external_reference  # the VNPAY transaction to refund
    login_as(make_user(role=Role.ADMIN))
    assert order.number in client.get("/payments/admin/wallet-refunds").get_data(as_text=True)
    client.post(f"/payments/admin/wallet-refunds/{refund.id}/done", data={"reference": "VNP-R-1"})
    db.session.refresh(refund)
    assert refund.status == PaymentStatus.SUCCEEDED and refund.external_reference == "VNP-R-1"
    assert order.number not in client.get("/payments/admin/wallet-refunds").get_data(as_text=True)


def test_the_order_page_says_how_it_was_paid_in_vietnamese(client, vnpay_order, fake_vnpay):
    """After the IPN, the buyer's order page names VNPAY in Vietnamese words, no stored code."""
    order, _product = vnpay_order
    _start(client, order)
    _ipn(client, fake_vnpay.pay(fake_vnpay.last_reference()))
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "thanh toán qua VNPAY" in page and "paid by vnpay" not in page


def test_a_voucher_order_is_paid_at_its_discounted_total(client, login_as, fake_vnpay):
    """A 10 % voucher: VNPAY is asked for the discounted total × 100; an IPN for the undiscounted price is a
    wrong amount and pays nothing; the right one pays once, and the ledger sale carries the discount."""
    buyer = make_user(email="voucher@example.test")
    product = make_product(price_vnd=150000, stock=5)
    make_voucher("GIAM10", percent=10)
    carts.add_to_cart(product.id, 2, user=buyer)
    order, _created = checkout.place_order(buyer, address=address(), payment_method="vnpay",
                                           token=checkout.new_checkout_token(), voucher_code="giam10")
    assert order.discount_vnd == 30000 and order.total_vnd == order.subtotal_vnd + order.shipping_vnd - 30000
    db.session.commit()
    login_as(buyer)
    params = dict(parse_qsl(urlsplit(_start(client, order)).query))
    assert params["vnp_Amount"] == str(order.total_vnd * 100)
    ref = fake_vnpay.last_reference()
    undiscounted = fake_vnpay.pay(ref, amount_vnd=order.total_vnd + order.discount_vnd)
    assert _ipn(client, undiscounted).get_json() == {"RspCode": "04", "Message": "invalid amount"}
    assert _statuses(order) == [S.PENDING_PAYMENT] and _count(SaleEntry) == 0
    assert _ipn(client, fake_vnpay.pay(ref)).get_json()["RspCode"] == "00"
    _one_payment_one_sale(order)
    sale = db.session.scalar(sa.select(SaleEntry))
    assert (sale.total_vnd, sale.discount_vnd, sale.discount_bearer) == (300000, 30000, "platform")
