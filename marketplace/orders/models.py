"""Carts, saved addresses, orders, their per-producer sub-orders, lines and status events.

No relationship loads by itself (lazy="raise_on_sql"): each query says what it needs, with the loader
options of orders.queries (ORDER_GRAPH, SUB_ORDER_GRAPH, CART_GRAPH).
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace import geo
from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SHOWROOM_CHANNEL
from marketplace.orders.status import OrderStatus, derived_status


class PaymentMethod(StrEnum):
    """How the buyer pays; each value is also the name of a payment provider."""

    CARD = "card"
    COD = "cod"
    VIETQR = "vietqr"
    #: E-wallets and bank apps through the VNPAY gateway (payments.vnpay).
    VNPAY = "vnpay"
    #: The MoMo e-wallet (payments.momo).
    MOMO = "momo"


class Cart(db.Model):
    """A signed-in user's cart (guests keep theirs in the session)."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lines = relationship("CartLine", back_populates="cart", cascade="all, delete-orphan",
                         order_by="CartLine.id", lazy="raise_on_sql")


class CartLine(db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        sa.UniqueConstraint("cart_id", "product_id", name="uq_cart_lines_cart_product"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    #: The unit price when the buyer last saw it, so the cart can say the price changed since.
    price_vnd_seen: Mapped[int] = mapped_column(sa.BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cart = relationship("Cart", back_populates="lines", lazy="raise_on_sql")
    product = relationship("Product", lazy="raise_on_sql")


class Address(db.Model):
    """A saved delivery address (34-province model: province and commune codes)."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    #: Normalised Vietnamese mobile number, 10 digits starting with 0.
    phone: Mapped[str] = mapped_column(sa.String(10))
    province_code: Mapped[int] = mapped_column(sa.Integer)
    ward_code: Mapped[int] = mapped_column(sa.Integer)
    street: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Order(db.Model):
    """One checkout. Its status is derived from its sub-orders (one per producer shop)."""

    __tablename__ = "orders"
    __table_args__ = (sa.CheckConstraint("total_vnd >= 0", name="total_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public order number, e.g. "OC-2611-000123" (year and month of placement, then the id).
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Generated when the checkout page is shown; a second submit of the same form finds this order.
    idempotency_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod, 16))
    recipient_name: Mapped[str] = mapped_column(sa.String(120))
    recipient_phone: Mapped[str] = mapped_column(sa.String(10))
    province_code: Mapped[int] = mapped_column(sa.Integer)
    ward_code: Mapped[int] = mapped_column(sa.Integer)
    street: Mapped[str] = mapped_column(sa.String(255))
    subtotal_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    shipping_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: A voucher's discount off the products and off the shipping (vouchers); total_vnd is after both.
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: The voucher code used, as typed at checkout (upper-case); NULL without one.
    voucher_code: Mapped[str | None] = mapped_column(sa.String(32))
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: Unpaid card and bank-transfer orders are cancelled (stock released) after this time.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: For an order placed without an account: the random part of its signed link (orders.guest_links).
    #: NULL otherwise, and once the order was claimed into an account from the link.
    guest_key: Mapped[str | None] = mapped_column(sa.String(32))

    buyer = relationship("User", lazy="raise_on_sql")
    producer_orders = relationship("ProducerOrder", back_populates="order", order_by="ProducerOrder.id",
                                   lazy="raise_on_sql")

    @property
    def status(self) -> OrderStatus:
        return derived_status(po.status for po in self.producer_orders)

    @property
    def address_line(self) -> str:
        ward = geo.ward(self.ward_code)
        return ", ".join(part for part in (self.street, ward.name if ward else "", geo.province_name(self.province_code)) if part)

    def __repr__(self) -> str:
        return f"<Order {self.number}>"


class ProducerOrder(db.Model):
    """The part of an order one producer fulfils; the state machine runs here."""

    __tablename__ = "producer_orders"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "producer_id", name="uq_producer_orders_order_producer"),
        sa.Index("ix_producer_orders_producer_status", "producer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"))
    #: The warehouse the units were reserved from.
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    #: The ledger channel its sale is recorded on (ledger.models.CHANNELS): "online" for a shipped order,
    #: "showroom" when collected at a showroom (location_id is then that showroom's), "linkage" when the
    #: order came out of a supply-demand linkage. Set when the order is placed.
    sales_channel: Mapped[str] = mapped_column(sa.String(32), default="online", server_default="online")
    #: Assigned only by orders.lifecycle.change_status.
    status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus, 20), default=OrderStatus.PENDING_PAYMENT)
    subtotal_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    shipping_fee_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: This shop's share of the order's voucher discount (products, shipping); total_vnd is after both.
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: Who pays for that discount: "platform" or "producer" (vouchers.models.CostBearer); NULL without one.
    discount_bearer: Mapped[str | None] = mapped_column(sa.String(16))
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    producer_name: Mapped[str] = mapped_column(sa.String(200))
    carrier: Mapped[str | None] = mapped_column(sa.String(80))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(80))
    #: Where the buyer follows the parcel on the carrier's site (http or https only), when the producer gave it.
    tracking_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: Set when money for this sub-order was received (card, bank transfer, or cash at delivery).
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when its lines were written to the sales ledger.
    sale_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order = relationship("Order", back_populates="producer_orders", lazy="raise_on_sql")
    producer = relationship("Producer", lazy="raise_on_sql")
    lines = relationship("OrderLine", back_populates="producer_order", order_by="OrderLine.id", lazy="raise_on_sql")
    events = relationship("OrderEvent", back_populates="producer_order", order_by="OrderEvent.id", lazy="raise_on_sql")

    @property
    def is_pickup(self) -> bool:
        """Collected by the buyer at a showroom (click and collect) rather than shipped."""
        return self.sales_channel == SHOWROOM_CHANNEL


class OrderLine(db.Model):
    """One product in a sub-order, with a snapshot of what it was when bought."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_vnd > 0", name="unit_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_order_id: Mapped[int] = mapped_column(sa.ForeignKey("producer_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    unit_price_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: This line's share of its sub-order's voucher discounts (the ledger entry of its sale carries them).
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # Snapshots: history and reports must survive later edits, renames and archiving of the product.
    product_name: Mapped[str] = mapped_column(sa.String(200))
    sku: Mapped[str] = mapped_column(sa.String(64))
    unit: Mapped[str] = mapped_column(sa.String(60))
    producer_name: Mapped[str] = mapped_column(sa.String(200))

    producer_order = relationship("ProducerOrder", back_populates="lines", lazy="raise_on_sql")


class OrderEvent(db.Model):
    """One status change of a sub-order: from, to, when, who, why. Append-only."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_order_id: Mapped[int] = mapped_column(sa.ForeignKey("producer_orders.id"), index=True)
    #: NULL for the creation of the sub-order.
    from_status: Mapped[OrderStatus | None] = mapped_column(enum_type(OrderStatus, 20))
    to_status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus, 20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: NULL when the system acted (webhook, expiry job).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: The reason chosen from a list (orders.status.CancelReason) when the buyer cancelled; `reason` then holds
    #: their own words, if any.
    reason_code: Mapped[str | None] = mapped_column(sa.String(32))

    producer_order = relationship("ProducerOrder", back_populates="events", lazy="raise_on_sql")
