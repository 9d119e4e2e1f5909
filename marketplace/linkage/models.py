"""Demand requests, the producers matched to them, offers, their status events, and the linkages agreed.

No relationship loads by itself (lazy="raise_on_sql"): each query says what it needs (linkage.queries).
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.orders.models import Order
from marketplace.producers.models import Producer


class BuyerKind(StrEnum):
    """Who is buying: the issue's list of buyers on a demand board."""

    BUSINESS = "business"
    DISTRIBUTOR = "distributor"
    SUPERMARKET = "supermarket"
    RESTAURANT = "restaurant"
    SHOWROOM = "showroom"
    CONSUMER = "consumer"


class DemandRequest(db.Model):
    """What a buyer wants: free text, a Decision 148 product group, quantity, price, where and by when."""

    __tablename__ = "demand_requests"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("target_price_vnd IS NULL OR target_price_vnd > 0", name="target_price_positive"),
        sa.Index("ix_demand_requests_status_needed_by", "status", "needed_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    buyer_kind: Mapped[BuyerKind] = mapped_column(enum_type(BuyerKind, 16))
    #: The buying business or organisation as the author wrote it (empty for a consumer).
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    #: What is wanted, in a line ("Nước mắm cốt 40 độ đạm, can 5 lít").
    title: Mapped[str] = mapped_column(sa.String(200))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    #: Decision 148 product group code, e.g. "1.4" (catalog.categories).
    group_code: Mapped[str] = mapped_column(sa.String(8), index=True)
    #: Accent-folded words of the title (marketplace.text.folded_words): what "most wanted" groups by, and
    #: with details_text what the board's search reads.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: Accent-folded words of the details (the same folding), for the board's search.
    details_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    quantity: Mapped[int] = mapped_column(sa.Integer)
    #: The unit the quantity counts, as the buyer wrote it ("chai 500ml", "kg").
    unit: Mapped[str] = mapped_column(sa.String(60))
    #: Price per unit the buyer hopes for, in đồng; NULL when open to offers.
    target_price_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    delivery_province_code: Mapped[int] = mapped_column(sa.Integer, index=True)
    #: The last day the goods are useful; the request expires after it (Vietnam's calendar).
    needed_by: Mapped[date] = mapped_column(sa.Date)
    # Contact details: shown only to verified producers and the program office.
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    #: Assigned only by linkage.requests.change_request_status.
    status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus, 16), default=RequestStatus.OPEN, index=True)
    #: Why the program office hid it (shown to the author).
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author = relationship(User, lazy="raise_on_sql")
    matches = relationship("RequestMatch", back_populates="request", order_by="RequestMatch.rank",
                           lazy="raise_on_sql")
    offers = relationship("Offer", back_populates="request", order_by="Offer.id", lazy="raise_on_sql")
    events = relationship("RequestEvent", back_populates="request", order_by="RequestEvent.id", lazy="raise_on_sql")

    @property
    def target_value_vnd(self) -> int | None:
        return None if self.target_price_vnd is None else self.target_price_vnd * self.quantity

    def __repr__(self) -> str:
        return f"<DemandRequest {self.id} {self.status}>"


class RequestEvent(db.Model):
    """One status change of a request: from, to, when, who, why. Append-only."""

    __tablename__ = "demand_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("demand_requests.id"), index=True)
    #: NULL for the posting of the request.
    from_status: Mapped[RequestStatus | None] = mapped_column(enum_type(RequestStatus, 16))
    to_status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: NULL when the system acted (the expiry job).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    request = relationship("DemandRequest", back_populates="events", lazy="raise_on_sql")


class RequestMatch(db.Model):
    """A producer found able to supply a request when it was posted, with its rank and why (linkage.matching)."""

    __tablename__ = "demand_request_matches"
    __table_args__ = (sa.UniqueConstraint("request_id", "producer_id", name="uq_demand_request_matches_request_producer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("demand_requests.id"), index=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    #: 1 is the best match.
    rank: Mapped[int] = mapped_column(sa.Integer)
    #: 2 the same product group, 1 the same sector, 0 neither (matched by its products' text only).
    group_match: Mapped[int] = mapped_column(sa.SmallInteger)
    #: How many of the request's words its best product matched, and out of how many.
    words_matched: Mapped[int] = mapped_column(sa.SmallInteger)
    words_total: Mapped[int] = mapped_column(sa.SmallInteger)
    #: Units in its warehouse of the products that matched, when it was matched.
    stock_quantity: Mapped[int] = mapped_column(sa.Integer)
    #: The highest star level among those products.
    star_level: Mapped[int] = mapped_column(sa.SmallInteger)
    #: 0 the delivery province, 1 a neighbouring province, 2 farther.
    distance_tier: Mapped[int] = mapped_column(sa.SmallInteger)
    #: When its members were told (e-mail and the portal).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request = relationship("DemandRequest", back_populates="matches", lazy="raise_on_sql")
    producer = relationship(Producer, lazy="raise_on_sql")


class Offer(db.Model):
    """A verified producer's answer to a request: price per unit, quantity, lead time and a message."""

    __tablename__ = "demand_offers"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_vnd > 0", name="unit_price_positive"),
        sa.CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        # One live offer per producer and request (a withdrawn or declined one may be followed by a new one).
        sa.Index("uq_demand_offers_live_producer", "request_id", "producer_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("demand_requests.id"), index=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    #: The member who sent it.
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: The listed product offered, when there is one: needed to turn the linkage into a marketplace order.
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id"))
    unit_price_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    #: Days from acceptance to delivery.
    lead_time_days: Mapped[int] = mapped_column(sa.Integer)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    #: Assigned only by linkage.offers.change_offer_status.
    status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus, 16), default=OfferStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request = relationship("DemandRequest", back_populates="offers", lazy="raise_on_sql")
    producer = relationship(Producer, lazy="raise_on_sql")
    product = relationship(Product, lazy="raise_on_sql")
    events = relationship("OfferEvent", back_populates="offer", order_by="OfferEvent.id", lazy="raise_on_sql")

    @property
    def total_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity


class OfferEvent(db.Model):
    """One status change of an offer: from, to, when, who, why. Append-only."""

    __tablename__ = "demand_offer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("demand_offers.id"), index=True)
    #: NULL for the sending of the offer.
    from_status: Mapped[OfferStatus | None] = mapped_column(enum_type(OfferStatus, 16))
    to_status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    offer = relationship("Offer", back_populates="events", lazy="raise_on_sql")


class Linkage(db.Model):
    """A supply-demand linkage: the request, the offer its buyer accepted, what was agreed and when.

    One per request and per offer (unique), so of two accepts racing only one is recorded. It may become a
    marketplace order at the agreed price (order_id), whose sale lands on the ledger's linkage channel.
    """

    __tablename__ = "linkages"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_vnd > 0", name="unit_price_positive"),
        sa.CheckConstraint("value_vnd = quantity * unit_price_vnd", name="value_is_quantity_times_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("demand_requests.id"), unique=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("demand_offers.id"), unique=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The listed product agreed on (copied from the offer), if any.
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    unit_price_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    value_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: The day it was agreed, in Vietnam.
    agreed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    #: The marketplace order it became, if it did.
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request = relationship("DemandRequest", lazy="raise_on_sql")
    offer = relationship("Offer", lazy="raise_on_sql")
    producer = relationship(Producer, lazy="raise_on_sql")
    buyer = relationship(User, lazy="raise_on_sql")
    product = relationship(Product, lazy="raise_on_sql")
    order = relationship(Order, lazy="raise_on_sql")
