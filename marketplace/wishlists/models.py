"""A shopper's saved products and followed shops. Each row belongs to one user and is read only by them."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime
from marketplace.dates import utcnow
from marketplace.extensions import db


class SavedProduct(db.Model):
    """A product on a user's wishlist."""

    __tablename__ = "saved_products"
    __table_args__ = (sa.UniqueConstraint("user_id", "product_id", name="uq_saved_products_user_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowedShop(db.Model):
    """A producer's shop that a user follows (its new products show on the user's page)."""

    __tablename__ = "followed_shops"
    __table_args__ = (sa.UniqueConstraint("user_id", "producer_id", name="uq_followed_shops_user_producer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
