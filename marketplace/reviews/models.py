"""Reviews of delivered order lines, their photos and their moderation events."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.reviews.status import ReviewStatus


class Review(db.Model):
    """A buyer's opinion of one product bought in one order line (one review per line)."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "pages"

    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        # The product page reads a product's published reviews, newest first, and their average.
        sa.Index("ix_reviews_product_status_created", "product_id", "status", "created_at"),
        sa.Index("ix_reviews_producer_created", "producer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The delivered order line reviewed: one review per line, ever.
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), unique=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: 1 to 5: an opinion, never to be confused with the OCOP certificate's star level.
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: Assigned only by reviews.services.change_review_status.
    status: Mapped[ReviewStatus] = mapped_column(enum_type(ReviewStatus, 16), default=ReviewStatus.PUBLISHED)
    #: The producer's one public reply.
    reply_body: Mapped[str | None] = mapped_column(sa.Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")
    product = relationship("Product", lazy="raise_on_sql")
    photos = relationship("ReviewPhoto", back_populates="review", order_by="ReviewPhoto.position",
                          cascade="all, delete-orphan", lazy="raise_on_sql")
    events = relationship("ReviewEvent", back_populates="review", order_by="ReviewEvent.id", lazy="raise_on_sql")


class ReviewPhoto(db.Model):
    """A buyer's photo with a review, re-encoded like product pictures."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "pages"

    __tablename__ = "review_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: Keys in marketplace.storage, never URLs.
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    thumb_key: Mapped[str] = mapped_column(sa.String(255))
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)

    review = relationship("Review", back_populates="photos", lazy="raise_on_sql")


class ReviewEvent(db.Model):
    """One moderation change of a review: from, to, when, who, why. Append-only."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ReviewStatus] = mapped_column(enum_type(ReviewStatus, 16))
    to_status: Mapped[ReviewStatus] = mapped_column(enum_type(ReviewStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    review = relationship("Review", back_populates="events", lazy="raise_on_sql")
    actor = relationship("User", lazy="raise_on_sql")
