"""Payment attempts and refunds, their status changes, and the provider events already handled.

Payment rows are never deleted and a new attempt is a new row. A row's status changes only through
payments.records.change_payment_status (a transition table, a compare-and-set and a PaymentEvent with
who, when and why); assigning Payment.status on a stored row raises (see the listener below).
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.payments.status import PaymentStatus

__all__ = ["Payment", "PaymentEvent", "PaymentKind", "PaymentStatus", "ProviderEvent"]


class PaymentKind(StrEnum):
    CHARGE = "charge"
    REFUND = "refund"


class Payment(db.Model):
    """One attempt to take money, or one refund. A new attempt is a new row; rows are never deleted."""

    __tablename__ = "payments"
    __table_args__ = (sa.CheckConstraint("amount_vnd >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    #: The sub-order concerned, for cash collected at delivery and for refunds; NULL for a whole-order charge.
    producer_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producer_orders.id"))
    kind: Mapped[PaymentKind] = mapped_column(enum_type(PaymentKind, 10), default=PaymentKind.CHARGE)
    #: Provider name in payments.providers: "card", "cod", "vietqr".
    provider: Mapped[str] = mapped_column(sa.String(16))
    #: Set at creation; afterwards only payments.records.change_payment_status writes it.
    status: Mapped[PaymentStatus] = mapped_column(enum_type(PaymentStatus, 16), default=PaymentStatus.STARTED)
    amount_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: 1 for the first attempt of an order, then 2, 3 ...
    attempt: Mapped[int] = mapped_column(sa.Integer, default=1)
    #: Stripe Checkout Session id or refund id, bank reference, ...
    external_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    #: A second provider reference, e.g. the Stripe PaymentIntent of a paid Checkout Session (refunds use it).
    external_reference: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    #: Sent to the provider so a retried request cannot charge or refund twice.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order = relationship("Order", lazy="raise_on_sql")


class StatusWrittenOutsideItsWriter(RuntimeError):
    """Code assigned Payment.status on a stored row instead of calling change_payment_status."""


@sa.event.listens_for(Payment.status, "set")
def _refuse_direct_status_writes(target, value, oldvalue, initiator):
    # A new row gets its first status freely; a stored one only through the writer's compare-and-set
    # (which bypasses attribute events).
    if sa.inspect(target).has_identity:
        raise StatusWrittenOutsideItsWriter(
            "Payment.status changes only through payments.records.change_payment_status")


class PaymentEvent(db.Model):
    """One status of a payment row: from, to, when, who, why (its creation has no from). Append-only."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    from_status: Mapped[PaymentStatus | None] = mapped_column(enum_type(PaymentStatus, 16))
    to_status: Mapped[PaymentStatus] = mapped_column(enum_type(PaymentStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: NULL when the system acted (webhook, expiry job, the buyer's return from Stripe).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class ProviderEvent(db.Model):
    """A webhook event already received; the unique id makes a redelivery a no-op."""

    __tablename__ = "provider_events"
    __table_args__ = (sa.UniqueConstraint("provider", "event_id", name="uq_provider_events_provider_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(16))
    event_id: Mapped[str] = mapped_column(sa.String(255))
    event_type: Mapped[str] = mapped_column(sa.String(80))
    #: What the handler did, e.g. "paid", "ignored: amount mismatch".
    outcome: Mapped[str] = mapped_column(sa.String(255), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
