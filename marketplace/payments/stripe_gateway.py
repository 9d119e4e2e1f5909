"""The thin adapter to Stripe: the only module that imports stripe.

StripeClient is built per call from the configuration: STRIPE_API_BASE points it at another server
(the fake one in the tests), STRIPE_TIMEOUT_SECONDS keeps a slow Stripe from outliving a gunicorn
worker (the SDK default is 80 s), and two network retries reuse the request's idempotency key.
Amounts are đồng, passed unchanged (VND is a zero-decimal currency at Stripe).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

import stripe
from flask import current_app

from marketplace.errors import DomainError

log = logging.getLogger(__name__)
CURRENCY = "vnd"


class GatewayError(DomainError):
    """Stripe refused the request or could not be reached."""


class InvalidSignature(DomainError):
    """A webhook whose signature does not verify with the endpoint secret."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str | None
    payment_status: str | None
    amount_total: int | None
    currency: str | None
    order_number: str | None
    payment_intent: str | None


@dataclass(frozen=True)
class Refund:
    id: str
    status: str
    amount: int


def _client() -> stripe.StripeClient:
    config = current_app.config
    options = {}
    if config.get("STRIPE_API_BASE"):
        options["base_addresses"] = {"api": config["STRIPE_API_BASE"]}
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=config.get("STRIPE_TIMEOUT_SECONDS", 7)),
        **options,
    )


def is_configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _plain(obj) -> dict:
    """SDK objects are not dicts in stripe 16; webhook payloads already are."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def _session(obj) -> CheckoutSession:
    obj = _plain(obj)
    metadata = obj.get("metadata") or {}
    intent = obj.get("payment_intent")
    if intent is not None and not isinstance(intent, str):
        intent = intent.get("id")
    return CheckoutSession(
        id=obj["id"], url=obj.get("url"), status=obj.get("status"), payment_status=obj.get("payment_status"),
        amount_total=obj.get("amount_total"), currency=obj.get("currency"),
        order_number=metadata.get("order_number") or obj.get("client_reference_id"), payment_intent=intent,
    )


def session_from_event_object(obj: dict) -> CheckoutSession:
    """The session described inside a webhook event."""
    return _session(obj)


def create_checkout_session(*, order_number: str, items: list[tuple[str, int, int]], success_url: str,
                            cancel_url: str, expires_at: datetime | None, customer_email: str | None,
                            idempotency_key: str) -> CheckoutSession:
    """A hosted Checkout Session; `items` are (name, unit amount in đồng, quantity)."""
    params = {
        "mode": "payment",
        "line_items": [
            {"price_data": {"currency": CURRENCY, "unit_amount": amount, "product_data": {"name": name[:250]}},
             "quantity": quantity}
            for name, amount, quantity in items
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": order_number,
        "metadata": {"order_number": order_number},
        "payment_intent_data": {"metadata": {"order_number": order_number}},
    }
    if customer_email:
        params["customer_email"] = customer_email
    if expires_at is not None:
        params["expires_at"] = int(expires_at.timestamp())
    try:
        session = _client().v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        log.warning("stripe: creating the checkout session of %s failed: %s", order_number, error)
        raise GatewayError(str(getattr(error, "user_message", None) or error)[:500]) from error
    return _session(session)


def retrieve_checkout_session(session_id: str) -> CheckoutSession:
    """Ask Stripe for the session's current state (never trust a redirect URL)."""
    try:
        return _session(_client().v1.checkout.sessions.retrieve(session_id))
    except stripe.StripeError as error:
        raise GatewayError(str(error)[:500]) from error


def expire_checkout_session(session_id: str) -> CheckoutSession:
    """Close an open session so it can no longer be paid."""
    try:
        return _session(_client().v1.checkout.sessions.expire(session_id))
    except stripe.StripeError as error:
        raise GatewayError(str(error)[:500]) from error


def create_refund(*, payment_intent: str, amount_vnd: int, idempotency_key: str, order_number: str) -> Refund:
    """Refund part or all of a payment; the key makes a retried refund return the first one."""
    try:
        refund = _client().v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount_vnd, "metadata": {"order_number": order_number}},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        log.warning("stripe: refund for %s failed: %s", order_number, error)
        raise GatewayError(str(getattr(error, "user_message", None) or error)[:500]) from error
    refund = _plain(refund)
    return Refund(id=refund["id"], status=refund.get("status") or "pending", amount=refund.get("amount") or amount_vnd)


def parse_webhook(payload: bytes, signature: str | None) -> dict:
    """Verify the signature on the raw body and return the event as a plain dict."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise InvalidSignature("missing signature or secret")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidSignature(str(error)) from error
    return event.to_dict()
