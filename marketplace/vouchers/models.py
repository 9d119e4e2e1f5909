"""Vouchers, their status events, per-buyer use counters and redemptions (one per order).

No relationship loads by itself (lazy="raise_on_sql"): each query says what it needs.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.vouchers.status import VoucherStatus

#: The longest code (letters A-Z, digits and hyphens, stored upper-case).
CODE_MAX_LENGTH = 32


class VoucherKind(StrEnum):
    #: A percentage of the eligible products' subtotal (rounded down to the đồng, optionally capped).
    PERCENT = "percent"
    #: A fixed amount off the eligible products' subtotal (never more than that subtotal).
    FIXED = "fixed"
    #: The shipping fees of the shops with eligible products (optionally capped).
    FREE_SHIPPING = "free_shipping"


class CostBearer(StrEnum):
    """Who pays for the discount: the marketplace, or the producer whose sale it lowers."""

    PLATFORM = "platform"
    PRODUCER = "producer"


voucher_products = sa.Table(
    "voucher_products", db.metadata,
    sa.Column("voucher_id", sa.ForeignKey("vouchers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)


class Voucher(db.Model):
    """A discount code and its terms."""

    __tablename__ = "vouchers"
    __table_args__ = (
        sa.CheckConstraint("used_count >= 0", name="used_count_not_negative"),
        sa.CheckConstraint("total_limit IS NULL OR used_count <= total_limit", name="used_within_limit"),
        sa.CheckConstraint("total_limit IS NULL OR total_limit > 0", name="total_limit_positive"),
        sa.CheckConstraint("per_user_limit IS NULL OR per_user_limit > 0", name="per_user_limit_positive"),
        sa.CheckConstraint("min_order_vnd >= 0", name="min_order_not_negative"),
        sa.CheckConstraint("valid_from <= valid_until", name="dates_in_order"),
        sa.CheckConstraint("kind <> 'percent' OR (percent BETWEEN 1 AND 100)", name="percent_in_range"),
        sa.CheckConstraint("kind <> 'fixed' OR amount_vnd > 0", name="fixed_amount_positive"),
        sa.CheckConstraint("max_discount_vnd IS NULL OR max_discount_vnd > 0", name="cap_positive"),
        sa.CheckConstraint("bearer <> 'producer' OR producer_id IS NOT NULL", name="producer_bears_own_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the buyer types, stored upper-case (codes are matched without regard to case).
    code: Mapped[str] = mapped_column(sa.String(CODE_MAX_LENGTH), unique=True)
    #: A short description the buyer sees next to the code, e.g. "Quà Tết OCOP".
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[VoucherKind] = mapped_column(enum_type(VoucherKind, 16))
    #: For PERCENT: 1-100.
    percent: Mapped[int | None] = mapped_column(sa.Integer)
    #: For FIXED: the amount off.
    amount_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: For PERCENT and FREE_SHIPPING: the most the voucher takes off (NULL: no cap).
    max_discount_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: The eligible products' subtotal (before shipping) must reach this.
    min_order_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: First and last Vietnam calendar days on which it may be used (both included).
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    #: How many orders may use it in all (NULL: no limit).
    total_limit: Mapped[int | None] = mapped_column(sa.Integer)
    #: How many orders one buyer may use it on (NULL: no limit).
    per_user_limit: Mapped[int | None] = mapped_column(sa.Integer, default=1)
    #: Orders holding a use now (a cancelled unpaid order gives its use back). Written only by redemptions.py.
    used_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    bearer: Mapped[CostBearer] = mapped_column(enum_type(CostBearer, 16))
    #: Only this producer's products (always set for a producer-borne code: its own shop).
    producer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    #: Only the products of this campaign or collection (promotions: its chosen products, or those its rule
    #: matches at checkout time).
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    #: Only buyers without an earlier order that was not cancelled.
    first_order_only: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Assigned only by services.change_voucher_status.
    status: Mapped[VoucherStatus] = mapped_column(enum_type(VoucherStatus, 16), default=VoucherStatus.ACTIVE)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    producer = relationship("Producer", lazy="raise_on_sql")
    campaign = relationship("Campaign", lazy="raise_on_sql")
    #: When not empty, only these products (a product set, e.g. a campaign's selection).
    products = relationship("Product", secondary=voucher_products, order_by="Product.name", lazy="raise_on_sql")

    @property
    def uses_left(self) -> int | None:
        """Uses left in all (None: no limit)."""
        if self.total_limit is None:
            return None
        return max(self.total_limit - self.used_count, 0)

    def __repr__(self) -> str:
        return f"<Voucher {self.code}>"


class VoucherEvent(db.Model):
    """One status change of a voucher (creation included): from, to, when, who, why. Append-only."""

    __tablename__ = "voucher_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("vouchers.id", ondelete="CASCADE"), index=True)
    #: NULL for the creation.
    from_status: Mapped[VoucherStatus | None] = mapped_column(enum_type(VoucherStatus, 16))
    to_status: Mapped[VoucherStatus] = mapped_column(enum_type(VoucherStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(300))


class VoucherUse(db.Model):
    """How many orders of one buyer hold a use of one voucher (the per-buyer limit's counter)."""

    __tablename__ = "voucher_uses"
    __table_args__ = (
        sa.UniqueConstraint("voucher_id", "user_id", name="uq_voucher_uses_voucher_user"),
        sa.CheckConstraint("used_count >= 0", name="used_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("vouchers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    used_count: Mapped[int] = mapped_column(sa.Integer, default=0)


class VoucherRedemption(db.Model):
    """A voucher used on one order, with what it took off; released_at is set once if the use was given back."""

    __tablename__ = "voucher_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("vouchers.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: One voucher per order.
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    #: Off the products, and off the shipping (free-shipping vouchers).
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    shipping_discount_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the order was cancelled before payment and the use counted again as free.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    voucher = relationship("Voucher", lazy="raise_on_sql")
