"""The OCOP subject and its shop."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.producers.status import VerificationStatus


class ProducerType(StrEnum):
    """The four kinds of OCOP subject (DOMAIN.md §4), stored by their Vietnamese abbreviations."""

    COOPERATIVE = "HTX"
    COOPERATIVE_GROUP = "THT"
    ENTERPRISE = "DN"
    HOUSEHOLD = "HKD"


class Producer(db.Model):
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "catalogue"
    __tablename__ = "producers"
    __table_args__ = (
        sa.CheckConstraint("shipping_fee_vnd >= 0", name="shipping_fee_not_negative"),
        sa.CheckConstraint(
            "free_shipping_threshold_vnd IS NULL OR free_shipping_threshold_vnd >= 0",
            name="free_shipping_threshold_not_negative",
        ),
        sa.CheckConstraint(
            "commission_rate_bp IS NULL OR (commission_rate_bp >= 0 AND commission_rate_bp <= 10000)",
            name="commission_rate_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable public identifier of the shop page: /shops/<slug>. Never changes once set.
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: The name the shop trades under, shown to buyers.
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_name: Mapped[str] = mapped_column(sa.String(255))
    type: Mapped[ProducerType] = mapped_column(enum_type(ProducerType, 8))
    #: Business (or cooperative) registration number; for household businesses the registration certificate number.
    registration_number: Mapped[str] = mapped_column(sa.String(40))
    tax_code: Mapped[str | None] = mapped_column(sa.String(20))
    representative: Mapped[str | None] = mapped_column(sa.String(120))
    #: Statistics-office codes of the 34-province model (see marketplace.geo).
    province_code: Mapped[int] = mapped_column(sa.Integer, index=True)
    ward_code: Mapped[int | None] = mapped_column(sa.Integer)
    #: The province before 1 July 2025 (old statistics-office code, see marketplace.old_provinces): derived
    #: when the new province did not merge, else chosen by the producer; None when not known.
    old_province_code: Mapped[int | None] = mapped_column(sa.SmallInteger, index=True)
    address: Mapped[str] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    story: Mapped[str] = mapped_column(sa.Text, default="")
    logo_key: Mapped[str | None] = mapped_column(sa.String(255))
    cover_key: Mapped[str | None] = mapped_column(sa.String(255))
    verification_status: Mapped[VerificationStatus] = mapped_column(
        enum_type(VerificationStatus, 16), default=VerificationStatus.PENDING, index=True
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Flat shipping fee per sub-order from this shop, in đồng.
    shipping_fee_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=30000)
    #: Sub-orders at or above this amount ship free; NULL means never free.
    free_shipping_threshold_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Commission override in basis points (1000 = 10 %); NULL uses the marketplace default.
    commission_rate_bp: Mapped[int | None] = mapped_column(sa.Integer)
    #: Set on illustrative demo data, so it can be told apart (and never mistaken for a real subject).
    is_demo: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    products = relationship("Product", back_populates="producer", lazy="raise_on_sql")

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    def __repr__(self) -> str:
        return f"<Producer {self.slug}>"


class ProducerInvitation(db.Model):
    """An e-mailed invitation to join a producer as a further member; the link carries a signed token."""

    __tablename__ = "producer_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    #: The invited address, lower-cased.
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the invitation was used; a used invitation cannot be used again.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    producer = relationship("Producer", lazy="raise_on_sql")


class ProducerEvent(db.Model):
    """One change of a producer's verification status: from, to, when, who, why. Append-only."""

    __tablename__ = "producer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    from_status: Mapped[VerificationStatus] = mapped_column(enum_type(VerificationStatus, 16))
    to_status: Mapped[VerificationStatus] = mapped_column(enum_type(VerificationStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The admin who decided, the member who corrected the details; NULL when the system acted.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
