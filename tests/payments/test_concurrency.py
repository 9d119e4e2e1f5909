"""Concurrent payment confirmations on PostgreSQL: one order is fulfilled once, one e-mail is sent."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders.status import OrderStatus
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus, ProviderEvent
from tests.factories import make_product, make_user
from tests.fixtures.stripe import post_event, stripe_event
from tests.orders.helpers import place

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so webhooks cannot race there")]


@pytest.fixture
def paid_session(app, client, login_as, fake_stripe):
    buyer = make_user(email="race@example.test")
    order = place(buyer, [make_product(price_vnd=70000, stock=3)], method="card")
    db.session.commit()
    login_as(buyer)
    assert client.post(f"/payments/pay/{order.number}").status_code == 302
    session = fake_stripe.complete(list(fake_stripe.sessions)[-1])
    return buyer, order, session


def _fulfilled_once(order, outbox):
    db.session.expire_all()
    sub = order.producer_orders[0]
    db.session.refresh(sub)
    assert sub.status == OrderStatus.PAID
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 1
    statuses = db.session.scalars(sa.select(Payment.status).where(Payment.kind == PaymentKind.CHARGE)).all()
    assert statuses == [PaymentStatus.SUCCEEDED]
    outbox.wait_for(1)
    assert len(outbox.to("race@example.test")) == 1


def test_concurrent_completed_events_mark_paid_once(app, paid_session, outbox):
    """Ten deliveries at once (five of them the same event id): paid once, one sale, one e-mail."""
    _buyer, order, session = paid_session
    events = [stripe_event("checkout.session.completed", session, event_id=f"evt_same_{n % 5}") for n in range(10)]
    barrier = threading.Barrier(len(events), timeout=60)

    def deliver(event):
        each = app.test_client()
        barrier.wait()
        return post_event(each, event).status_code

    with ThreadPoolExecutor(len(events)) as pool:
        assert set(pool.map(deliver, events)) == {200}
    _fulfilled_once(order, outbox)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderEvent)) == 5


def test_webhook_racing_the_success_page_fulfils_once(app, client, paid_session, outbox, login_as):
    """The buyer's return and Stripe's webhook arrive together: one of them fulfils, the other finds it done."""
    buyer, order, session = paid_session
    browser = login_as(buyer, app.test_client())
    barrier = threading.Barrier(2, timeout=60)

    def webhook():
        each = app.test_client()
        barrier.wait()
        return post_event(each, stripe_event("checkout.session.completed", session)).status_code

    def success_page():
        barrier.wait()
        return browser.get(f"/payments/stripe/success?session_id={session['id']}").status_code

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(webhook), pool.submit(success_page)]
        assert [r.result() for r in results] == [200, 302]
    _fulfilled_once(order, outbox)
