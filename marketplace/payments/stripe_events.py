"""What each Stripe webhook event does. Each handler takes the event's data.object and returns an outcome
to store with the event (payments.webhooks verifies, deduplicates and dispatches)."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.queries import ORDER_GRAPH, order_by_number
from marketplace.orders.status import OrderStatus
from marketplace.payments import stripe_gateway
from marketplace.payments.card import apply_paid_session, payment_for_session
from marketplace.payments.models import Payment, PaymentKind
from marketplace.payments.records import add_payment, close_attempt, latest_attempt
from marketplace.payments.status import PaymentStatus
from marketplace.statemachine import InvalidTransition

S = OrderStatus


def on_session_completed(obj: dict) -> str:
    session = stripe_gateway.session_from_event_object(obj)
    payment = payment_for_session(session.id)
    order = payment.order if payment is not None else order_by_number(session.order_number)
    if order is None:
        return "ignored: unknown order"
    if session.payment_status != "paid":
        return "ignored: not paid yet"
    return apply_paid_session(order, session, payment)


def on_session_expired(obj: dict) -> str:
    session = stripe_gateway.session_from_event_object(obj)
    payment = payment_for_session(session.id)
    if payment is None:
        return "ignored: unknown session"
    close_attempt(payment, PaymentStatus.EXPIRED, reason="checkout session expired")
    latest = latest_attempt(payment.order, "card")
    if latest is not None and latest.id != payment.id:
        return "expired: an older attempt"
    cancelled = lifecycle.cancel_unpaid_order(payment.order, reason="card payment session expired")
    return f"expired: {cancelled} sub-orders cancelled"


def on_payment_failed(obj: dict) -> str:
    order = order_by_number((obj.get("metadata") or {}).get("order_number"))
    if order is None:
        return "ignored: unknown order"
    payment = latest_attempt(order, "card")
    if payment is not None and payment.status == PaymentStatus.STARTED and payment.external_id:
        try:
            stripe_gateway.expire_checkout_session(payment.external_id)
        except stripe_gateway.GatewayError:
            return "ignored: the session could not be closed"
        error = (obj.get("last_payment_error") or {}).get("message") or "payment failed"
        close_attempt(payment, PaymentStatus.FAILED, error=str(error))
    cancelled = lifecycle.cancel_unpaid_order(order, reason="card payment failed")
    return f"failed: {cancelled} sub-orders cancelled"


def on_charge_refunded(obj: dict) -> str:
    intent = obj.get("payment_intent")
    charge = db.session.scalar(sa.select(Payment).where(
        Payment.kind == PaymentKind.CHARGE, Payment.provider == "card", Payment.external_reference == intent,
        Payment.status == PaymentStatus.SUCCEEDED).options(joinedload(Payment.order).options(*ORDER_GRAPH))
    ) if intent else None
    if charge is None:
        return "ignored: unknown payment"
    order = charge.order
    refunded_total = int(obj.get("amount_refunded") or 0)
    recorded = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_vnd), 0)).where(
        Payment.order_id == order.id, Payment.kind == PaymentKind.REFUND, Payment.provider == "card")) or 0
    if refunded_total <= recorded:
        return "already recorded"
    # Refunded outside the marketplace (e.g. in the Stripe dashboard).
    add_payment(Payment(order_id=order.id, kind=PaymentKind.REFUND, provider="card",
                        amount_vnd=refunded_total - recorded, status=PaymentStatus.SUCCEEDED,
                        external_id=obj.get("id"), external_reference=intent), reason="refunded in Stripe")
    if refunded_total >= charge.amount_vnd:
        for producer_order in order.producer_orders:
            if producer_order.paid_at is not None and producer_order.status not in (S.REFUNDED, S.CANCELLED):
                try:
                    lifecycle.change_status(producer_order, S.REFUNDED, reason="refunded in Stripe")
                except InvalidTransition:
                    continue
        return "refunded"
    return "partial refund recorded"


STRIPE_HANDLERS = {
    "checkout.session.completed": on_session_completed,
    "checkout.session.async_payment_succeeded": on_session_completed,
    "checkout.session.expired": on_session_expired,
    "payment_intent.payment_failed": on_payment_failed,
    "charge.refunded": on_charge_refunded,
}
