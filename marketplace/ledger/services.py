"""Writing the sales ledger. Called explicitly, in the caller's transaction, by whatever makes a sale."""

from datetime import datetime

import sqlalchemy as sa

from marketplace import cache
from marketplace.catalog.models import Product
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry


class AlreadyReversed(DomainError):
    """A sale entry can be reversed once."""


def _count_sold(product_id: int, change: int) -> None:
    # One atomic UPDATE: concurrent sales of the same product cannot lose each other's counts. The count
    # is shown ("N sold") and sorts the catalogue, but decides nothing the catalogue lists or counts.
    db.session.execute(
        sa.update(Product).where(Product.id == product_id)
        .values(sold_quantity=Product.sold_quantity + change)
        .execution_options(synchronize_session=False, storefront_scope=cache.PAGES)
    )


def record_sale(*, product_id: int, producer_id: int, quantity: int, unit_price_vnd: int, payment_method: str,
                product_name: str, producer_name: str, sku: str | None = None, order_line_id: int | None = None,
                channel: str = "online", location_id: int | None = None, buyer_province_code: int | None = None,
                reference: str | None = None, occurred_at: datetime | None = None, discount_vnd: int = 0,
                shipping_discount_vnd: int = 0, discount_bearer: str | None = None) -> SaleEntry:
    """Append one sale and count the units on the product (for the best-selling sort).

    discount_vnd and shipping_discount_vnd are a voucher's share on this line, discount_bearer who pays
    for them ("platform" or "producer"); a bearer is required with a discount, and none without.
    """
    if not isinstance(quantity, int) or quantity <= 0:
        raise DomainError("a sale needs a positive quantity")
    if discount_vnd < 0 or shipping_discount_vnd < 0 or discount_vnd > quantity * unit_price_vnd:
        raise DomainError("a discount is between 0 and the line's total")
    if bool(discount_vnd or shipping_discount_vnd) != (discount_bearer is not None):
        raise DomainError("a discount needs its bearer, and a bearer a discount")
    entry = SaleEntry(
        product_id=product_id, producer_id=producer_id, order_line_id=order_line_id, quantity=quantity,
        unit_price_vnd=unit_price_vnd, total_vnd=quantity * unit_price_vnd, discount_vnd=discount_vnd,
        shipping_discount_vnd=shipping_discount_vnd, discount_bearer=discount_bearer, channel=channel,
        location_id=location_id, buyer_province_code=buyer_province_code, payment_method=payment_method,
        reference=reference, occurred_at=occurred_at or utcnow(), product_name=product_name, sku=sku,
        producer_name=producer_name,
    )
    db.session.add(entry)
    _count_sold(product_id, quantity)
    db.session.flush()
    return entry


def record_reversal(entry: SaleEntry, *, reference: str | None = None,
                    occurred_at: datetime | None = None) -> SaleEntry:
    """Append the negative twin of a sale (refund or return), its discounts negated and the same bearer;
    raises AlreadyReversed the second time."""
    if entry.reverses_id is not None:
        raise DomainError("a reversal cannot itself be reversed")
    exists = db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry).where(SaleEntry.reverses_id == entry.id))
    if exists:
        raise AlreadyReversed("this sale was already reversed")
    reversal = SaleEntry(
        product_id=entry.product_id, producer_id=entry.producer_id, order_line_id=entry.order_line_id,
        quantity=-entry.quantity, unit_price_vnd=entry.unit_price_vnd, total_vnd=-entry.total_vnd,
        discount_vnd=-entry.discount_vnd, shipping_discount_vnd=-entry.shipping_discount_vnd,
        discount_bearer=entry.discount_bearer,
        channel=entry.channel, location_id=entry.location_id, buyer_province_code=entry.buyer_province_code,
        payment_method=entry.payment_method, reference=reference or entry.reference,
        occurred_at=occurred_at or utcnow(), reverses_id=entry.id, product_name=entry.product_name,
        sku=entry.sku, producer_name=entry.producer_name,
    )
    db.session.add(reversal)
    _count_sold(entry.product_id, -entry.quantity)
    db.session.flush()
    return reversal


def entries_for_order_lines(order_line_ids) -> list[SaleEntry]:
    """The sale entries (not reversals) written for these order lines."""
    ids = list(order_line_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(SaleEntry).where(SaleEntry.order_line_id.in_(ids), SaleEntry.reverses_id.is_(None))
        .order_by(SaleEntry.id)
    ))
