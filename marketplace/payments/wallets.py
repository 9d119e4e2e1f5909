"""What the two e-wallet gateways (payments.vnpay, payments.momo) share: one attempt per redirect, the
result a gateway reports (from a verified return, a verified IPN or a status query), and applying it.

A buyer's return and the gateway's IPN can arrive in any order and more than once. Whatever comes first,
the money is applied through payments.fulfilment.fulfil_order (a compare-and-set on the sub-orders), so
an order is paid once and its sale is written to the ledger once. The return page never trusts its own
URL for the money: it asks the gateway's status API (server to server) before anything is marked paid,
as the card success page asks Stripe. The IPN, signed with the shared secret, is applied directly.

Each attempt has its own reference (VNPAY vnp_TxnRef, MoMo orderId), stored in Payment.external_id;
the gateway's transaction number goes to Payment.external_reference. Refunds are recorded for the
program office to carry out in the gateway's merchant portal (payments.records.record_manual_refund).
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.orders.queries import ORDER_GRAPH
from marketplace.payments.fulfilment import awaits_payment, fulfil_order, record_unmatched
from marketplace.payments.models import Payment, PaymentKind, ProviderEvent
from marketplace.payments.records import (
    PaymentRefused,
    add_payment,
    change_payment_status,
    charges,
    close_attempt,
    latest_attempt,
    record_manual_refund,
)
from marketplace.payments.status import PaymentStatus
from marketplace.statemachine import StatusConflict

log = logging.getLogger(__name__)

PAID, FAILED, PENDING = "paid", "failed", "pending"


class WalletUnavailable(DomainError):
    """The gateway could not be reached or refused the request (the message is for the log)."""


@dataclass(frozen=True)
class WalletResult:
    """What a gateway says about one attempt, after its signature was verified."""

    #: Our reference of the attempt (vnp_TxnRef / MoMo orderId).
    reference: str
    #: PAID, FAILED or PENDING.
    state: str
    #: Đồng, as the gateway reports them (VNPAY's ×100 already divided out); None when not given.
    amount_vnd: int | None
    #: The gateway's transaction number (vnp_TransactionNo / MoMo transId), when there is one.
    transaction_id: str | None
    #: The gateway's own result code and message, kept with the attempt.
    code: str
    message: str = ""


class WalletGateway(Protocol):
    NAME: str

    def is_configured(self) -> bool: ...

    def create_payment(self, order: Order, reference: str, created_at: datetime) -> str:
        """The URL to send the buyer to for this attempt (raises WalletUnavailable)."""

    def query(self, payment: Payment) -> WalletResult:
        """Ask the gateway what became of an attempt (raises WalletUnavailable)."""


def post_json(url: str, body: dict) -> dict:
    """POST a JSON body and read a JSON answer (the gateways' server-to-server calls)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310 the configured https gateway
                                     headers={"Content-Type": "application/json; charset=UTF-8"})
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["WALLET_TIMEOUT_SECONDS"]) as answer:  # noqa: S310
            return json.loads(answer.read().decode() or "{}")
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as error:
        raise WalletUnavailable(f"{url}: {error}"[:500]) from error


def reference_for(order: Order, attempt: int) -> str:
    """One attempt's reference: the order number without dashes, "A", the attempt (letters and digits only,
    which both gateways accept; it must never repeat, so a retry gets the next attempt number)."""
    return f"{order.number.replace('-', '')}A{attempt}"


def attempt_for_reference(provider: str, reference: str) -> Payment | None:
    """The attempt with this reference, with its order's whole graph."""
    if not reference:
        return None
    return db.session.scalar(sa.select(Payment).where(
        Payment.provider == provider, Payment.kind == PaymentKind.CHARGE, Payment.external_id == str(reference)[:255])
        .options(joinedload(Payment.order).options(*ORDER_GRAPH)))


def apply_result(payment: Payment, result: WalletResult) -> str:
    """Apply what the gateway reported for this attempt; returns the outcome (stored with an IPN).

    Paid with the attempt's exact amount: the order is fulfilled (once). Paid with another amount, or
    for an order that no longer awaits payment (cancelled, or paid by another attempt): the money is
    kept as an "unmatched" payment for the program office to refund. Failed: the attempt is closed and
    the order keeps waiting (the buyer may try again until it expires). Pending: nothing changes.
    """
    order = payment.order
    if result.state == PENDING:
        return "pending"
    if result.state == FAILED:
        if payment.status == PaymentStatus.STARTED:
            close_attempt(payment, PaymentStatus.FAILED, error=f"{payment.provider} {result.code}: {result.message}")
        return "failed"
    if result.amount_vnd != payment.amount_vnd or payment.amount_vnd != order.total_vnd:
        record_unmatched(order, provider=payment.provider, amount_vnd=result.amount_vnd or 0, payment=payment,
                         external_reference=result.transaction_id,
                         error=f"amount {result.amount_vnd} does not match {payment.amount_vnd} vnd")
        return "refused: amount mismatch"
    if fulfil_order(order, provider=payment.provider, amount_vnd=payment.amount_vnd, payment=payment,
                    external_reference=result.transaction_id):
        return "paid"
    # Nothing awaited payment any more, or a concurrent delivery won: read what was committed first.
    db.session.refresh(payment)
    if payment.status == PaymentStatus.SUCCEEDED:
        return "already paid"
    db.session.refresh(order)
    error = ("paid again after the order was paid by another attempt" if order.paid_at is not None
             else "paid after the order was cancelled")
    record_unmatched(order, provider=payment.provider, amount_vnd=payment.amount_vnd, payment=payment,
                     external_reference=result.transaction_id, error=error)
    return f"unmatched: {error}"


class WalletProvider:
    """What VNPAY and MoMo share as payment providers: starting a payment through start_wallet_payment, and refunds
    recorded for the program office to carry out in the gateway's merchant portal (the refund row keeps the
    gateway's transaction numbers). Each subclass binds its module's is_configured, create_payment and query."""

    name = NAME = ""

    def start(self, order) -> str:
        return start_wallet_payment(self, order)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        refund = record_manual_refund(payment, amount_vnd, producer_order=producer_order)
        refund.external_id, refund.external_reference = payment.external_id, payment.external_reference
        return refund


def settle_from_gateway(gateway: WalletGateway, payment: Payment) -> str:
    """Ask the gateway about an attempt and apply the answer (raises WalletUnavailable)."""
    return apply_result(payment, gateway.query(payment))


def start_wallet_payment(gateway: WalletGateway, order: Order) -> str:
    """The URL to send the buyer to: a new attempt, after settling an open earlier one with the gateway.

    Call it with nothing written in the current transaction: the gateway calls come first, then the
    rows are written (flushed), and the caller commits. Raises PaymentRefused with a message for the buyer.
    """
    if order.payment_method.value != gateway.NAME or not awaits_payment(order):
        raise PaymentRefused(_("This order does not await this payment."))
    if not gateway.is_configured():
        raise PaymentRefused(_("This payment method is not available at the moment. Please choose another one."))
    previous = latest_attempt(order, gateway.NAME)
    previous_result = None
    if previous is not None and previous.status == PaymentStatus.STARTED:
        try:
            previous_result = gateway.query(previous)
        except WalletUnavailable as error:
            log.warning("%s: the status of %s could not be read: %s", gateway.NAME, previous.external_id, error.message)
    if previous_result is not None and previous_result.state == PAID:
        apply_result(previous, previous_result)
        return url_for("orders.order_detail", number=order.number)
    attempt = len(charges(order)) + 1
    reference = reference_for(order, attempt)
    now = utcnow().replace(microsecond=0)
    payment = Payment(order_id=order.id, provider=gateway.NAME, kind=PaymentKind.CHARGE, amount_vnd=order.total_vnd,
                      attempt=attempt, external_id=reference, idempotency_key=f"{gateway.NAME}-{reference}",
                      created_at=now)
    try:
        target = gateway.create_payment(order, reference, now)
    except WalletUnavailable as error:
        log.warning("%s: starting %s failed: %s", gateway.NAME, reference, error.message)
        payment.status = PaymentStatus.FAILED
        payment.error = error.message[:500]
        add_payment(payment, reason=error.message)
        raise PaymentRefused(_("The payment could not be started. Please try again in a moment.")) from error
    if previous is not None and previous.status == PaymentStatus.STARTED:
        if previous_result is not None and previous_result.state == FAILED:
            apply_result(previous, previous_result)
        else:
            close_attempt(previous, PaymentStatus.EXPIRED, reason="replaced by a new attempt")
    add_payment(payment, reason=f"{gateway.NAME} payment started")
    return target


def settle_before_expiry(gateway: WalletGateway, order: Order) -> str | None:
    """Before an unpaid order is cancelled: the gateway may have been paid without telling us yet.

    Returns the outcome when the money arrived (the order must not be cancelled), else None after
    closing the open attempt. Raises WalletUnavailable when the gateway cannot say (try again later).
    """
    payment = latest_attempt(order, gateway.NAME)
    if payment is None or payment.status != PaymentStatus.STARTED:
        return None
    if not gateway.is_configured():
        # The credentials were removed: nobody can be asked, and nobody can pay this attempt any more.
        close_attempt(payment, PaymentStatus.EXPIRED, reason="not paid in time")
        return None
    result = gateway.query(payment)
    if result.state == PAID:
        return apply_result(payment, result)
    if result.state == FAILED:
        apply_result(payment, result)
    else:
        close_attempt(payment, PaymentStatus.EXPIRED, reason="not paid in time")
    return None


def notification_seen(provider: str, event_id: str) -> bool:
    """True when this exact notification was handled before (a replay)."""
    return db.session.scalar(sa.select(ProviderEvent.id).where(
        ProviderEvent.provider == provider, ProviderEvent.event_id == event_id)) is not None


def record_notification(provider: str, event_id: str, event_type: str, outcome: str) -> None:
    """Keep a handled notification; its unique id makes a replay a no-op."""
    db.session.add(ProviderEvent(provider=provider, event_id=event_id[:255], event_type=event_type[:80],
                                 outcome=outcome[:255]))


# The program office's refunds of e-wallet money (carried out in the gateway's merchant portal).

WALLET_PROVIDERS = ("vnpay", "momo")


def _unmatched_key(charge: Payment) -> str:
    return f"refund-unmatched-{charge.id}"


def refunds_due() -> list[Payment]:
    """E-wallet money to give back: refunds recorded but not yet carried out, and "unmatched" charges
    (paid for a cancelled or already paid order) with no refund yet; oldest first, with their orders."""
    refunded = sa.select(Payment.idempotency_key).where(Payment.kind == PaymentKind.REFUND,
                                                        Payment.idempotency_key.is_not(None))
    return list(db.session.scalars(
        sa.select(Payment).where(Payment.provider.in_(WALLET_PROVIDERS)).where(sa.or_(
            sa.and_(Payment.kind == PaymentKind.REFUND, Payment.status == PaymentStatus.STARTED),
            sa.and_(Payment.kind == PaymentKind.CHARGE, Payment.status == PaymentStatus.UNMATCHED,
                    (sa.literal("refund-unmatched-") + sa.cast(Payment.id, sa.String)).not_in(refunded)),
        )).options(joinedload(Payment.order)).order_by(Payment.created_at, Payment.id)))


def record_refund_done(payment: Payment, *, actor, reference: str | None) -> bool:
    """An admin gave the money back in the gateway's portal: the refund row becomes succeeded (an unmatched
    charge gets its succeeded refund row). False when it was already recorded (nothing changes)."""
    reason = f"refunded in the {payment.provider} merchant portal" + (f": {reference}" if reference else "")
    if payment.provider not in WALLET_PROVIDERS:
        raise PaymentRefused(_("This is not an e-wallet payment."))
    if payment.kind == PaymentKind.REFUND:
        if payment.status != PaymentStatus.STARTED:
            return False
        if not close_refund(payment, actor=actor, reason=reason):
            return False
        payment.external_reference = reference or payment.external_reference
        db.session.flush()
        return True
    if payment.status != PaymentStatus.UNMATCHED:
        raise PaymentRefused(_("This payment was applied to its order; cancel the order to refund it."))
    key = _unmatched_key(payment)
    if db.session.scalar(sa.select(Payment.id).where(Payment.idempotency_key == key)) is not None:
        return False
    add_payment(Payment(order_id=payment.order_id, kind=PaymentKind.REFUND, provider=payment.provider,
                        amount_vnd=payment.amount_vnd, status=PaymentStatus.SUCCEEDED, idempotency_key=key,
                        external_id=payment.external_id, external_reference=reference or payment.external_reference),
                actor=actor, reason=reason)
    return True


def close_refund(refund: Payment, *, actor, reason: str) -> bool:
    """Move a started refund to succeeded; False when someone else did first."""
    try:
        change_payment_status(refund, PaymentStatus.SUCCEEDED, actor=actor, reason=reason)
    except StatusConflict:
        return False
    return True
