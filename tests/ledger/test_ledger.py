"""The sales ledger: sales and reversals are appended, never edited or deleted."""

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerIsAppendOnly, SaleEntry
from tests.factories import make_product


def _sale(product, quantity=2):
    return ledger.record_sale(product_id=product.id, producer_id=product.producer_id, quantity=quantity,
                              unit_price_vnd=product.price_vnd, payment_method="cod", product_name=product.name,
                              producer_name=product.producer.name, buyer_province_code=1)


def _sold(product) -> int:
    return db.session.scalar(sa.select(Product.sold_quantity).where(Product.id == product.id))


def test_a_sale_counts_units_on_the_product():
    """Recording a sale writes its total and raises the product's sold quantity."""
    product = make_product(price_vnd=50000)
    entry = _sale(product, 3)
    assert entry.total_vnd == 150000 and entry.channel == "online"
    assert _sold(product) == 3


def test_a_reversal_is_the_negative_twin_and_happens_once():
    """A refund writes negative quantity and total, lowers the count, and cannot be written twice."""
    product = make_product(price_vnd=50000)
    entry = _sale(product, 2)
    reversal = ledger.record_reversal(entry)
    assert (reversal.quantity, reversal.total_vnd, reversal.reverses_id) == (-2, -100000, entry.id)
    assert _sold(product) == 0
    with pytest.raises(ledger.AlreadyReversed):
        ledger.record_reversal(entry)


def test_entries_cannot_be_edited():
    """Changing a sale entry is refused before it reaches the database."""
    entry = _sale(make_product())
    entry.quantity = 99
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_entries_cannot_be_deleted():
    """Deleting a sale entry is refused."""
    entry = _sale(make_product())
    db.session.delete(entry)
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_a_sale_needs_a_positive_quantity():
    """Zero or negative sales are refused (reversals are the only negative rows)."""
    product = make_product()
    with pytest.raises(ledger.DomainError):
        _sale(product, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 0
