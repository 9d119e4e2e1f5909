"""The Stripe webhook: verify the signature on the raw body, handle each event id once, dispatch by type.

A bad or missing signature is a 400 and changes nothing. An event id already stored is a 200 no-op;
two deliveries racing each other both run, but the unique event id lets only one commit (and the
handlers' compare-and-set status changes mean the loser found nothing to do anyway).
"""

import logging

import sqlalchemy as sa
from flask import jsonify, request
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import csrf, db
from marketplace.payments import stripe_events, stripe_gateway
from marketplace.payments.models import ProviderEvent

log = logging.getLogger(__name__)


def _already_handled(event_id: str) -> bool:
    return db.session.scalar(sa.select(ProviderEvent.id).where(
        ProviderEvent.provider == "stripe", ProviderEvent.event_id == event_id)) is not None


@csrf.exempt
def stripe_webhook():
    """POST /payments/stripe/webhook"""
    payload = request.get_data(cache=False, as_text=False)
    try:
        event = stripe_gateway.parse_webhook(payload, request.headers.get("Stripe-Signature"))
    except stripe_gateway.InvalidSignature as error:
        log.warning("stripe webhook refused: %s", error.message)
        return jsonify(error="invalid signature"), 400
    event_id, event_type = str(event.get("id") or "")[:255], str(event.get("type") or "")[:80]
    if not event_id:
        return jsonify(error="no event id"), 400
    if _already_handled(event_id):
        return jsonify(received=True, duplicate=True)
    handler = stripe_events.STRIPE_HANDLERS.get(event_type)
    if handler is None:
        log.info("stripe webhook: unhandled event type %s", event_type)
        outcome = "ignored: unhandled type"
    else:
        outcome = handler((event.get("data") or {}).get("object") or {})
    db.session.add(ProviderEvent(provider="stripe", event_id=event_id, event_type=event_type, outcome=outcome[:255]))
    try:
        db.session.commit()
    except IntegrityError:
        # The same event was handled concurrently and committed first.
        db.session.rollback()
        return jsonify(received=True, duplicate=True)
    return jsonify(received=True, outcome=outcome)
