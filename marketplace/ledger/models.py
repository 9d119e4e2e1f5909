"""The sales ledger: append-only sale rows; refunds are reversing rows (negative quantity and total)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db

#: The marketplace's own channel (online orders shipped to the buyer).
ONLINE_CHANNEL = "online"
#: Sales at a showroom: its till, or an online order collected there; location_id says which showroom.
SHOWROOM_CHANNEL = "showroom"
#: Orders that came out of a supply-demand linkage (a buyer's request answered by a producer's offer).
LINKAGE_CHANNEL = "linkage"
#: Every channel a sale entry may carry.
CHANNELS = (ONLINE_CHANNEL, SHOWROOM_CHANNEL, LINKAGE_CHANNEL)


class LedgerIsAppendOnly(DomainError):
    """A sale entry was about to be changed or deleted."""


class SaleEntry(db.Model):
    __tablename__ = "sale_entries"
    __table_args__ = (
        sa.CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        sa.CheckConstraint("(reverses_id IS NULL AND quantity > 0) OR (reverses_id IS NOT NULL AND quantity < 0)",
                           name="sign_matches_kind"),
        sa.Index("ix_sale_entries_producer_occurred", "producer_id", "occurred_at"),
        sa.Index("ix_sale_entries_product_occurred", "product_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"))
    #: The online order line sold; NULL for sales from other channels (showroom tills).
    order_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    unit_price_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    total_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    #: The voucher discount on this line's goods and its share of the sub-order's shipping discount (a
    #: reversal carries them negated, like total_vnd); what the buyer paid is total_vnd - discount_vnd.
    discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    shipping_discount_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: Who pays for those discounts: "platform" or "producer"; NULL when there is none. Producer statements
    #: subtract only what the producer bears.
    discount_bearer: Mapped[str | None] = mapped_column(sa.String(16))
    #: One of CHANNELS: "online", "showroom" (with location_id the showroom's) or "linkage".
    channel: Mapped[str] = mapped_column(sa.String(32), default=ONLINE_CHANNEL, index=True)
    #: Where the units left from (a producer warehouse or a showroom).
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    buyer_province_code: Mapped[int | None] = mapped_column(sa.Integer)
    payment_method: Mapped[str] = mapped_column(sa.String(16))
    #: e.g. "order:OC-2611-000123"
    reference: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The entry this one reverses (a refund or return).
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sale_entries.id"), unique=True)
    product_name: Mapped[str] = mapped_column(sa.String(200))
    sku: Mapped[str | None] = mapped_column(sa.String(64))
    producer_name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(SaleEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise LedgerIsAppendOnly("sale entries are never edited; write a reversing entry")


@event.listens_for(SaleEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise LedgerIsAppendOnly("sale entries are never deleted; write a reversing entry")
