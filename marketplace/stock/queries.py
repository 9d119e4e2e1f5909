"""Read-only stock queries for the back office: warehouse levels, low-stock flags and recent movements."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.stock.models import Location, LocationKind, StockLevel, StockMovement
from marketplace.stock.services import low_stock_clause


def low_stock_product_ids(product_ids: list[int]) -> set[int]:
    """The products among these whose warehouse stock is at or below its alert threshold."""
    if not product_ids:
        return set()
    rows = db.session.scalars(
        sa.select(StockLevel.product_id).join(StockLevel.location)
        .where(StockLevel.product_id.in_(product_ids), low_stock_clause(), Location.kind == LocationKind.WAREHOUSE)
    )
    return set(rows)


def warehouse_level(product_id: int, producer_id: int) -> StockLevel | None:
    """The product's level in its producer's warehouse, if it has one yet."""
    return db.session.scalars(
        sa.select(StockLevel).join(StockLevel.location)
        .where(StockLevel.product_id == product_id, Location.kind == LocationKind.WAREHOUSE,
               Location.producer_id == producer_id)
    ).first()


def recent_movements(level: StockLevel | None, limit: int = 50) -> list[StockMovement]:
    """The latest changes of a stock level, newest first (none when there is no level)."""
    if level is None:
        return []
    return list(db.session.scalars(
        sa.select(StockMovement).where(StockMovement.stock_level_id == level.id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc()).limit(limit)
    ))
