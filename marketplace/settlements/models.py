"""Statements of money owed to (or by) a producer for a period, and the ledger entries each one settles."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db


class StatementStatus(StrEnum):
    #: Computed, waiting to be paid out.
    OPEN = "open"
    #: Paid out (or the producer's debt received), with a bank reference; final.
    PAID = "paid"
    #: Built by mistake and voided before payment, with a reason; its ledger entries were released to the
    #: next statement. Kept on record with the figures it had; final.
    VOID = "void"


class Collector(StrEnum):
    """Who received the buyer's money for a sale, and so who owes the producer its share."""

    #: OCOP Market: online payments (card, VietQR), also for an online order collected at a showroom.
    MARKETPLACE = "marketplace"
    #: The showroom: its till, or an online order paid at the counter when collected.
    SHOWROOM = "showroom"
    #: The producer itself: cash on delivery. It keeps the money and owes the commission.
    PRODUCER = "producer"


class Statement(db.Model):
    """What one producer earned in one period over every channel, frozen when the statement is built.

    Its sections (StatementSection) hold the figures per channel, showroom and collector; these columns are
    their totals. net_payable_vnd is the balance between OCOP Market and the producer: the amounts due of
    the sections OCOP Market or the producer collected (each with its voucher discounts, see StatementSection)
    + shipping_fees_vnd + the discounts OCOP Market bears on sales a showroom collected; negative means the
    producer owes OCOP Market. showroom_payable_vnd is what the showrooms that collected till money owe the
    producer, all together (negative: the producer owes them, e.g. a return after the sale was settled).
    Statements built before sections existed have none, and net_payable_vnd was their online sales -
    commission + shipping_fees_vnd - discounts_vnd.
    """

    __tablename__ = "statements"
    __table_args__ = (
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.CheckConstraint("commission_rate_bp >= 0 AND commission_rate_bp <= 10000", name="commission_rate_range"),
        sa.CheckConstraint("status <> 'paid' OR (paid_at IS NOT NULL AND bank_reference IS NOT NULL)",
                           name="paid_has_reference"),
        sa.Index("ix_statements_producer_period", "producer_id", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"))
    #: First and last day of the period (inclusive), in Vietnam's calendar.
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[StatementStatus] = mapped_column(enum_type(StatementStatus, 8), default=StatementStatus.OPEN,
                                                    index=True)
    #: Sales whose money OCOP Market collected: card, VietQR (online, linkage, or collected at a showroom).
    platform_sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Refunds of those sales (a positive number, subtracted).
    platform_refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Cash on delivery the producer collected itself (it keeps the money; commission is still due).
    producer_sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Refunds of cash-on-delivery sales (a positive number; the producer returned that cash).
    producer_refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Sales whose money a showroom collected (its till, or paid at the counter on collection).
    showroom_sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: Returns and voids of those sales (a positive number, subtracted).
    showroom_refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: Shipping fees the marketplace collected for the producer's prepaid sub-orders (net of refunded ones).
    shipping_fees_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: OCOP Market's rate, snapshotted: the producer's override or the marketplace default at build time
    #: (online and linkage sections; a showroom section carries its showroom's rate).
    commission_rate_bp: Mapped[int] = mapped_column(sa.Integer)
    #: Commission of every section (OCOP Market's and the showrooms').
    commission_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Voucher discounts (off the goods and off the shipping) the producer bears, on every section, net of
    #: those given back with refunds: subtracted where OCOP Market or a showroom collected the money; on cash
    #: on delivery the buyer simply paid the producer that much less.
    discounts_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Voucher discounts OCOP Market bears, on every section, net of refunds: they never lower the producer's
    #: money; where the producer or a showroom collected the (lower) price, OCOP Market pays them to the producer.
    platform_discounts_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    net_payable_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: What the showrooms that collected till money pay the producer, all together (see the sections).
    showroom_payable_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: How many ledger entries it settles (sales and reversals).
    entry_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The bank transfer's reference, as written on the bank statement.
    bank_reference: Mapped[str | None] = mapped_column(sa.String(100))
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    producer = relationship("Producer", lazy="raise_on_sql")
    paid_by = relationship("User", foreign_keys=[paid_by_id], lazy="raise_on_sql")
    #: Who voided it, when and why (only for a void statement).
    void = relationship("StatementVoid", back_populates="statement", uselist=False, lazy="raise_on_sql")
    entries = relationship("StatementEntry", back_populates="statement", order_by="StatementEntry.id",
                           lazy="raise_on_sql")
    sections = relationship("StatementSection", back_populates="statement", order_by="StatementSection.position",
                            lazy="raise_on_sql")

    @property
    def gross_sales_vnd(self) -> int:
        return self.platform_sales_vnd + self.producer_sales_vnd + self.showroom_sales_vnd

    @property
    def refunds_vnd(self) -> int:
        return self.platform_refunds_vnd + self.producer_refunds_vnd + self.showroom_refunds_vnd

    @property
    def net_sales_vnd(self) -> int:
        return self.gross_sales_vnd - self.refunds_vnd

    @property
    def showroom_platform_discounts_vnd(self) -> int:
        """The discounts OCOP Market bears on sales a showroom collected (part of net_payable_vnd; needs the
        sections loaded)."""
        return sum(section.platform_discounts_vnd for section in self.sections
                   if section.collected_by == Collector.SHOWROOM)

    @property
    def is_paid(self) -> bool:
        return self.status == StatementStatus.PAID

    @property
    def is_void(self) -> bool:
        return self.status == StatementStatus.VOID

    @property
    def is_open(self) -> bool:
        return self.status == StatementStatus.OPEN


#: A section's amount due, by collector (StatementSection's docstring says why).
DUE_ADDS_UP = (
    "(collected_by = 'producer' AND due_vnd = platform_discounts_vnd - commission_vnd)"
    " OR (collected_by = 'marketplace'"
    " AND due_vnd = sales_vnd - refunds_vnd - commission_vnd - producer_discounts_vnd)"
    " OR (collected_by = 'showroom'"
    " AND due_vnd = sales_vnd - refunds_vnd - commission_vnd - producer_discounts_vnd - platform_discounts_vnd)"
)


class StatementSection(db.Model):
    """The part of a statement for one channel, one showroom (showroom channel only) and one collector.

    sales - refunds is the goods' price net of refunds, before any voucher; the commission is taken on it at
    the section's rate (OCOP Market's for online and linkage, the showroom's for a showroom) and rounded once
    per section to whole đồng, so a voucher never changes the commission. due_vnd is what the collector owes
    the producer, voucher discounts (goods and shipping, refunds netted) included:

    - OCOP Market collected (prepaid): net - commission - the discounts the producer bears (the buyer paid
      that much less; what OCOP Market bears it pays itself);
    - the producer collected (cash on delivery, already net of every discount): the discounts OCOP Market
      bears (it owes them to the producer) - commission;
    - a showroom collected (paid at its counter): net - commission - every discount (it received that much
      less); the discounts OCOP Market bears are added to the producer's balance with OCOP Market instead.

    Frozen with the statement.
    """

    __tablename__ = "statement_sections"
    __table_args__ = (
        sa.CheckConstraint("commission_rate_bp >= 0 AND commission_rate_bp <= 10000", name="commission_rate_range"),
        sa.CheckConstraint("sales_vnd >= 0 AND refunds_vnd >= 0", name="amounts_not_negative"),
        sa.CheckConstraint(DUE_ADDS_UP, name="due_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    #: Order on the page and in the export: online, linkage, then showrooms by name.
    position: Mapped[int] = mapped_column(sa.Integer)
    #: One of ledger.models.CHANNELS.
    channel: Mapped[str] = mapped_column(sa.String(32))
    #: The showroom whose stock location the sales left from (showroom channel only).
    showroom_id: Mapped[int | None] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    #: The showroom's name when the statement was built.
    showroom_name: Mapped[str] = mapped_column(sa.String(200), default="")
    collected_by: Mapped[Collector] = mapped_column(enum_type(Collector, 16))
    commission_rate_bp: Mapped[int] = mapped_column(sa.Integer)
    sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Refunds, returns and voids (a positive number, subtracted).
    refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    commission_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Voucher discounts (goods and shipping) on the section's sales, by who bears them, net of those given
    #: back with refunds (so negative when a refund of an earlier statement's sale lands here).
    producer_discounts_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    platform_discounts_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    #: What the collector owes the producer; negative means the producer owes the collector (or, for cash
    #: on delivery, OCOP Market its commission).
    due_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    entry_count: Mapped[int] = mapped_column(sa.Integer, default=0)

    statement = relationship("Statement", back_populates="sections", lazy="raise_on_sql")
    lines = relationship("StatementLine", back_populates="section", order_by="StatementLine.position",
                         lazy="raise_on_sql")

    @property
    def net_sales_vnd(self) -> int:
        return self.sales_vnd - self.refunds_vnd

    @property
    def units_sold(self) -> int:
        return sum(line.units_sold for line in self.lines)

    @property
    def units_returned(self) -> int:
        return sum(line.units_returned for line in self.lines)


class StatementLine(db.Model):
    """One product within a section: units sold and returned, and their amounts (frozen with the statement)."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        sa.CheckConstraint("units_sold >= 0 AND units_returned >= 0", name="units_not_negative"),
        sa.CheckConstraint("sales_vnd >= 0 AND refunds_vnd >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("statement_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    #: Snapshots from the ledger entries.
    product_name: Mapped[str] = mapped_column(sa.String(200))
    sku: Mapped[str] = mapped_column(sa.String(64), default="")
    units_sold: Mapped[int] = mapped_column(sa.Integer, default=0)
    units_returned: Mapped[int] = mapped_column(sa.Integer, default=0)
    sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    section = relationship("StatementSection", back_populates="lines", lazy="raise_on_sql")

    @property
    def net_sales_vnd(self) -> int:
        return self.sales_vnd - self.refunds_vnd


class StatementEntry(db.Model):
    """One ledger entry settled by one statement. The unique sale_entry_id makes double settlement impossible."""

    __tablename__ = "statement_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    sale_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("sale_entries.id"), unique=True)

    statement = relationship("Statement", back_populates="entries", lazy="raise_on_sql")
    sale_entry = relationship("SaleEntry", lazy="raise_on_sql")


class StatementVoid(db.Model):
    """Who voided a statement, when and why: written with the status change, in the same transaction."""

    __tablename__ = "statement_voids"

    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(300))
    #: How many ledger entries it released to the next statement.
    released_entries: Mapped[int] = mapped_column(sa.Integer)
    voided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    statement = relationship("Statement", back_populates="void", lazy="raise_on_sql")
    voided_by = relationship("User", lazy="raise_on_sql")
