"""Card payments through Stripe Checkout: start or resume a session, apply a paid one, the buyer's return
page, and refunds. Network calls to Stripe happen before any write of the transaction.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.orders.models import Order, PaymentMethod, ProducerOrder
from marketplace.orders.queries import ORDER_GRAPH
from marketplace.payments import stripe_gateway
from marketplace.payments.fulfilment import awaits_payment, fulfil_order, record_unmatched
from marketplace.payments.models import Payment, PaymentKind
from marketplace.payments.records import PaymentRefused, add_payment, close_attempt, latest_attempt
from marketplace.payments.status import PaymentStatus
from marketplace.urls import external_url

#: Stripe refuses Checkout Sessions that expire sooner than this.
STRIPE_MIN_SESSION_MINUTES = 30


def _stripe_items(order: Order) -> list[tuple[str, int, int]]:
    items = []
    for producer_order in order.producer_orders:
        for line in producer_order.lines:
            items.append((f"{line.product_name} ({line.unit})", line.unit_price_vnd, line.quantity))
        if producer_order.shipping_fee_vnd:
            items.append((_("Shipping: %(shop)s", shop=producer_order.producer_name),
                          producer_order.shipping_fee_vnd, 1))
    return items


def start_card_payment(order: Order) -> str:
    """The Checkout URL for this order: the open session if there is one, else a new attempt.

    Call it with nothing written in the current transaction (it talks to Stripe); it flushes the new
    Payment row, and the caller commits.
    """
    if order.payment_method != PaymentMethod.CARD or not awaits_payment(order):
        raise PaymentRefused(_("This order does not await a card payment."))
    previous = latest_attempt(order, "card")
    if previous is not None and previous.status == PaymentStatus.STARTED and previous.external_id:
        session = stripe_gateway.retrieve_checkout_session(previous.external_id)
        if session.status == "open" and session.url:
            return session.url
        if session.payment_status == "paid":
            apply_paid_session(order, session, previous)
            return url_for("orders.order_detail", number=order.number)
        if session.status == "open":
            # A retry needs a new idempotency key, and the old session must be closed first.
            stripe_gateway.expire_checkout_session(previous.external_id)
        close_attempt(previous, PaymentStatus.EXPIRED, reason="replaced by a new attempt")
    attempt = (previous.attempt + 1) if previous else 1
    key = f"checkout-{order.number}-{attempt}"
    now = utcnow()
    expires_at = max(order.expires_at or now, now + timedelta(minutes=STRIPE_MIN_SESSION_MINUTES + 1))
    payment = Payment(order_id=order.id, provider="card", kind=PaymentKind.CHARGE, amount_vnd=order.total_vnd,
                      attempt=attempt, idempotency_key=key)
    try:
        session = stripe_gateway.create_checkout_session(
            order_number=order.number, items=_stripe_items(order), customer_email=order.buyer.email,
            success_url=external_url("payments.stripe_success") + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=external_url("payments.stripe_cancel", number=order.number),
            expires_at=expires_at, idempotency_key=key,
        )
    except stripe_gateway.GatewayError as error:
        payment.status = PaymentStatus.FAILED
        payment.error = error.message
        add_payment(payment, reason=error.message)
        raise PaymentRefused(_("The card payment could not be started. Please try again in a moment.")) from error
    payment.external_id = session.id
    add_payment(payment, reason="checkout session created")
    return session.url or url_for("orders.order_detail", number=order.number)


def payment_for_session(session_id: str) -> Payment | None:
    """The card attempt of a Checkout Session, with its order's whole graph."""
    return db.session.scalar(sa.select(Payment).where(
        Payment.provider == "card", Payment.kind == PaymentKind.CHARGE, Payment.external_id == str(session_id)[:255])
        .options(joinedload(Payment.order).options(*ORDER_GRAPH)))


def apply_paid_session(order: Order, session: stripe_gateway.CheckoutSession, payment: Payment | None) -> str:
    """A session Stripe says is paid: fulfil if amount and currency match the order. Returns the outcome."""
    if session.amount_total != order.total_vnd or (session.currency or "").lower() != stripe_gateway.CURRENCY:
        record_unmatched(order, provider="card", amount_vnd=session.amount_total or 0, payment=payment,
                         external_id=session.id, external_reference=session.payment_intent,
                         error=f"amount {session.amount_total} {session.currency} does not match "
                               f"{order.total_vnd} vnd")
        return "refused: amount or currency mismatch"
    if fulfil_order(order, provider="card", amount_vnd=session.amount_total, payment=payment,
                    external_id=session.id, external_reference=session.payment_intent):
        return "paid"
    # Lost the race (or nothing awaited payment): read what the winner committed before deciding.
    db.session.refresh(order)
    if payment is not None:
        db.session.refresh(payment)
    if order.paid_at is not None:
        return "already paid"
    record_unmatched(order, provider="card", amount_vnd=session.amount_total, payment=payment, external_id=session.id,
                     external_reference=session.payment_intent, error="paid after the order was cancelled")
    return "unmatched: order no longer awaits payment"


def confirm_from_success_page(buyer, session_id: str) -> tuple[Order, str]:
    """The buyer came back from Stripe: ask Stripe about the session, then fulfil (never trust the URL)."""
    payment = payment_for_session(session_id or "")
    if payment is None or payment.order.buyer_id != buyer.id:
        raise PaymentRefused(_("This payment was not found."))
    order = payment.order
    session = stripe_gateway.retrieve_checkout_session(payment.external_id)
    if session.payment_status != "paid":
        return order, "not paid"
    return order, apply_paid_session(order, session, payment)


def refund_card_payment(payment: Payment, amount_vnd: int, *, producer_order: ProducerOrder | None = None) -> Payment:
    """Refund through Stripe; the idempotency key (per sub-order) makes a repeated cancel refund once."""
    if not payment.external_reference:
        raise PaymentRefused(_("This card payment cannot be refunded automatically; please contact us."))
    scope = f"po-{producer_order.id}" if producer_order is not None else f"order-{payment.order_id}"
    key = f"refund-{scope}"
    refund = stripe_gateway.create_refund(payment_intent=payment.external_reference, amount_vnd=amount_vnd,
                                          idempotency_key=key, order_number=payment.order.number)
    row = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if row is None:
        row = add_payment(Payment(
            order_id=payment.order_id, producer_order_id=producer_order.id if producer_order else None,
            kind=PaymentKind.REFUND, provider="card", amount_vnd=refund.amount, idempotency_key=key,
            external_id=refund.id, external_reference=payment.external_reference,
            status=PaymentStatus.SUCCEEDED if refund.status == "succeeded" else PaymentStatus.STARTED,
        ), reason=f"stripe refund {refund.status}")
    return row


class CardProvider:
    """International cards through Stripe Checkout."""

    name = "card"

    def start(self, order) -> str:
        return start_card_payment(order)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        return refund_card_payment(payment, amount_vnd, producer_order=producer_order)
