"""The only writer of StockLevel.quantity.

Every change is one conditional UPDATE ... RETURNING (portable oversell protection: a decrement only
happens WHERE quantity >= n, and the returned row tells whether it did) plus a StockMovement row.
Multi-line changes touch rows in stock-level id order so concurrent orders lock in the same order and
cannot deadlock. Services flush, never commit: the caller owns the transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace import cache
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.stock.models import Location, LocationKind, MovementKind, StockLevel, StockMovement


@dataclass(frozen=True)
class StockLine:
    """A quantity of one product at one location."""

    product_id: int
    location_id: int
    quantity: int


class OutOfStock(DomainError):
    """Some lines could not be taken; `shortages` maps product id to the quantity still available."""

    def __init__(self, shortages: dict[int, int]):
        super().__init__("out of stock", shortages=shortages)
        self.shortages = shortages


class InvalidQuantity(DomainError):
    """A quantity that is not a positive whole number, or an adjustment below zero."""


def warehouse_for(producer) -> Location:
    """The producer's own warehouse location, created on first use."""
    location = db.session.scalars(
        sa.select(Location).where(Location.producer_id == producer.id, Location.kind == LocationKind.WAREHOUSE)
    ).first()
    if location is None:
        location = Location(
            kind=LocationKind.WAREHOUSE, name=producer.name, producer_id=producer.id,
            province_code=producer.province_code, address=producer.address,
        )
        db.session.add(location)
        db.session.flush()
    return location


def level_for(product_id: int, location_id: int) -> StockLevel:
    """The stock level row of a product at a location, created (at zero) on first use."""
    level = db.session.scalars(
        sa.select(StockLevel).where(StockLevel.product_id == product_id, StockLevel.location_id == location_id)
    ).first()
    if level is None:
        level = StockLevel(product_id=product_id, location_id=location_id, quantity=0)
        db.session.add(level)
        db.session.flush()
    return level


def _change(level_id: int, change: int, kind: MovementKind, *, reason: str = "", reference: str | None = None,
            actor_id: int | None = None) -> int | None:
    """Apply a signed change if it keeps quantity >= 0; return the new quantity, or None if refused."""
    statement = (
        sa.update(StockLevel)
        .where(StockLevel.id == level_id, StockLevel.quantity + change >= 0)
        .values(quantity=StockLevel.quantity + change, updated_at=sa.func.now())
        .returning(StockLevel.quantity)
        .execution_options(synchronize_session=False)
    )
    after = db.session.execute(statement).scalar_one_or_none()
    if after is None:
        return None
    _note_shown_change(after - change, after)
    db.session.add(StockMovement(
        stock_level_id=level_id, kind=kind, quantity_change=change, quantity_after=after,
        reason=reason[:255], reference=reference, actor_id=actor_id,
    ))
    return after


def _note_shown_change(before: int, after: int) -> None:
    """New storefront versions when the change shows: stock reaching or leaving 0, or "only N left"."""
    if (before > 0) != (after > 0):
        cache.storefront_changed(cache.CATALOGUE)
    elif min(before, after) <= cache.ONLY_LEFT_AT:
        cache.storefront_changed(cache.PAGES)


def _positive(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidQuantity("quantity must be a positive whole number")
    return quantity


def _levels_in_lock_order(lines: Iterable[StockLine]) -> list[tuple[StockLevel, StockLine]]:
    """Each line with its stock level row (read fresh in one query, missing rows created), sorted by level id."""
    lines = list(lines)
    if not lines:
        return []
    found = db.session.scalars(
        sa.select(StockLevel)
        .where(StockLevel.product_id.in_({line.product_id for line in lines}),
               StockLevel.location_id.in_({line.location_id for line in lines}))
        .execution_options(populate_existing=True)
    )
    levels = {(level.product_id, level.location_id): level for level in found}
    pairs = []
    for line in lines:
        key = (line.product_id, line.location_id)
        if key not in levels:
            levels[key] = level_for(*key)
        pairs.append((levels[key], line))
    return sorted(pairs, key=lambda pair: pair[0].id)


def _refresh(levels: Iterable[StockLevel]) -> None:
    for level in levels:
        db.session.refresh(level, ["quantity"])


def receive(product_id: int, location_id: int, quantity: int, *, reason: str, actor_id: int | None = None,
            reference: str | None = None) -> StockLevel:
    """Add units that arrived (production, delivery to a showroom)."""
    level = level_for(product_id, location_id)
    _change(level.id, _positive(quantity), MovementKind.RECEIPT, reason=reason, reference=reference, actor_id=actor_id)
    db.session.flush()
    _refresh([level])
    return level


def apply_change(product_id: int, location_id: int, change: int, kind: MovementKind, *, reason: str,
                 reference: str | None = None, actor_id: int | None = None) -> StockLevel:
    """Change a product's level at a location by a signed amount, recorded as a movement of `kind` (a
    showroom's lot receipts, returns and counts); refuses with OutOfStock to go below zero."""
    if not isinstance(change, int) or isinstance(change, bool) or change == 0:
        raise InvalidQuantity("the change must be a non-zero whole number")
    level = level_for(product_id, location_id)
    if _change(level.id, change, MovementKind(kind), reason=reason, reference=reference, actor_id=actor_id) is None:
        _refresh([level])
        raise OutOfStock({level.product_id: level.quantity})
    db.session.flush()
    _refresh([level])
    return level


def adjust(level: StockLevel, change: int, *, reason: str, actor_id: int | None = None) -> StockLevel:
    """Correct a stock level by a signed amount, with a reason; refuses to go below zero."""
    if not isinstance(change, int) or isinstance(change, bool) or change == 0:
        raise InvalidQuantity("the change must be a non-zero whole number")
    if not reason.strip():
        raise InvalidQuantity("a reason is required")
    if _change(level.id, change, MovementKind.ADJUSTMENT, reason=reason, actor_id=actor_id) is None:
        _refresh([level])
        raise OutOfStock({level.product_id: level.quantity})
    db.session.flush()
    _refresh([level])
    return level


def set_counted(level: StockLevel, counted: int, *, reason: str, actor_id: int | None = None) -> StockLevel:
    """Set the stock level to a counted number (a stock-take), recorded as an adjustment."""
    if not isinstance(counted, int) or isinstance(counted, bool) or counted < 0:
        raise InvalidQuantity("the counted quantity must be a whole number, zero or more")
    _refresh([level])
    change = counted - level.quantity
    if change == 0:
        return level
    return adjust(level, change, reason=reason, actor_id=actor_id)


def reserve_stock(lines: Iterable[StockLine], *, reference: str, actor_id: int | None = None) -> None:
    """Take all lines off their stock levels, or none: raises OutOfStock listing every short line."""
    pairs = _levels_in_lock_order(lines)
    for _level, line in pairs:
        _positive(line.quantity)
    short: list[StockLevel] = []
    try:
        with db.session.begin_nested():
            for level, line in pairs:
                if _change(level.id, -line.quantity, MovementKind.RESERVATION, reference=reference,
                           actor_id=actor_id) is None:
                    short.append(level)
            if short:
                raise _Undo
    except _Undo:
        # The savepoint rolled back every line already taken; report what is left of each short line.
        _refresh(short)
        raise OutOfStock({level.product_id: level.quantity for level in short}) from None
    db.session.flush()


class _Undo(Exception):
    """Leaves the savepoint of reserve_stock so its partial work is rolled back."""


def release_stock(lines: Iterable[StockLine], *, reference: str, reason: str = "", actor_id: int | None = None) -> None:
    """Put reserved units back (payment failed, session expired, order cancelled)."""
    for level, line in _levels_in_lock_order(lines):
        _change(level.id, _positive(line.quantity), MovementKind.RELEASE, reason=reason, reference=reference,
                actor_id=actor_id)
    db.session.flush()


def consume_reservation(lines: Iterable[StockLine], *, reference: str, actor_id: int | None = None) -> None:
    """Record that reserved units were sold; the quantity was already taken at reservation."""
    for level, line in _levels_in_lock_order(lines):
        db.session.add(StockMovement(
            stock_level_id=level.id, kind=MovementKind.SALE, quantity_change=0,
            quantity_after=level.quantity, reason=f"sold {line.quantity}", reference=reference, actor_id=actor_id,
        ))
    db.session.flush()


def available_online(product_ids: Iterable[int]) -> dict[int, int]:
    """Units available to online buyers (the producers' warehouses), per product id."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(StockLevel.product_id, sa.func.sum(StockLevel.quantity))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id.in_(ids), Location.kind == LocationKind.WAREHOUSE)
        .group_by(StockLevel.product_id)
    ).all()
    found = {product_id: int(total or 0) for product_id, total in rows}
    return {product_id: found.get(product_id, 0) for product_id in ids}


def low_stock_clause():
    """SQL condition: the stock level has an alert threshold and is at or below it (the producer's low-stock rule)."""
    return sa.and_(StockLevel.low_stock_threshold.is_not(None), StockLevel.quantity <= StockLevel.low_stock_threshold)


def online_quantity_column(product_id_column):
    """SQL expression: units available to online buyers for one product (available_online's twin, per row)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(StockLevel.quantity), 0))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id == product_id_column, Location.kind == LocationKind.WAREHOUSE)
        .scalar_subquery()
    )


def online_in_stock_clause(product_id_column):
    """SQL condition: the product has units in a warehouse (for the "in stock" facet)."""
    return sa.exists(
        sa.select(StockLevel.id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id == product_id_column, StockLevel.quantity > 0,
               Location.kind == LocationKind.WAREHOUSE)
    )
