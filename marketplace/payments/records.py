"""Payment rows: reading an order's attempts, adding a row, and the one writer of Payment.status.

change_payment_status checks payments.status.TRANSITIONS, compare-and-sets the row (of two racing
writers only one finds the old status) and adds a PaymentEvent with who, when and why, as
orders.lifecycle.change_status does for sub-orders. add_payment records a new row's first status the
same way. Nothing else writes Payment.status (payments.models refuses a direct assignment).
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order, ProducerOrder
from marketplace.payments.models import Payment, PaymentEvent, PaymentKind
from marketplace.payments.status import TRANSITIONS, PaymentStatus
from marketplace.statemachine import StatusConflict, check_transition


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


def _event(payment: Payment, current: PaymentStatus | None, new: PaymentStatus, *, actor, reason) -> None:
    db.session.add(PaymentEvent(payment_id=payment.id, from_status=current, to_status=new, at=utcnow(),
                                actor_id=getattr(actor, "id", None), reason=str(reason)[:500] if reason else None))


def add_payment(payment: Payment, *, actor=None, reason: str | None = None) -> Payment:
    """Store a new payment row (its status as given, "started" by default) and its first event; flushed."""
    if payment.status is None:
        payment.status = PaymentStatus.STARTED
    db.session.add(payment)
    db.session.flush()
    _event(payment, None, PaymentStatus(payment.status), actor=actor, reason=reason)
    db.session.flush()
    return payment


def new_charge(order: Order, provider: str, amount_vnd: int, *, actor=None, reason: str | None = None,
               **fields) -> Payment:
    """A charge row numbered after the order's earlier attempts (stored and flushed)."""
    return add_payment(Payment(order_id=order.id, provider=provider, kind=PaymentKind.CHARGE, amount_vnd=amount_vnd,
                               attempt=len(charges(order)) + 1, **fields), actor=actor, reason=reason)


def change_payment_status(payment: Payment, new: PaymentStatus | str, *, actor=None, reason: str | None = None,
                          error: str | None = None) -> Payment:
    """The only way a stored payment changes status. Raises InvalidTransition when the table refuses and
    StatusConflict when someone else changed the row first (the row is then reloaded)."""
    new = PaymentStatus(new)
    current = PaymentStatus(payment.status)
    check_transition(TRANSITIONS, current, new, _("A payment cannot go from %(old)s to %(new)s.",
                                                   old=current.value, new=new.value))
    now = utcnow()
    values = {"status": new, "updated_at": now}
    if error is not None:
        values["error"] = error[:500]
    result = db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status == current).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(payment)
        raise StatusConflict(_("This payment was changed by someone else in the meantime."))
    for name, value in values.items():
        set_committed_value(payment, name, value)
    _event(payment, current, new, actor=actor, reason=reason or error)
    db.session.flush()
    return payment


def close_attempt(payment: Payment, new: PaymentStatus, *, error: str | None = None, reason: str | None = None) -> bool:
    """Move an open attempt to expired or failed; False (nothing changes) when it is no longer open, so a
    concurrent success is never overwritten."""
    try:
        change_payment_status(payment, new, error=error, reason=reason)
    except StatusConflict:
        return False
    except DomainError:
        db.session.refresh(payment)
        return False
    return True


def settle_status(payment: Payment, new: PaymentStatus, *, actor=None, reason: str | None = None) -> None:
    """Money arrived for this attempt: move it to `new` (succeeded or unmatched) unless it is already
    there; one retry when a concurrent writer (an expiry) moved it in the meantime."""
    for _try in range(2):
        if payment.status == new:
            return
        try:
            change_payment_status(payment, new, actor=actor, reason=reason)
            return
        except StatusConflict:
            continue


def record_manual_refund(payment: Payment, amount_vnd: int, *, producer_order: ProducerOrder | None = None) -> Payment:
    """Cash or bank money given back by hand: recorded as a refund to be carried out."""
    return add_payment(Payment(order_id=payment.order_id, producer_order_id=producer_order.id if producer_order else None,
                               kind=PaymentKind.REFUND, provider=payment.provider, amount_vnd=amount_vnd,
                               status=PaymentStatus.STARTED), reason="refund to be paid by hand")
