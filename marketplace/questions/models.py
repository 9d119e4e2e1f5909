"""Questions to a producer about one of its products, with the answer and the status events."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.questions.status import QuestionStatus


class Question(db.Model):
    """A shopper's question about a product and the producer's answer; public only once published."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "pages"

    __tablename__ = "questions"
    __table_args__ = (
        sa.Index("ix_questions_product_status_created", "product_id", "status", "created_at"),
        sa.Index("ix_questions_producer_status_created", "producer_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    #: The product's producer when asked: whose portal the question goes to.
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"))
    asker_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    #: Assigned only by questions.services.change_question_status.
    status: Mapped[QuestionStatus] = mapped_column(enum_type(QuestionStatus, 16), default=QuestionStatus.PENDING)
    answer_body: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    asker = relationship("User", foreign_keys=[asker_id], lazy="raise_on_sql")
    product = relationship("Product", lazy="raise_on_sql")
    events = relationship("QuestionEvent", back_populates="question", order_by="QuestionEvent.id", lazy="raise_on_sql")


class QuestionEvent(db.Model):
    """One status change of a question: from, to, when, who, why. Append-only."""

    __tablename__ = "question_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[QuestionStatus] = mapped_column(enum_type(QuestionStatus, 16))
    to_status: Mapped[QuestionStatus] = mapped_column(enum_type(QuestionStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    question = relationship("Question", back_populates="events", lazy="raise_on_sql")
    actor = relationship("User", lazy="raise_on_sql")
