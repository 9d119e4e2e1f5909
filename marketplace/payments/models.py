"""Payment attempts and refunds (append-only rows), and the provider events already handled."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db


class PaymentKind(StrEnum):
    CHARGE = "charge"
    REFUND = "refund"


class PaymentStatus(StrEnum):
    STARTED = "started"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    #: Money came in for an order that no longer awaited it (e.g. paid after it was cancelled).
    UNMATCHED = "unmatched"


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

    order = relationship("Order", lazy="joined")


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
