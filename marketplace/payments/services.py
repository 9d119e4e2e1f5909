"""Taking and giving back money, and telling orders about it.

fulfil_order() is the one idempotent way an order becomes paid: a compare-and-set of every awaiting
sub-order from pending_payment to paid (orders.services.change_status); only the winner records the
payment, the ledger sale and the e-mails. The webhook, the success page, the admin and the bank
statement import all call it. Network calls to Stripe happen before any write of the transaction.
"""

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.orders import services as orders
from marketplace.orders.models import Order, PaymentMethod, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.payments import providers, stripe_gateway
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus
from marketplace.urls import external_url

log = logging.getLogger(__name__)
S = OrderStatus
#: Stripe refuses Checkout Sessions that expire sooner than this.
STRIPE_MIN_SESSION_MINUTES = 30


class PaymentRefused(DomainError):
    """The payment could not be started or accepted; the message is for the buyer or admin."""


def charges(order: Order) -> list[Payment]:
    return list(db.session.scalars(
        sa.select(Payment).where(Payment.order_id == order.id, Payment.kind == PaymentKind.CHARGE)
        .order_by(Payment.attempt, Payment.id)
    ))


def latest_attempt(order: Order, provider: str | None = None) -> Payment | None:
    attempts = [p for p in charges(order) if provider is None or p.provider == provider]
    return attempts[-1] if attempts else None


def succeeded_charge(order: Order) -> Payment | None:
    for payment in reversed(charges(order)):
        if payment.status == PaymentStatus.SUCCEEDED:
            return payment
    return None


def _new_charge(order: Order, provider: str, amount_vnd: int, **fields) -> Payment:
    """A charge row numbered after the order's earlier attempts (added to the session, not flushed)."""
    payment = Payment(order_id=order.id, provider=provider, kind=PaymentKind.CHARGE, amount_vnd=amount_vnd,
                      attempt=len(charges(order)) + 1, **fields)
    db.session.add(payment)
    return payment


def _move_attempt(payment: Payment, new: PaymentStatus, *, error: str | None = None) -> bool:
    """Compare-and-set an attempt from started to `new`; a concurrent success is never overwritten."""
    values = {"status": new, "updated_at": utcnow()}
    if error is not None:
        values["error"] = error[:500]
    result = db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status == PaymentStatus.STARTED).values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    return result.rowcount == 1


def awaits_payment(order: Order) -> bool:
    return any(po.status == S.PENDING_PAYMENT for po in order.producer_orders)


def fulfil_order(order: Order, *, provider: str, amount_vnd: int, payment: Payment | None = None,
                 external_id: str | None = None, external_reference: str | None = None, actor=None) -> bool:
    """Mark the order paid exactly once; True only for the caller that won (and wrote everything)."""
    awaiting = sorted((po for po in order.producer_orders if po.status == S.PENDING_PAYMENT), key=lambda po: po.id)
    if not awaiting:
        return False
    won = False
    for producer_order in awaiting:
        try:
            orders.change_status(producer_order, S.PAID, actor=actor, reason=f"paid by {provider}")
        except orders.StatusConflict:
            if not won:
                return False
            continue
        won = True
    if payment is None:
        payment = _new_charge(order, provider, amount_vnd)
    payment.status = PaymentStatus.SUCCEEDED
    payment.amount_vnd = amount_vnd
    payment.external_id = external_id or payment.external_id
    payment.external_reference = external_reference or payment.external_reference
    order.expires_at = None
    orders.notify_order_placed(order)
    db.session.flush()
    return True


def record_unmatched(order: Order, *, provider: str, amount_vnd: int, payment: Payment | None = None,
                     external_id: str | None = None, external_reference: str | None = None, error: str) -> Payment:
    """Money arrived for an order that did not await it: keep the record for an admin to refund."""
    if payment is None:
        payment = _new_charge(order, provider, amount_vnd)
    if payment.status != PaymentStatus.SUCCEEDED:
        payment.status = PaymentStatus.UNMATCHED
        payment.external_id = external_id or payment.external_id
        payment.external_reference = external_reference or payment.external_reference
        payment.error = error[:500]
    db.session.flush()
    log.warning("payment for %s not applied: %s", order.number, error)
    return payment


# Card (Stripe Checkout).

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
        _move_attempt(previous, PaymentStatus.EXPIRED)
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
        db.session.add(payment)
        db.session.flush()
        raise PaymentRefused(_("The card payment could not be started. Please try again in a moment.")) from error
    payment.external_id = session.id
    db.session.add(payment)
    db.session.flush()
    return session.url or url_for("orders.order_detail", number=order.number)


def payment_for_session(session_id: str) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(
        Payment.provider == "card", Payment.kind == PaymentKind.CHARGE, Payment.external_id == str(session_id)[:255]))


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
        row = Payment(order_id=payment.order_id, producer_order_id=producer_order.id if producer_order else None,
                      kind=PaymentKind.REFUND, provider="card", amount_vnd=refund.amount, idempotency_key=key,
                      external_id=refund.id, external_reference=payment.external_reference,
                      status=PaymentStatus.SUCCEEDED if refund.status == "succeeded" else PaymentStatus.STARTED)
        db.session.add(row)
        db.session.flush()
    return row


def record_manual_refund(payment: Payment, amount_vnd: int, *, producer_order: ProducerOrder | None = None) -> Payment:
    """Cash or bank money given back by hand: recorded as a refund to be carried out."""
    row = Payment(order_id=payment.order_id, producer_order_id=producer_order.id if producer_order else None,
                  kind=PaymentKind.REFUND, provider=payment.provider, amount_vnd=amount_vnd,
                  status=PaymentStatus.STARTED)
    db.session.add(row)
    db.session.flush()
    return row


def refund_sub_orders(producer_orders: list[ProducerOrder], *, actor, reason: str) -> None:
    """Refund paid sub-orders: every provider call first, then the status changes (no lock across the calls)."""
    refunds = []
    charge_of: dict[int, Payment | None] = {}
    for producer_order in producer_orders:
        order = producer_order.order
        if order.id not in charge_of:
            charge_of[order.id] = succeeded_charge(order)
        charge = charge_of[order.id]
        if charge is None:
            raise PaymentRefused(_("No payment was found for this order."))
        refunds.append((producer_order, providers.get(charge.provider).refund(
            charge, producer_order.total_vnd, producer_order=producer_order)))
    for producer_order, _row in refunds:
        orders.change_status(producer_order, S.REFUNDED, actor=actor, reason=reason)


def refund_sub_order(producer_order: ProducerOrder, *, actor, reason: str) -> None:
    refund_sub_orders([producer_order], actor=actor, reason=reason)


def record_cash_collected(producer_order: ProducerOrder) -> Payment:
    """The courier collected the sub-order's total in cash."""
    payment = _new_charge(producer_order.order, "cod", producer_order.total_vnd, producer_order_id=producer_order.id,
                          status=PaymentStatus.SUCCEEDED)
    db.session.flush()
    return payment


# Stripe webhook handlers: each takes the event's data.object and returns an outcome to store.

def on_session_completed(obj: dict) -> str:
    session = stripe_gateway.session_from_event_object(obj)
    payment = payment_for_session(session.id)
    order = payment.order if payment is not None else orders.order_by_number(session.order_number)
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
    _move_attempt(payment, PaymentStatus.EXPIRED)
    latest = latest_attempt(payment.order, "card")
    if latest is not None and latest.id != payment.id:
        return "expired: an older attempt"
    cancelled = orders.cancel_unpaid_order(payment.order, reason="card payment session expired")
    return f"expired: {cancelled} sub-orders cancelled"


def on_payment_failed(obj: dict) -> str:
    order = orders.order_by_number((obj.get("metadata") or {}).get("order_number"))
    if order is None:
        return "ignored: unknown order"
    payment = latest_attempt(order, "card")
    if payment is not None and payment.status == PaymentStatus.STARTED and payment.external_id:
        try:
            stripe_gateway.expire_checkout_session(payment.external_id)
        except stripe_gateway.GatewayError:
            return "ignored: the session could not be closed"
        error = (obj.get("last_payment_error") or {}).get("message") or "payment failed"
        _move_attempt(payment, PaymentStatus.FAILED, error=str(error))
    cancelled = orders.cancel_unpaid_order(order, reason="card payment failed")
    return f"failed: {cancelled} sub-orders cancelled"


def on_charge_refunded(obj: dict) -> str:
    intent = obj.get("payment_intent")
    charge = db.session.scalar(sa.select(Payment).where(
        Payment.kind == PaymentKind.CHARGE, Payment.provider == "card", Payment.external_reference == intent,
        Payment.status == PaymentStatus.SUCCEEDED)) if intent else None
    if charge is None:
        return "ignored: unknown payment"
    order = charge.order
    refunded_total = int(obj.get("amount_refunded") or 0)
    recorded = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_vnd), 0)).where(
        Payment.order_id == order.id, Payment.kind == PaymentKind.REFUND, Payment.provider == "card")) or 0
    if refunded_total <= recorded:
        return "already recorded"
    # Refunded outside the marketplace (e.g. in the Stripe dashboard).
    db.session.add(Payment(order_id=order.id, kind=PaymentKind.REFUND, provider="card",
                           amount_vnd=refunded_total - recorded, status=PaymentStatus.SUCCEEDED,
                           external_id=obj.get("id"), external_reference=intent))
    if refunded_total >= charge.amount_vnd:
        for producer_order in order.producer_orders:
            if producer_order.paid_at is not None and producer_order.status not in (S.REFUNDED, S.CANCELLED):
                try:
                    orders.change_status(producer_order, S.REFUNDED, reason="refunded in Stripe")
                except orders.InvalidTransition:
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


# Unpaid orders.

def expired_unpaid_orders(now=None) -> list[Order]:
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Order).where(Order.expires_at.is_not(None), Order.expires_at < now, Order.paid_at.is_(None))
        .where(sa.exists().where(ProducerOrder.order_id == Order.id, ProducerOrder.status == S.PENDING_PAYMENT))
        .order_by(Order.id)
    ))


def expire_unpaid_order(order: Order) -> str:
    """Close the open card session (or notice it was paid after all), then cancel and release the stock."""
    payment = latest_attempt(order, "card") if order.payment_method == PaymentMethod.CARD else None
    if payment is not None and payment.status == PaymentStatus.STARTED and payment.external_id:
        try:
            session = stripe_gateway.expire_checkout_session(payment.external_id)
        except stripe_gateway.GatewayError:
            session = stripe_gateway.retrieve_checkout_session(payment.external_id)
        if session.payment_status == "paid":
            return apply_paid_session(order, session, payment)
        _move_attempt(payment, PaymentStatus.EXPIRED)
    cancelled = orders.cancel_unpaid_order(order, reason="not paid in time")
    return f"cancelled {cancelled}"


# Bank transfers (VietQR).

def mark_transfer_received(order: Order, *, actor, amount_vnd: int | None = None, reference: str | None = None) -> bool:
    """An admin saw the transfer: fulfil the bank-transfer order (once)."""
    if order.payment_method != PaymentMethod.VIETQR:
        raise PaymentRefused(_("This order is not paid by bank transfer."))
    amount = order.total_vnd if amount_vnd is None else amount_vnd
    if amount != order.total_vnd:
        raise PaymentRefused(_("The amount received does not match the order total."))
    return fulfil_order(order, provider="vietqr", amount_vnd=amount, external_id=reference, actor=actor)


_ORDER_CODE = re.compile(r"OC[\s\-_.]?(\d{4})[\s\-_.]?(\d{6})", re.IGNORECASE)


@dataclass
class StatementLine:
    line_number: int
    date: str
    amount: str
    description: str
    order_number: str | None = None
    outcome: str = ""


@dataclass
class StatementReport:
    matched: list[StatementLine] = field(default_factory=list)
    unmatched: list[StatementLine] = field(default_factory=list)


MAX_STATEMENT_LINES = 5000


def import_bank_statement(text: str, *, actor) -> StatementReport:
    """Match statement lines (date, amount, description) to bank-transfer orders by order code and exact amount."""
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise PaymentRefused(_("The file is empty."))
    header = [cell.strip().lower() for cell in rows[0]]
    if header[:3] != ["date", "amount", "description"]:
        raise PaymentRefused(_("The first line must be the columns: date, amount, description."))
    if len(rows) - 1 > MAX_STATEMENT_LINES:
        raise PaymentRefused(_("At most %(count)s lines per file.", count=MAX_STATEMENT_LINES))
    report = StatementReport()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = (row + ["", "", ""])[:3]
        line = StatementLine(number, row[0].strip()[:40], row[1].strip()[:40], row[2].strip()[:300])
        _match_line(line, actor)
        (report.matched if line.outcome == "matched" else report.unmatched).append(line)
    return report


def _match_line(line: StatementLine, actor) -> None:
    try:
        amount = parse_vnd(line.amount.replace("+", ""))
    except InvalidAmount:
        line.outcome = _("amount not understood")
        return
    found = _ORDER_CODE.search(line.description)
    if not found:
        line.outcome = _("no order code in the description")
        return
    line.order_number = f"OC-{found.group(1)}-{found.group(2)}"
    order = orders.order_by_number(line.order_number)
    if order is None or order.payment_method != PaymentMethod.VIETQR:
        line.outcome = _("no bank-transfer order with this code")
        return
    if amount != order.total_vnd:
        line.outcome = _("amount differs from the order total (%(total)s)", total=order.total_vnd)
        return
    if not awaits_payment(order):
        line.outcome = _("order already paid or cancelled")
        return
    if fulfil_order(order, provider="vietqr", amount_vnd=amount, external_id=f"statement:{line.date}:{line.line_number}",
                    actor=actor):
        line.outcome = "matched"
    else:
        line.outcome = _("order already paid or cancelled")


def pending_bank_transfers() -> list[Order]:
    return list(db.session.scalars(
        sa.select(Order).where(Order.payment_method == PaymentMethod.VIETQR, Order.paid_at.is_(None))
        .where(sa.exists().where(ProducerOrder.order_id == Order.id, ProducerOrder.status == S.PENDING_PAYMENT))
        .order_by(Order.id)
    ))
