"""Products, their images and OCOP certificates, their status events, and searches that found nothing."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalog.status import CertificateStatus, ProductStatus
from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db
from marketplace.producers.models import Producer, VerificationStatus


class IssuingLevel(StrEnum):
    DISTRICT = "district"
    PROVINCE = "province"
    MINISTRY = "ministry"


class EvaluationKind(StrEnum):
    NEW = "new"
    REEVALUATION = "reevaluation"
    UPGRADE = "upgrade"


class Product(db.Model):
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "catalogue"
    __tablename__ = "products"
    __table_args__ = (
        sa.UniqueConstraint("producer_id", "sku", name="uq_products_producer_sku"),
        sa.CheckConstraint("price_vnd > 0", name="price_positive"),
        sa.CheckConstraint("sold_quantity >= 0", name="sold_quantity_not_negative"),
        sa.CheckConstraint("star_level IS NULL OR star_level BETWEEN 3 AND 5", name="star_level_range"),
        sa.Index("ix_products_listing", "status", "star_level", "certified_until"),
        # A group's page sorted by price or by newest walks these in order and stops after one page,
        # instead of sorting every product of the group (group 1.4 of 20,000 by price: 6.9 -> 0.4 ms).
        sa.Index("ix_products_group_price", "group_code", "price_vnd", "id"),
        sa.Index("ix_products_group_created", "group_code", "created_at", "id"),
        # Related products on a product page (same group, most stars, best selling): 4.3 -> 0.1 ms.
        sa.Index("ix_products_group_stars_sold", "group_code", "star_level", "sold_quantity", "id"),
        # A broad search reads its matches best-selling first from here and stops after a page
        # (catalog.search.tiered), instead of ranking every match.
        sa.Index("ix_products_sold", "sold_quantity", "id"),
        # A search naming a province reads that province's products best-selling first (catalog.search).
        sa.Index("ix_products_province_sold", "province_code", "sold_quantity", "id"),
        sa.Index("ix_products_old_province_sold", "old_province_code", "sold_quantity", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(160), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: OCOP product group code of Decision 148, e.g. "1.4" (see catalog.categories).
    group_code: Mapped[str] = mapped_column(sa.String(8), index=True)
    #: OCOP product set code, e.g. "1.4.1".
    set_code: Mapped[str | None] = mapped_column(sa.String(10))
    #: Selling unit as printed, e.g. "chai 500ml", "hộp 6 bánh".
    unit: Mapped[str] = mapped_column(sa.String(60))
    price_vnd: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    status: Mapped[ProductStatus] = mapped_column(enum_type(ProductStatus, 16), default=ProductStatus.DRAFT)
    sku: Mapped[str] = mapped_column(sa.String(64))
    #: EAN-13, checksum validated on input.
    barcode: Mapped[str | None] = mapped_column(sa.String(13))
    is_featured: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Units sold, kept by the sales ledger when it records a sale or a reversal (for "best-selling").
    sold_quantity: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The latest verified certificate (by decision date), kept by catalog.services.refresh_certification.
    current_certificate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificates.id", use_alter=True, name="fk_products_current_certificate_id_certificates")
    )
    #: Stars and end of validity of the current certificate, copied here so listing and facets need no join.
    star_level: Mapped[int | None] = mapped_column(sa.SmallInteger)
    certified_until: Mapped[date | None] = mapped_column(sa.Date)
    #: Accent-folded words of the name, and of description, producer, province and group (search index input).
    search_name: Mapped[str] = mapped_column(sa.Text, default="")
    search_body: Mapped[str] = mapped_column(sa.Text, default="")
    #: The producer's province and old province, copied here by database triggers (migration 0036) whenever a
    #: product is added or moved and whenever its producer's province changes: never written from Python.
    province_code: Mapped[int | None] = mapped_column(
        sa.Integer, server_default=sa.FetchedValue(), server_onupdate=sa.FetchedValue())
    old_province_code: Mapped[int | None] = mapped_column(
        sa.SmallInteger, server_default=sa.FetchedValue(), server_onupdate=sa.FetchedValue())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    producer = relationship("Producer", back_populates="products", lazy="raise_on_sql")
    images = relationship(
        "ProductImage", back_populates="product", order_by="ProductImage.position",
        cascade="all, delete-orphan", lazy="raise_on_sql",
    )
    certificates = relationship(
        "Certificate", back_populates="product", foreign_keys="Certificate.product_id",
        order_by="Certificate.decision_date.desc()", lazy="raise_on_sql",
    )
    current_certificate = relationship("Certificate", foreign_keys=[current_certificate_id], lazy="raise_on_sql")

    @property
    def main_image(self):
        return self.images[0] if self.images else None

    def is_public(self, today: date | None = None) -> bool:
        """The listing rule for one loaded product; catalog.listing.public_clause
        is its SQL twin, and the two must say the same."""
        today = today or today_vn()
        # The producer by primary key: no SQL when it is already in the session (Product.producer never
        # loads implicitly).
        producer = db.session.get(Producer, self.producer_id)
        return bool(
            self.status == ProductStatus.ACTIVE
            and producer.verification_status == VerificationStatus.VERIFIED
            and self.star_level is not None
            and self.star_level >= 3
            and self.certified_until is not None
            and self.certified_until >= today
        )

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class ProductImage(db.Model):
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "catalogue"
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    #: 0 is the main image.
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: Keys in marketplace.storage (a local path or an object key), never a URL.
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    thumb_key: Mapped[str] = mapped_column(sa.String(255))
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    alt: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product = relationship("Product", back_populates="images", lazy="raise_on_sql")


class Certificate(db.Model):
    """An OCOP recognition decision for one product. A product may have several over time."""
    #: What the storefront shows from this table (marketplace/cache.py: a change makes new cache versions).
    __storefront__ = "catalogue"

    __tablename__ = "certificates"
    __table_args__ = (
        sa.CheckConstraint("star_level BETWEEN 3 AND 5", name="star_level_range"),
        # The star bands of Decision 148; a "potential 5 stars" product scored 90+ but is shown as 4 stars.
        sa.CheckConstraint(
            "(star_level = 3 AND score >= 50 AND score < 70)"
            " OR (star_level = 4 AND score >= 70 AND (score < 90 OR is_potential_five_star))"
            " OR (star_level = 5 AND score >= 90 AND score <= 100)",
            name="score_matches_stars",
        ),
        sa.CheckConstraint("valid_until > decision_date", name="valid_after_decision"),
        sa.Index("ix_certificates_product_status", "product_id", "status", "decision_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    star_level: Mapped[int] = mapped_column(sa.SmallInteger)
    #: Evaluation score out of 100.
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    decision_number: Mapped[str] = mapped_column(sa.String(60))
    decision_date: Mapped[date] = mapped_column(sa.Date)
    issuing_level: Mapped[IssuingLevel] = mapped_column(enum_type(IssuingLevel, 16))
    #: The issuing authority as printed, e.g. "UBND tỉnh Kiên Giang".
    authority: Mapped[str] = mapped_column(sa.String(200))
    #: The issuing province's name as printed, kept even after that province was merged (2025).
    issuing_province_name: Mapped[str | None] = mapped_column(sa.String(100))
    #: Legal version of the criteria, e.g. "148/QĐ-TTg".
    criteria_version: Mapped[str] = mapped_column(sa.String(40), default="148/QĐ-TTg")
    evaluation_kind: Mapped[EvaluationKind] = mapped_column(enum_type(EvaluationKind, 16), default=EvaluationKind.NEW)
    #: The 2018-2020 group name printed on old certificates (Decision 490 scheme).
    legacy_group: Mapped[str | None] = mapped_column(sa.String(120))
    #: 36 months after the decision unless the decision states otherwise.
    valid_until: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[CertificateStatus] = mapped_column(enum_type(CertificateStatus, 16), default=CertificateStatus.SUBMITTED)
    is_potential_five_star: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    scan_key: Mapped[str | None] = mapped_column(sa.String(255))
    #: Random public code for the verification page and the QR printed on packaging.
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product = relationship("Product", back_populates="certificates", foreign_keys=[product_id], lazy="raise_on_sql")

    def effective_status(self, today: date | None = None) -> str:
        """'valid', 'expired', 'revoked', 'submitted' or 'rejected' as of today."""
        if self.status == CertificateStatus.VALID and self.valid_until < (today or today_vn()):
            return "expired"
        return self.status.value


class ProductEvent(db.Model):
    """One change of a product's status: from, to, when, who, why. Append-only."""

    __tablename__ = "product_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ProductStatus] = mapped_column(enum_type(ProductStatus, 16))
    to_status: Mapped[ProductStatus] = mapped_column(enum_type(ProductStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: NULL when the system acted.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class CertificateEvent(db.Model):
    """One change of a certificate's status: from, to, when, who, why. Append-only."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True)
    from_status: Mapped[CertificateStatus] = mapped_column(enum_type(CertificateStatus, 16))
    to_status: Mapped[CertificateStatus] = mapped_column(enum_type(CertificateStatus, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: NULL when the system acted.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class AssistedListing(db.Model):
    """A product created or edited on a producer's behalf by the program office or showroom staff.

    While confirmed_at is NULL the product waits for the producer's confirmation and cannot go active.
    """

    __tablename__ = "assisted_listings"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_edited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    last_edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise_on_sql")
    last_edited_by = relationship("User", foreign_keys=[last_edited_by_id], lazy="raise_on_sql")

    @property
    def awaiting_confirmation(self) -> bool:
        return self.confirmed_at is None


class CertificateReminder(db.Model):
    """An expiry reminder already e-mailed for one certificate at one threshold (60 or 14 days)."""

    __tablename__ = "certificate_reminders"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"))
    #: The threshold this reminder was for: 60 or 14 days before valid_until.
    days_before: Mapped[int] = mapped_column(sa.Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ZeroResultSearch(db.Model):
    """A catalogue search that found nothing: a demand signal for the program office."""

    __tablename__ = "zero_result_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The query as typed (NFC, trimmed, at most 200 characters).
    query: Mapped[str] = mapped_column(sa.String(200))
    #: Accent-folded form, for grouping the same request typed different ways.
    folded_query: Mapped[str] = mapped_column(sa.String(200), index=True)
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
