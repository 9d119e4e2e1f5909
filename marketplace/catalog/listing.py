"""The listing rule, in one place: what the public catalogue shows.

A product is public only while it is active, its producer is verified, and it has a current verified
certificate of 3 stars or more that has not expired. Expiry needs no job: the rule compares
certified_until with today's date in Vietnam on every query. Product.is_public is the same rule in Python,
for one loaded product.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from marketplace.catalog.models import Product, ProductStatus
from marketplace.dates import today_vn
from marketplace.producers.models import Producer, VerificationStatus


def _fixed(column, value):
    """A value of the rule written into the SQL text at execution instead of bound as a parameter.

    psycopg prepares a statement run five times, and PostgreSQL then plans it once for any parameters.
    Blind to the values, it guessed that "active, 3 stars, not expired" picks 1 product in 20 (it picks 19
    in 20) and combined that index with the search index: 2.9 ms for "nuoc mam" instead of 1.3 ms.
    SQLAlchemy still caches a single compiled form (literal_execute renders the value per execution).
    """
    return sa.bindparam(None, value, type_=column.type, literal_execute=True)


def public_clause(today: date | None = None):
    """SQL condition for public products; the query must join Producer."""
    today = today or today_vn()
    return sa.and_(
        Product.status == _fixed(Product.status, ProductStatus.ACTIVE),
        Producer.verification_status == _fixed(Producer.verification_status, VerificationStatus.VERIFIED),
        Product.star_level >= _fixed(Product.star_level, 3),
        Product.certified_until >= _fixed(Product.certified_until, today),
    )


def public_products(today: date | None = None) -> sa.Select:
    """A SELECT of public products joined to their producer (loaded with them), ready for more filters."""
    return sa.select(Product).join(Product.producer).options(contains_eager(Product.producer)).where(public_clause(today))
