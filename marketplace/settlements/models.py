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


class Statement(db.Model):
    """What one producer earned in one period, frozen when the statement is built.

    net_payable_vnd = platform_sales_vnd - platform_refunds_vnd + shipping_fees_vnd - commission_vnd - discounts_vnd;
    negative means the producer owes the marketplace (e.g. commission on cash it collected itself).
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
    #: Sales whose money the marketplace (or a showroom) collected: card, bank transfer, showroom tills.
    platform_sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Refunds of those sales (a positive number, subtracted).
    platform_refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Cash on delivery the producer collected itself (it keeps the money; commission is still due).
    producer_sales_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Refunds of cash-on-delivery sales (a positive number; the producer returned that cash).
    producer_refunds_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Shipping fees the marketplace collected for the producer's prepaid sub-orders (net of refunded ones).
    shipping_fees_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: The rate used, snapshotted: the producer's override or the marketplace default at build time.
    commission_rate_bp: Mapped[int] = mapped_column(sa.Integer)
    #: Commission on all net sales of the period (both collection methods).
    commission_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Promotion discounts the producer agreed to bear.
    discounts_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    net_payable_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
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

    @property
    def gross_sales_vnd(self) -> int:
        return self.platform_sales_vnd + self.producer_sales_vnd

    @property
    def refunds_vnd(self) -> int:
        return self.platform_refunds_vnd + self.producer_refunds_vnd

    @property
    def net_sales_vnd(self) -> int:
        return self.gross_sales_vnd - self.refunds_vnd

    @property
    def is_paid(self) -> bool:
        return self.status == StatementStatus.PAID

    @property
    def is_void(self) -> bool:
        return self.status == StatementStatus.VOID

    @property
    def is_open(self) -> bool:
        return self.status == StatementStatus.OPEN


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
