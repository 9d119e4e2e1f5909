"""What the demand signals record themselves (everything else they read from other packages' tables).

- CartAddition: one row each time a buyer puts units of a product in a cart (orders.cart sends the
  `line_added` signal; signals.recording writes the row), so "added to a cart but not bought" can be
  counted; the cart itself only keeps its current lines.
- SearchProvince: the province of the signed-in buyer behind a catalogue search that found nothing
  (catalog.ZeroResultSearch keeps the query), when the buyer's province is known.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime
from marketplace.dates import utcnow
from marketplace.extensions import db


class CartAddition(db.Model):
    """A product put in a cart: who (when signed in), how many, when. Append-only."""

    __tablename__ = "cart_additions"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_cart_additions_producer_created", "producer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    #: The product's shop, copied so a producer's own figures are read without a join.
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id", ondelete="CASCADE"))
    #: NULL for a guest (whether a guest later bought is not known).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SearchProvince(db.Model):
    """The known province of the buyer behind one zero-result search."""

    __tablename__ = "search_provinces"

    search_id: Mapped[int] = mapped_column(
        sa.ForeignKey("zero_result_searches.id", ondelete="CASCADE"), primary_key=True)
    #: A province code of the 34-province model (marketplace.geo).
    province_code: Mapped[int] = mapped_column(sa.Integer, index=True)
