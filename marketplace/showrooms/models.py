"""Showrooms, their staff and invitations, lots and the stock per lot, consignments and their events, till
sales and closes, click-and-collect holds and discarded offline till sales."""

import secrets
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.showrooms.status import ConsignmentStatus, PosSaleStatus


class StaffRole(StrEnum):
    #: Receives consignments, records returns and counts, manages the day.
    MANAGER = "manager"
    #: Sells at the counter.
    CLERK = "clerk"


class ConsignmentKind(StrEnum):
    #: Goods a producer brings to the showroom.
    DELIVERY = "delivery"
    #: Goods the showroom hands back to their producer.
    RETURN = "return"


class Showroom(db.Model):
    """One OCOP showroom in Hanoi; its goods are held at its own stock Location (kind showroom)."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "pages"

    __tablename__ = "showrooms"
    __table_args__ = (
        sa.CheckConstraint("commission_rate_bp >= 0 AND commission_rate_bp <= 10000", name="commission_in_range"),
        sa.CheckConstraint("max_discount_bp >= 0 AND max_discount_bp <= 10000", name="max_discount_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(220), unique=True)
    #: The province (Hà Nội, code 1) and commune of the 2025 model (marketplace.geo).
    province_code: Mapped[int] = mapped_column(sa.Integer)
    ward_code: Mapped[int] = mapped_column(sa.Integer, index=True)
    street: Mapped[str] = mapped_column(sa.String(255))
    opening_hours: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    #: What the showroom keeps of a consigned sale, in basis points (1000 = 10 %).
    commission_rate_bp: Mapped[int] = mapped_column(sa.Integer, default=1000)
    #: The largest discount a till may give on a sale or a line, in basis points of its amount (0 = none).
    max_discount_bp: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    location = relationship("Location", lazy="raise_on_sql")


class ShowroomMember(db.Model):
    """A user working in a showroom, as manager or clerk (a user may work in several)."""

    __tablename__ = "showroom_members"
    __table_args__ = (sa.UniqueConstraint("showroom_id", "user_id", name="uq_showroom_members_showroom_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    showroom = relationship("Showroom", lazy="raise_on_sql")
    user = relationship("User", lazy="raise_on_sql")


class ShowroomInvitation(db.Model):
    """An e-mailed invitation to work in a showroom; the link carries a signed token and is used once."""

    __tablename__ = "showroom_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, 16))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    showroom = relationship("Showroom", lazy="raise_on_sql")


def new_lot_public_code() -> str:
    """12 URL-safe random characters (72 bits): lot pages cannot be enumerated."""
    return secrets.token_urlsafe(9)


class Lot(db.Model):
    """A production lot of one product: its code as printed on the pack and its best-before date."""

    __tablename__ = "lots"
    __table_args__ = (sa.UniqueConstraint("product_id", "code", name="uq_lots_product_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    #: NULL for goods that do not expire (handicraft).
    best_before: Mapped[date | None] = mapped_column(sa.Date)
    #: When the lot was made, if the producer said so.
    produced_on: Mapped[date | None] = mapped_column(sa.Date)
    #: Random code of the public traceability page (/lot/<code>) and the QR on the pack: never the id.
    public_code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_lot_public_code)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product = relationship("Product", lazy="raise_on_sql")


class LotStock(db.Model):
    """Units of one lot at one location. At a showroom the product's StockLevel equals the sum of these."""

    __tablename__ = "lot_stocks"
    __table_args__ = (
        sa.UniqueConstraint("lot_id", "location_id", name="uq_lot_stocks_lot_location"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    quantity: Mapped[int] = mapped_column(sa.Integer, default=0)

    lot = relationship("Lot", lazy="raise_on_sql")


class Consignment(db.Model):
    """A delivery of a producer's goods to a showroom, or a return of them; its lines say what and how many."""

    __tablename__ = "consignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "KG-2026-000012": set right after the row is created (it carries the id).
    number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[ConsignmentKind] = mapped_column(enum_type(ConsignmentKind, 16))
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    status: Mapped[ConsignmentStatus] = mapped_column(enum_type(ConsignmentStatus, 16),
                                                      default=ConsignmentStatus.RECORDED)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    showroom = relationship("Showroom", lazy="raise_on_sql")
    producer = relationship("Producer", lazy="raise_on_sql")
    lines = relationship("ConsignmentLine", back_populates="consignment", lazy="raise_on_sql",
                         order_by="ConsignmentLine.id")
    events = relationship("ConsignmentEvent", lazy="raise_on_sql", order_by="ConsignmentEvent.id")


class ConsignmentLine(db.Model):
    """One product of a consignment: the lot, the quantity announced and, once received, the quantity counted."""

    __tablename__ = "consignment_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("counted_quantity IS NULL OR counted_quantity >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(sa.ForeignKey("consignments.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    lot_code: Mapped[str] = mapped_column(sa.String(40))
    best_before: Mapped[date | None] = mapped_column(sa.Date)
    #: When the lot was made, as the producer said (it goes to the lot's traceability page on receipt).
    produced_on: Mapped[date | None] = mapped_column(sa.Date)
    #: Set when the stock moved (on receipt of a delivery; at once for a return).
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    counted_quantity: Mapped[int | None] = mapped_column(sa.Integer)
    #: Why the counted quantity differs from the announced one.
    difference_reason: Mapped[str] = mapped_column(sa.String(255), default="")

    consignment = relationship("Consignment", back_populates="lines", lazy="raise_on_sql")
    product = relationship("Product", lazy="raise_on_sql")


class ConsignmentEvent(db.Model):
    """One status change of a consignment: from, to, when, who, why. Append-only."""

    __tablename__ = "consignment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(sa.ForeignKey("consignments.id"), index=True)
    #: NULL for the creation.
    from_status: Mapped[ConsignmentStatus | None] = mapped_column(enum_type(ConsignmentStatus, 16))
    to_status: Mapped[ConsignmentStatus] = mapped_column(enum_type(ConsignmentStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"


class PosSale(db.Model):
    """A sale at a showroom's till. Never edited once completed: a void adds reversing ledger records."""

    __tablename__ = "pos_sales"
    __table_args__ = (
        sa.UniqueConstraint("showroom_id", "client_id", name="uq_pos_sales_showroom_client"),
        sa.CheckConstraint("subtotal_vnd >= 0 AND discount_vnd >= 0 AND total_vnd >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    #: Made by the till (browser) before posting: the same sale posted twice is recorded once.
    client_id: Mapped[str] = mapped_column(sa.String(64))
    #: "BL-2026-000012": set right after the row is created (it carries the id).
    number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    status: Mapped[PosSaleStatus] = mapped_column(enum_type(PosSaleStatus, 16), default=PosSaleStatus.COMPLETED)
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod, 16))
    subtotal_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: The sale-level discount (line discounts are on the lines).
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    cash_received_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    change_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    einvoice_number: Mapped[str] = mapped_column(sa.String(50), default="")
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: When the till made the sale (may be earlier than created_at for a sale queued offline).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    showroom = relationship("Showroom", lazy="raise_on_sql")
    lines = relationship("PosSaleLine", back_populates="sale", lazy="raise_on_sql", order_by="PosSaleLine.id")
    events = relationship("PosSaleEvent", lazy="raise_on_sql", order_by="PosSaleEvent.id")


class PosSaleLine(db.Model):
    """One product of a POS sale taken from one lot (a product spread over two lots gives two lines).

    `discount_vnd` is the line's whole discount: its own plus its share of the sale's discount. Its ledger
    entries carry the reference "pos:<sale number>"."""

    __tablename__ = "pos_sale_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("discount_vnd >= 0 AND total_vnd >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(sa.ForeignKey("pos_sales.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    #: Snapshot for the receipt and the e-invoice export.
    product_name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    quantity: Mapped[int] = mapped_column(sa.Integer)
    unit_price_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger)

    sale = relationship("PosSale", back_populates="lines", lazy="raise_on_sql")
    lot = relationship("Lot", lazy="raise_on_sql")


class PosSaleEvent(db.Model):
    """One status change of a POS sale (completed, then possibly voided): from, to, when, who, why."""

    __tablename__ = "pos_sale_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(sa.ForeignKey("pos_sales.id"), index=True)
    from_status: Mapped[PosSaleStatus | None] = mapped_column(enum_type(PosSaleStatus, 16))
    to_status: Mapped[PosSaleStatus] = mapped_column(enum_type(PosSaleStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class TillClose(db.Model):
    """The close of a showroom's till for one shift: what the sales of the shift took by payment method, the cash
    expected (opening float + cash takings), the cash counted and the difference. Never edited: a later count is
    a TillCloseCorrection referencing it. The shift runs from the previous close (or the start of its day) to
    `closed_at`; a sale or void recorded after it belongs to the next shift."""

    __tablename__ = "till_closes"
    __table_args__ = (
        sa.UniqueConstraint("showroom_id", "period_start", name="uq_till_closes_showroom_start"),
        sa.CheckConstraint("opening_float_vnd >= 0 AND counted_cash_vnd >= 0", name="cash_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    #: The business day (Vietnam time) and the shift's number within it (1, 2, ...).
    business_day: Mapped[date] = mapped_column(sa.Date)
    shift_number: Mapped[int] = mapped_column(sa.Integer)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sales_count: Mapped[int] = mapped_column(sa.Integer)
    voids_count: Mapped[int] = mapped_column(sa.Integer)
    #: Net takings of the shift (sales minus voids recorded in it) by payment method.
    cash_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    bank_transfer_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    card_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    opening_float_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    expected_cash_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    counted_cash_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: counted - expected (negative: cash missing).
    difference_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    showroom = relationship("Showroom", lazy="raise_on_sql")
    closed_by = relationship("User", lazy="raise_on_sql")
    corrections = relationship("TillCloseCorrection", lazy="raise_on_sql", order_by="TillCloseCorrection.id")


class TillCloseCorrection(db.Model):
    """A recount of a closed shift's cash: it replaces the counted amount for reading, the close stays as it was."""

    __tablename__ = "till_close_corrections"
    __table_args__ = (sa.CheckConstraint("counted_cash_vnd >= 0", name="cash_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    close_id: Mapped[int] = mapped_column(sa.ForeignKey("till_closes.id"), index=True)
    counted_cash_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    difference_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.String(500))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pickup(db.Model):
    """A click-and-collect sub-order held at a showroom: its units were taken off the showroom's lots when the
    order was placed (PickupLot rows say which); they go back into the same lots if it is cancelled, and are
    sold when the buyer collects them. The sub-order's status lives on the order (orders.lifecycle)."""

    __tablename__ = "pickups"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_order_id: Mapped[int] = mapped_column(sa.ForeignKey("producer_orders.id"), unique=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    #: The buyer collects by this time (set when staff mark it ready); an unpaid one is then cancelled.
    collect_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: How the buyer paid at the counter; NULL when it was paid online.
    counter_payment_method: Mapped[PaymentMethod | None] = mapped_column(enum_type(PaymentMethod, 16))
    #: Set when the units went back to their lots (order cancelled or refunded before collection).
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the buyer collected the goods.
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    showroom = relationship("Showroom", lazy="raise_on_sql")
    lots = relationship("PickupLot", lazy="raise_on_sql", order_by="PickupLot.id")


class PickupLot(db.Model):
    """Units of one lot set aside at the showroom for a pickup (a product spread over two lots gives two rows)."""

    __tablename__ = "pickup_lots"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_id: Mapped[int] = mapped_column(sa.ForeignKey("pickups.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(sa.Integer)

    lot = relationship("Lot", lazy="raise_on_sql")


class DiscardedTillSale(db.Model):
    """An offline till sale the server could not honour (stock gone) that a manager discarded: who, when, what
    and why, so a sale is never lost silently. Append-only; one row per till id."""

    __tablename__ = "discarded_till_sales"
    __table_args__ = (sa.UniqueConstraint("showroom_id", "client_id", name="uq_discarded_till_sales_showroom_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    client_id: Mapped[str] = mapped_column(sa.String(64))
    #: When the till made the sale (as the till said; NULL when it sent no usable time).
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_method: Mapped[PaymentMethod | None] = mapped_column(enum_type(PaymentMethod, 16))
    #: The total the till computed, in đồng.
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: What was sold: [{"product_id", "name", "quantity"}], names as the catalogue has them when discarded.
    lines: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Why the server refused it (the message the till showed).
    conflict: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Why the manager discarded it.
    reason: Mapped[str] = mapped_column(sa.String(500))
    discarded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    discarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    discarded_by = relationship("User", lazy="raise_on_sql")
