"""The listing rule, in one place: what the public catalogue shows.

A product is public only while it is active, its producer is verified, and it has a current verified
certificate of 3 stars or more that has not expired. Expiry needs no job: the rule compares
certified_until with today's date in Vietnam on every query.
"""

from datetime import date

import sqlalchemy as sa

from marketplace.catalog.models import Product, ProductStatus
from marketplace.database import today_vn
from marketplace.producers.models import Producer, VerificationStatus


def public_clause(today: date | None = None):
    """SQL condition for public products; the query must join Producer."""
    today = today or today_vn()
    return sa.and_(
        Product.status == ProductStatus.ACTIVE,
        Producer.verification_status == VerificationStatus.VERIFIED,
        Product.star_level >= 3,
        Product.certified_until >= today,
    )


def public_products(today: date | None = None) -> sa.Select:
    """A SELECT of public products joined to their producer, ready for more filters."""
    return sa.select(Product).join(Product.producer).where(public_clause(today))


def is_listed(product: Product, today: date) -> bool:
    """The same rule evaluated on a loaded product."""
    return bool(
        product.status == ProductStatus.ACTIVE
        and product.producer.verification_status == VerificationStatus.VERIFIED
        and product.star_level is not None
        and product.star_level >= 3
        and product.certified_until is not None
        and product.certified_until >= today
    )
