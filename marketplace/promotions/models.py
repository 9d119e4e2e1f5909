"""Campaigns and collections, trade fairs, producers' participation in fairs and its events.

No relationship loads by itself (lazy="raise_on_sql"): each query says what it needs.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.promotions.status import ParticipationStatus


class SelectionKind(StrEnum):
    """How a campaign's products are chosen."""

    #: The products the office picked, in its order.
    CHOSEN = "chosen"
    #: Every public product matching the rule (star level, producer province, product group).
    RULE = "rule"


class Campaign(db.Model):
    """A campaign or seasonal collection, shown on the home page between its dates and always at its URL."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "catalogue"

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("rule_star_level IS NULL OR rule_star_level BETWEEN 3 AND 5", name="rule_star_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The stable address: /campaigns/<slug> (never changes once published).
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    #: A short line for the home page card and link previews.
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    story: Mapped[str] = mapped_column(sa.Text, default="")
    #: Re-encoded WebP banner and its thumbnail in storage (marketplace.storage), or None.
    banner_key: Mapped[str | None] = mapped_column(sa.String(255))
    banner_thumb_key: Mapped[str | None] = mapped_column(sa.String(255))
    banner_width: Mapped[int | None] = mapped_column(sa.Integer)
    banner_height: Mapped[int | None] = mapped_column(sa.Integer)
    selection: Mapped[SelectionKind] = mapped_column(enum_type(SelectionKind, 16), default=SelectionKind.CHOSEN)
    #: Rule: exact OCOP star level (None: any of 3-5).
    rule_star_level: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: Rule: the producer's province (None: any).
    rule_province_code: Mapped[int | None] = mapped_column(sa.Integer)
    #: Rule: a product group ("1.5") of Decision 148 (None: any).
    rule_group_code: Mapped[str | None] = mapped_column(sa.String(8))
    #: First and last day (Vietnam's calendar) it is shown on the home page.
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date, index=True)
    #: The office can take a campaign down before its end.
    is_hidden: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def is_active(self, today: date) -> bool:
        return not self.is_hidden and self.starts_on <= today <= self.ends_on


class CampaignProduct(db.Model):
    """A product the office chose for a campaign, at a position."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "catalogue"

    __tablename__ = "campaign_products"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "product_id", name="uq_campaign_products_campaign_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)


class TradeFair(db.Model):
    """A trade fair or event: where, when, and which producers take part."""

    __tablename__ = "trade_fairs"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The place: a province and a commune of the 34-province model, and the venue's address.
    province_code: Mapped[int] = mapped_column(sa.Integer)
    ward_code: Mapped[int | None] = mapped_column(sa.Integer)
    venue: Mapped[str] = mapped_column(sa.String(255), default="")
    starts_on: Mapped[date] = mapped_column(sa.Date, index=True)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    #: Producers may sign up until this day (None: until the fair starts).
    signup_until: Mapped[date | None] = mapped_column(sa.Date)
    is_hidden: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participations = relationship("FairParticipation", back_populates="fair", lazy="raise_on_sql",
                                  order_by="FairParticipation.id")

    def signup_open(self, today: date) -> bool:
        return not self.is_hidden and today <= (self.signup_until or self.starts_on) and today <= self.starts_on


class FairParticipation(db.Model):
    """A producer's place at a fair. Its status changes only through promotions.participation.change_status."""

    __tablename__ = "fair_participations"
    __table_args__ = (sa.UniqueConstraint("fair_id", "producer_id", name="uq_fair_participations_fair_producer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(sa.ForeignKey("trade_fairs.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    status: Mapped[ParticipationStatus] = mapped_column(enum_type(ParticipationStatus, 16),
                                                        default=ParticipationStatus.PENDING)
    #: What the producer will show (its message to the office).
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    fair = relationship("TradeFair", back_populates="participations", lazy="raise_on_sql")
    producer = relationship("Producer", lazy="raise_on_sql")
    events = relationship("ParticipationEvent", lazy="raise_on_sql", order_by="ParticipationEvent.id")


class ParticipationEvent(db.Model):
    """One status change of a participation: from, to, when, who, why. Append-only."""

    __tablename__ = "participation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("fair_participations.id", ondelete="CASCADE"),
                                                  index=True)
    #: NULL for the sign-up that created the participation.
    from_status: Mapped[ParticipationStatus | None] = mapped_column(enum_type(ParticipationStatus, 16))
    to_status: Mapped[ParticipationStatus] = mapped_column(enum_type(ParticipationStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
