"""Stock changes: all-or-nothing reservations, never below zero, every change recorded."""

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.stock import services as stock
from marketplace.stock.models import MovementKind, StockLevel, StockMovement
from tests.factories import make_product


def _level(product):
    return db.session.scalars(sa.select(StockLevel).where(StockLevel.product_id == product.id)).one()


def test_reservation_takes_units_and_records_a_movement():
    """Reserving 3 of 10 leaves 7 and writes a reservation movement."""
    product = make_product(stock=10)
    level = _level(product)
    stock.reserve_stock([stock.StockLine(product.id, level.location_id, 3)], reference="order:T1")
    db.session.refresh(level)
    assert level.quantity == 7
    kinds = db.session.scalars(sa.select(StockMovement.kind).where(StockMovement.stock_level_id == level.id)).all()
    assert MovementKind.RESERVATION in kinds


def test_reservation_is_all_or_nothing():
    """When one line is short, no line is taken and the error says what is left."""
    plenty, scarce = make_product(stock=10), make_product(stock=2)
    lines = [stock.StockLine(plenty.id, _level(plenty).location_id, 5),
             stock.StockLine(scarce.id, _level(scarce).location_id, 3)]
    with pytest.raises(stock.OutOfStock) as error:
        stock.reserve_stock(lines, reference="order:T2")
    assert error.value.shortages == {scarce.id: 2}
    assert _level(plenty).quantity == 10
    assert _level(scarce).quantity == 2


def test_release_puts_units_back():
    """A released reservation restores the quantity."""
    product = make_product(stock=4)
    line = stock.StockLine(product.id, _level(product).location_id, 4)
    stock.reserve_stock([line], reference="order:T3")
    stock.release_stock([line], reference="order:T3", reason="payment failed")
    assert _level(product).quantity == 4


def test_adjustment_cannot_go_below_zero():
    """An adjustment of -11 on 10 units is refused and changes nothing."""
    product = make_product(stock=10)
    level = _level(product)
    with pytest.raises(stock.OutOfStock):
        stock.adjust(level, -11, reason="broken bottles")
    assert level.quantity == 10
    stock.set_counted(level, 6, reason="stock-take")
    assert level.quantity == 6


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_reservation_refuses_non_positive_quantities(bad):
    """Zero, negative, fractional, text or boolean quantities are refused."""
    product = make_product(stock=10)
    with pytest.raises(stock.InvalidQuantity):
        stock.reserve_stock([stock.StockLine(product.id, _level(product).location_id, bad)], reference="x")


def test_a_sale_movement_records_the_quantity_left_after_the_reservation():
    """Reserving 3 of 10 then selling them in the same transaction records 7 left, not a stale 10."""
    product = make_product(stock=10)
    level = _level(product)
    line = stock.StockLine(product.id, level.location_id, 3)
    stock.reserve_stock([line], reference="order:T4")
    stock.consume_reservation([line], reference="order:T4")
    sale = db.session.scalars(sa.select(StockMovement).where(StockMovement.stock_level_id == level.id,
                                                             StockMovement.kind == MovementKind.SALE)).one()
    assert (sale.quantity_change, sale.quantity_after) == (0, 7)
    assert _level(product).quantity == 7
