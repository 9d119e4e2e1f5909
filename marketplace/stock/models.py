"""Locations, stock levels per product and location, and the movement log."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db


class LocationKind(StrEnum):
    #: A producer's own warehouse: the stock sold online.
    WAREHOUSE = "warehouse"
    #: A physical OCOP showroom (built in a later issue).
    SHOWROOM = "showroom"


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    RESERVATION = "reservation"
    RELEASE = "release"
    SALE = "sale"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    RETURN = "return"


class Location(db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LocationKind] = mapped_column(enum_type(LocationKind, 16))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: The owning producer of a warehouse; NULL for showrooms, which hold many producers' goods.
    producer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    province_code: Mapped[int | None] = mapped_column(sa.Integer)
    address: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockLevel(db.Model):
    """How many units of one product are available at one location (reserved units are already taken off)."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "location_id", name="uq_stock_levels_product_location"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    quantity: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: Alert the producer when quantity falls to this level or below; NULL means no alert.
    low_stock_threshold: Mapped[int | None] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    location = relationship("Location", lazy="raise_on_sql")


class StockMovement(db.Model):
    """One change of one stock level; append-only."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_level_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_levels.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(enum_type(MovementKind, 16))
    #: Signed change of StockLevel.quantity (0 for a sale, whose units were reserved before).
    quantity_change: Mapped[int] = mapped_column(sa.Integer)
    quantity_after: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.String(255), default="")
    #: What caused it, e.g. "order:OC-2026-000123" or "import:42".
    reference: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
