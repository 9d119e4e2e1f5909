"""Catalogue rules that touch more than one row: certification status and the search index input."""

import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace import geo, old_provinces
from marketplace.catalog import categories
from marketplace.catalog.models import Certificate, CertificateStatus, Product
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.text import folded_words

#: Validity of a recognition decision unless it states otherwise (DOMAIN.md §2).
VALIDITY_MONTHS = 36
#: The scores that give each star level (Decision 148; the certificates table checks the same bands).
#: A "potential 5 stars" product scored 90 or more but is shown with 4 stars.
SCORE_BANDS = {3: range(50, 70), 4: range(70, 90), 5: range(90, 101)}


def default_valid_until(decision_date: date) -> date:
    """36 months after the decision date (the last day of the month when the day does not exist)."""
    month_index = decision_date.month - 1 + VALIDITY_MONTHS
    year, month = decision_date.year + month_index // 12, month_index % 12 + 1
    for day in (decision_date.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_valid_ean13(code: str | None) -> bool:
    """True for 13 digits whose last digit is the EAN-13 check digit."""
    if not code or len(code) != 13 or not (code.isascii() and code.isdigit()):
        return False
    digits = [int(ch) for ch in code]
    checksum = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - checksum % 10) % 10 == digits[12]


def new_verification_code() -> str:
    """A random, unguessable code for a certificate's public verification page."""
    return secrets.token_urlsafe(12)


def refresh_certification(product: Product) -> None:
    """Point the product at its latest verified certificate and copy its stars and validity.

    The latest verified decision supersedes earlier ones (a re-evaluation replaces the old rating), so
    when it expires the product leaves the catalogue even if an older certificate had not yet lapsed.
    """
    current = db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.product_id == product.id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc())
        .limit(1)
    ).first()
    product.current_certificate_id = current.id if current else None
    product.star_level = current.star_level if current else None
    product.certified_until = current.valid_until if current else None
    db.session.flush()


def index_product(product: Product) -> None:
    """Fill the accent-folded search columns from the name, description, producer, province (and the old
    province before 2025, so "kien giang" still finds it), group and unit."""
    group = categories.get(product.group_code)
    producer = product.producer
    product.search_name = folded_words(product.name)
    product.search_body = folded_words(
        product.description,
        producer.name if producer else "",
        geo.province_name(producer.province_code) if producer else "",
        old_provinces.former_name(getattr(producer, "old_province_code", None)) if producer else "",
        group.name_vi if group else "",
        group.name_en if group else "",
        product.unit,
    )


def reindex_producer(producer: Producer) -> None:
    """Refill the search text of every product of the producer (after its name or province changed)."""
    for product in db.session.scalars(sa.select(Product).where(Product.producer_id == producer.id)
                                      .options(joinedload(Product.producer))):
        index_product(product)
    db.session.flush()
