"""The sales summary the program analytics read: the ledger added up per Vietnamese calendar day, product,
channel, showroom and buyer province, so a page over three years reads far fewer rows than the ledger holds.

It is derived data, never edited by hand: `reports.summary.refresh_summary` folds in the ledger entries
recorded since the last refresh (their ids are above `SummaryMark.last_entry_id`), and every figure adds
the entries not folded in yet straight from the ledger, so a page always equals a direct sum over it.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime
from marketplace.dates import utcnow
from marketplace.extensions import db

#: The summary's stand-in for "no showroom" and "buyer province not recorded" (so the key has no NULLs and
#: an upsert finds its row on SQLite and PostgreSQL alike); location ids and province codes start at 1.
NONE_KEY = 0


class SalesDay(db.Model):
    __tablename__ = "report_sales_days"
    __table_args__ = (
        sa.UniqueConstraint("day", "product_id", "channel", "location_key", "buyer_province_key",
                            name="uq_report_sales_days_key"),
        sa.Index("ix_report_sales_days_day_channel", "day", "channel", "location_key"),
        # A filter no rollup level covers reads the rows of its products, producers or showroom.
        sa.Index("ix_report_sales_days_product_day", "product_id", "day"),
        sa.Index("ix_report_sales_days_producer_day", "producer_id", "day"),
        sa.Index("ix_report_sales_days_location_day", "location_key", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Vietnamese calendar day of the sales (Asia/Ho_Chi_Minh, UTC+7).
    day: Mapped[date] = mapped_column(sa.Date)
    product_id: Mapped[int] = mapped_column(sa.Integer)
    #: The product's producer (a product never changes producer), so producer figures need no product join.
    producer_id: Mapped[int] = mapped_column(sa.Integer)
    #: One of ledger.models.CHANNELS.
    channel: Mapped[str] = mapped_column(sa.String(32))
    #: The showroom's location id, or NONE_KEY.
    location_key: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    #: The buyer's province code, or NONE_KEY when the sale did not record it (showroom tills).
    buyer_province_key: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    #: Net units and revenue: sales minus their reversals (refunds, voids).
    units: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    revenue_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Sales documents whose first line is in this row (see reports.summary.first_line_flag).
    orders: Mapped[int] = mapped_column(sa.Integer, default=0)


class SummaryMark(db.Model):
    """One row: how far the summary has read the ledger."""

    __tablename__ = "report_summary_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Every ledger entry with an id up to this one is in report_sales_days.
    last_entry_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: The time grains of the rollups: a row adds up one Vietnamese calendar day, month or year (its `start` is
#: that day, the first of the month, or the first of January).
GRAINS = ("day", "month", "year")


class SalesRollup(db.Model):
    """The ledger added up without the product, per level (reports.rollups.LEVELS: which dimensions a level
    keeps), time grain and the level's dimensions; the dimensions a level leaves out hold NONE_KEY or "".

    Product group, star level, producer province and producer type are the ones in ProductKey (the
    product's and producer's as of the last refresh, which re-keys a product's rows when they change)."""

    __tablename__ = "report_sales_rollups"
    __table_args__ = (
        sa.UniqueConstraint("level", "grain", "start", "channel", "location_key", "buyer_province_key",
                            "province_key", "group_code", "star_key", "producer_type", "producer_id", "product_id",
                            name="uq_report_sales_rollups_key"),
        sa.Index("ix_report_sales_rollups_province", "level", "grain", "province_key", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name of a reports.rollups.LEVELS entry.
    level: Mapped[str] = mapped_column(sa.String(16))
    #: One of GRAINS.
    grain: Mapped[str] = mapped_column(sa.String(8))
    #: The first day the row adds up (a day, the first of a month or of a year; Vietnamese calendar).
    start: Mapped[date] = mapped_column(sa.Date)
    channel: Mapped[str] = mapped_column(sa.String(32))
    location_key: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    buyer_province_key: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    #: The producer's province code.
    province_key: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    #: The Decision 148 group code ("" when the level leaves it out).
    group_code: Mapped[str] = mapped_column(sa.String(8), default="")
    #: The product's star level, NONE_KEY for no valid certificate (or when the level leaves it out).
    star_key: Mapped[int] = mapped_column(sa.SmallInteger, default=NONE_KEY)
    #: The producer's type (producers.models.ProducerType value; "" when the level leaves it out).
    producer_type: Mapped[str] = mapped_column(sa.String(8), default="")
    producer_id: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    product_id: Mapped[int] = mapped_column(sa.Integer, default=NONE_KEY)
    units: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    revenue_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    orders: Mapped[int] = mapped_column(sa.Integer, default=0)


class ProductKey(db.Model):
    """The attributes each product's sales are filed under in the rollups: its group and star level and its
    producer's province and type as of the last refresh. A refresh that finds them changed moves the
    product's sales to the new ones; until then the figures read the product-level rows instead."""

    __tablename__ = "report_product_keys"

    product_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    producer_id: Mapped[int] = mapped_column(sa.Integer)
    province_key: Mapped[int] = mapped_column(sa.Integer)
    group_code: Mapped[str] = mapped_column(sa.String(8))
    star_key: Mapped[int] = mapped_column(sa.SmallInteger)
    producer_type: Mapped[str] = mapped_column(sa.String(8))
