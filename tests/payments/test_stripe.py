"""Card payments through Stripe Checkout (a fake Stripe on 127.0.0.1) and the signed webhook."""

import json

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders.status import OrderStatus
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus, ProviderEvent
from tests.factories import make_product, make_user
from tests.fixtures.stripe import post_event, signed_headers, stripe_event
from tests.orders.helpers import place, stock_of

S = OrderStatus


@pytest.fixture
def card_order(client, login_as, fake_stripe):
    """A logged-in buyer with a placed card order of 2 × 150.000 ₫ (stock 5 -> 3)."""
    buyer = make_user(email="card@example.test")
    product = make_product(price_vnd=150000, stock=5)
    order = place(buyer, [product], method="card", quantity=2)
    db.session.commit()
    login_as(buyer)
    return order, product


def _start(client, order):
    response = client.post(f"/payments/pay/{order.number}")
    assert response.status_code == 302
    return response.headers["Location"]


def _session_id(fake):
    return list(fake.sessions)[-1]


def _status(order):
    for sub in order.producer_orders:
        db.session.refresh(sub)
    return [sub.status for sub in order.producer_orders]


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_pay_creates_a_zero_decimal_vnd_session_with_an_idempotency_key(client, card_order, fake_stripe):
    """The buyer is sent to Stripe; the session is in VND for the exact total, keyed per order and attempt."""
    order, _product = card_order
    location = _start(client, order)
    assert location.startswith("https://checkout.stripe.test/")
    session = fake_stripe.sessions[_session_id(fake_stripe)]
    assert session["currency"] == "vnd" and session["amount_total"] == order.total_vnd
    assert session["metadata"]["order_number"] == order.number
    payment = db.session.scalar(sa.select(Payment))
    assert payment.idempotency_key == f"checkout-{order.number}-1" and payment.external_id == session["id"]
    assert _start(client, order) == location  # the open session is reused, not duplicated
    assert len(fake_stripe.sessions) == 1


def test_completed_webhook_marks_paid_writes_the_ledger_and_mails_once(client, card_order, fake_stripe, outbox):
    """checkout.session.completed: paid, one sale per line, one confirmation e-mail, even when delivered twice."""
    order, product = card_order
    _start(client, order)
    event = stripe_event("checkout.session.completed", fake_stripe.complete(_session_id(fake_stripe)))
    assert post_event(client, event).status_code == 200
    assert post_event(client, event).get_json()["duplicate"] is True
    assert _status(order) == [S.PAID]
    assert _count(SaleEntry) == 1 and stock_of(product) == 3
    outbox.wait_for(1)
    assert len(outbox.to("card@example.test")) == 1
    assert _count(ProviderEvent) == 1


def test_a_second_completed_event_with_another_id_changes_nothing(client, card_order, fake_stripe, outbox):
    """Two different events for the same paid session: the compare-and-set lets only the first fulfil."""
    order, _product = card_order
    _start(client, order)
    session = fake_stripe.complete(_session_id(fake_stripe))
    post_event(client, stripe_event("checkout.session.completed", session))
    response = post_event(client, stripe_event("checkout.session.completed", session))
    assert response.get_json()["outcome"] == "already paid"
    assert _count(SaleEntry) == 1
    outbox.wait_for(1)
    assert len(outbox.to("card@example.test")) == 1


@pytest.mark.parametrize("headers", [
    {},
    {"Stripe-Signature": "t=1,v1=deadbeef"},
    "forged",
])
def test_forged_or_missing_signatures_are_refused_and_change_nothing(client, card_order, fake_stripe, headers):
    """No signature, a junk one, or one made with another secret: 400, nothing stored, order unpaid."""
    order, _product = card_order
    _start(client, order)
    event = stripe_event("checkout.session.completed", fake_stripe.complete(_session_id(fake_stripe)))
    if headers == "forged":
        response = post_event(client, event, secret="whsec_attacker")
    else:
        response = post_event(client, event, headers={"Content-Type": "application/json", **headers})
    assert response.status_code == 400
    assert _status(order) == [S.PENDING_PAYMENT]
    assert _count(ProviderEvent) == 0 and _count(SaleEntry) == 0


def test_a_tampered_body_fails_verification(client, card_order, fake_stripe):
    """A signature for one body does not cover a changed body (the raw bytes are verified)."""
    order, _product = card_order
    _start(client, order)
    payload = json.dumps(stripe_event("checkout.session.completed", fake_stripe.complete(_session_id(fake_stripe))))
    headers = signed_headers(payload)
    response = client.post("/payments/stripe/webhook", data=payload.replace('"paid"', '"paid" '), headers=headers)
    assert response.status_code == 400
    assert _status(order) == [S.PENDING_PAYMENT]


@pytest.mark.parametrize(("amount", "currency"), [(1000, "vnd"), (None, "usd")])
def test_wrong_amount_or_currency_is_recorded_and_refused(client, card_order, fake_stripe, amount, currency):
    """A completed session that does not match the order's total in VND does not mark it paid."""
    order, _product = card_order
    _start(client, order)
    session = fake_stripe.complete(_session_id(fake_stripe), amount_total=amount, currency=currency)
    response = post_event(client, stripe_event("checkout.session.completed", session))
    assert response.status_code == 200 and response.get_json()["outcome"].startswith("refused")
    assert _status(order) == [S.PENDING_PAYMENT]
    payment = db.session.scalar(sa.select(Payment))
    assert payment.status == PaymentStatus.UNMATCHED and "does not match" in payment.error
    assert _count(SaleEntry) == 0


def test_expired_session_releases_the_stock(client, card_order, fake_stripe):
    """checkout.session.expired cancels the unpaid sub-orders and gives the units back."""
    order, product = card_order
    _start(client, order)
    post_event(client, stripe_event("checkout.session.expired", fake_stripe.expire(_session_id(fake_stripe))))
    assert _status(order) == [S.CANCELLED] and stock_of(product) == 5


def test_expired_after_completed_does_nothing(client, card_order, fake_stripe):
    """Out of order: an expiry arriving after payment leaves the order paid."""
    order, product = card_order
    _start(client, order)
    session = fake_stripe.complete(_session_id(fake_stripe))
    post_event(client, stripe_event("checkout.session.completed", session))
    post_event(client, stripe_event("checkout.session.expired", dict(session, status="expired")))
    assert _status(order) == [S.PAID] and stock_of(product) == 3


def test_completed_after_expired_does_not_resurrect(client, card_order, fake_stripe):
    """Out of order: a payment arriving after the expiry is recorded as unmatched; the order stays cancelled."""
    order, product = card_order
    _start(client, order)
    session_id = _session_id(fake_stripe)
    post_event(client, stripe_event("checkout.session.expired", fake_stripe.expire(session_id)))
    session = dict(fake_stripe.sessions[session_id], status="complete", payment_status="paid", payment_intent="pi_x")
    response = post_event(client, stripe_event("checkout.session.completed", session))
    assert response.get_json()["outcome"].startswith("unmatched")
    assert _status(order) == [S.CANCELLED] and stock_of(product) == 5 and _count(SaleEntry) == 0


def test_payment_failed_closes_the_session_and_releases_the_stock(client, card_order, fake_stripe):
    """payment_intent.payment_failed expires the open session and cancels the order."""
    order, product = card_order
    _start(client, order)
    intent = {"id": "pi_failed", "object": "payment_intent", "metadata": {"order_number": order.number},
              "last_payment_error": {"message": "Your card was declined."}}
    post_event(client, stripe_event("payment_intent.payment_failed", intent))
    assert _status(order) == [S.CANCELLED] and stock_of(product) == 5
    assert fake_stripe.sessions[_session_id(fake_stripe)]["status"] == "expired"


def test_success_page_asks_stripe_before_fulfilling(client, card_order, fake_stripe, outbox):
    """Returning before paying changes nothing; after paying, the success page fulfils (once with the webhook)."""
    order, _product = card_order
    _start(client, order)
    session_id = _session_id(fake_stripe)
    client.get(f"/payments/stripe/success?session_id={session_id}")
    assert _status(order) == [S.PENDING_PAYMENT]
    session = fake_stripe.complete(session_id)
    assert client.get(f"/payments/stripe/success?session_id={session_id}").status_code == 302
    assert _status(order) == [S.PAID]
    post_event(client, stripe_event("checkout.session.completed", session))
    assert _count(SaleEntry) == 1
    outbox.wait_for(1)
    assert len(outbox.to("card@example.test")) == 1


def test_success_page_with_an_unknown_session_is_a_404(client, card_order, fake_stripe):
    """A made-up session id in the URL proves nothing and changes nothing."""
    order, _product = card_order
    assert client.get("/payments/stripe/success?session_id=cs_made_up").status_code == 404
    assert _status(order) == [S.PENDING_PAYMENT]


def test_a_failed_start_is_recorded_and_the_retry_uses_a_new_key(client, card_order, fake_stripe):
    """Stripe errors on the first try: the attempt is kept as failed, and the retry gets a new idempotency key."""
    order, _product = card_order
    fake_stripe.fail_next(400)
    response = client.post(f"/payments/pay/{order.number}")
    assert response.status_code == 302 and "/orders/" in response.headers["Location"]
    first = db.session.scalar(sa.select(Payment))
    assert first.status == PaymentStatus.FAILED
    assert _start(client, order).startswith("https://checkout.stripe.test/")
    keys = db.session.scalars(sa.select(Payment.idempotency_key).order_by(Payment.id)).all()
    assert keys == [f"checkout-{order.number}-1", f"checkout-{order.number}-2"]


def test_buyer_cancel_of_a_paid_card_order_refunds_through_stripe(client, card_order, fake_stripe):
    """Cancel before shipping: a Stripe refund for the sub-order, status refunded, ledger reversed, stock back."""
    order, product = card_order
    _start(client, order)
    post_event(client, stripe_event("checkout.session.completed", fake_stripe.complete(_session_id(fake_stripe))))
    client.post(f"/orders/{order.number}/cancel", data={"parts": [str(po.id) for po in order.producer_orders],
                                                         "reason": "better_price"})
    assert _status(order) == [S.REFUNDED] and stock_of(product) == 5
    [refund] = fake_stripe.refunds.values()
    assert refund["amount"] == order.total_vnd
    assert _count(Payment, Payment.kind == PaymentKind.REFUND) == 1
    assert db.session.scalar(sa.select(sa.func.sum(SaleEntry.quantity))) == 0
    # Stripe then reports the refund: already recorded, nothing doubles.
    charge = {"id": "ch_1", "object": "charge", "payment_intent": refund["payment_intent"],
              "amount": order.total_vnd, "amount_refunded": order.total_vnd}
    assert post_event(client, stripe_event("charge.refunded", charge)).get_json()["outcome"] == "already recorded"
    assert _count(Payment, Payment.kind == PaymentKind.REFUND) == 1


def test_refund_made_in_the_stripe_dashboard_is_recorded(client, card_order, fake_stripe):
    """charge.refunded for the full amount marks the paid sub-orders refunded and reverses the ledger."""
    order, _product = card_order
    _start(client, order)
    session = fake_stripe.complete(_session_id(fake_stripe))
    post_event(client, stripe_event("checkout.session.completed", session))
    charge = {"id": "ch_2", "object": "charge", "payment_intent": session["payment_intent"],
              "amount": order.total_vnd, "amount_refunded": order.total_vnd}
    assert post_event(client, stripe_event("charge.refunded", charge)).get_json()["outcome"] == "refunded"
    assert _status(order) == [S.REFUNDED]
    assert db.session.scalar(sa.select(sa.func.sum(SaleEntry.total_vnd))) == 0


def test_expire_unpaid_cli_closes_old_sessions_and_releases_stock(app, client, card_order, fake_stripe, runner):
    """flask payments expire-unpaid: an order past its time has its session expired and its units released."""
    order, product = card_order
    _start(client, order)
    from datetime import timedelta

    from marketplace.dates import utcnow

    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["payments", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    assert order.number in result.output
    assert fake_stripe.sessions[_session_id(fake_stripe)]["status"] == "expired"
    assert _status(order) == [S.CANCELLED] and stock_of(product) == 5


def test_expire_unpaid_fulfils_an_order_paid_at_the_last_minute(client, card_order, fake_stripe, runner):
    """If Stripe says the session was paid, the expiry job marks the order paid instead of cancelling it."""
    order, product = card_order
    _start(client, order)
    fake_stripe.complete(_session_id(fake_stripe))
    from datetime import timedelta

    from marketplace.dates import utcnow

    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["payments", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    assert _status(order) == [S.PAID] and stock_of(product) == 3


def test_card_checkout_goes_straight_to_stripe(client, login_as, fake_stripe):
    """Placing a card order commits it, then creates the session and redirects the buyer to Stripe."""
    from marketplace.orders import cart as carts
    from tests.orders.helpers import checkout_form

    buyer = make_user()
    carts.add_to_cart(make_product(stock=3).id, 1, user=buyer)
    db.session.commit()
    login_as(buyer)
    response = client.post("/checkout", data=checkout_form(token="card-direct", payment_method="card"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://checkout.stripe.test/")
    assert db.session.scalar(sa.select(Payment.external_id)) == list(fake_stripe.sessions)[-1]


def test_card_checkout_when_stripe_fails_keeps_the_order_for_a_retry(client, login_as, fake_stripe):
    """Stripe down at checkout: the order exists (stock reserved), the buyer lands on the pay page with a message."""
    from marketplace.orders import cart as carts
    from marketplace.orders.models import Order
    from tests.orders.helpers import checkout_form

    buyer = make_user()
    carts.add_to_cart(make_product(stock=3).id, 1, user=buyer)
    db.session.commit()
    login_as(buyer)
    fake_stripe.fail_next(500, count=3)
    response = client.post("/checkout", data=checkout_form(token="card-down", payment_method="card"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/pay")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert db.session.scalar(sa.select(Payment.status)) == PaymentStatus.FAILED
