"""Lots and the stock kept per lot at a showroom: the only writer of LotStock.

Every change of a lot's quantity at a location is one conditional UPDATE (never below zero) and, in the same
savepoint, the same signed change of the product's StockLevel there through stock.services (which writes the
movement row). So a showroom's StockLevel of a product always equals the sum of its lots. Services flush,
never commit: the caller owns the transaction.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms.models import Lot, LotStock
from marketplace.stock import services as stock
from marketplace.stock.models import MovementKind, StockLevel
from marketplace.text import nfc

LOT_CODE_MAX_LENGTH = 40


class LotError(DomainError):
    """A lot that cannot be used as asked (the message is safe to show)."""


class NotEnoughInLot(DomainError):
    """Taking this many units would make a lot's quantity negative; `available` is what the lot holds."""

    def __init__(self, message: str, available: int):
        super().__init__(message, available=available)
        self.available = available


def clean_lot_code(code: str | None) -> str:
    """The lot code as stored (NFC, trimmed); raises LotError when empty or too long."""
    code = nfc(code or "").strip()
    if not code:
        raise LotError(_("Enter the lot code printed on the pack."))
    if len(code) > LOT_CODE_MAX_LENGTH:
        raise LotError(_("A lot code has at most %(n)s characters.", n=LOT_CODE_MAX_LENGTH))
    return code


def check_dates(produced_on: date | None, best_before: date | None, today: date) -> str | None:
    """Why a lot's production date cannot be right (in the future, after its best-before date), or None."""
    if produced_on is None:
        return None
    if produced_on > today:
        return _("The production date cannot be in the future.")
    if best_before is not None and produced_on > best_before:
        return _("The production date cannot be after the best-before date.")
    return None


def lot_for(product_id: int, code: str, best_before: date | None, produced_on: date | None = None) -> Lot:
    """The product's lot with this code, created on first use; refuses a known code with another date. A known
    lot without a production date takes the one given now."""
    code = clean_lot_code(code)
    lot = db.session.scalars(sa.select(Lot).where(Lot.product_id == product_id, Lot.code == code)).first()
    if lot is None:
        lot = Lot(product_id=product_id, code=code, best_before=best_before, produced_on=produced_on)
        db.session.add(lot)
        db.session.flush()
    elif lot.best_before != best_before:
        raise LotError(_("Lot %(code)s is already recorded with another best-before date.", code=code))
    elif produced_on is not None and lot.produced_on not in (None, produced_on):
        raise LotError(_("Lot %(code)s is already recorded with another production date.", code=code))
    elif produced_on is not None and lot.produced_on is None:
        lot.produced_on = produced_on
        db.session.flush()
    return lot


def _lot_stock_for(lot_id: int, location_id: int) -> LotStock:
    row = db.session.scalars(
        sa.select(LotStock).where(LotStock.lot_id == lot_id, LotStock.location_id == location_id)).first()
    if row is None:
        row = LotStock(lot_id=lot_id, location_id=location_id, quantity=0)
        db.session.add(row)
        db.session.flush()
    return row


def change_lot_stock(lot: Lot, location_id: int, change: int, kind: MovementKind, *, reason: str,
                     reference: str | None = None, actor_id: int | None = None) -> int:
    """Change the units of `lot` at a location by a signed amount, and the product's stock level with it.

    Returns the lot's new quantity; raises NotEnoughInLot (nothing changed) when it would go below zero.
    """
    if not isinstance(change, int) or isinstance(change, bool) or change == 0:
        raise stock.InvalidQuantity("the change must be a non-zero whole number")
    row = _lot_stock_for(lot.id, location_id)
    after = db.session.execute(
        sa.update(LotStock)
        .where(LotStock.id == row.id, LotStock.quantity + change >= 0)
        .values(quantity=LotStock.quantity + change)
        .returning(LotStock.quantity)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if after is None:
        db.session.refresh(row, ["quantity"])
        raise NotEnoughInLot(_("Lot %(code)s holds only %(n)s units here.", code=lot.code, n=row.quantity),
                             row.quantity)
    # The lot always holds a part of the level, so this cannot refuse unless the two were out of step.
    stock.apply_change(lot.product_id, location_id, change, kind, reason=reason, reference=reference,
                       actor_id=actor_id)
    db.session.refresh(row, ["quantity"])
    return after


@dataclass(frozen=True)
class LotRow:
    """What a screen shows of one lot at one location."""

    lot: Lot
    product: Product
    quantity: int


def lots_at(location_id: int, *, product_id: int | None = None, expiring_by: date | None = None,
            include_empty: bool = False) -> list[LotRow]:
    """The lots held at a location with their products, by product name then best-before (undated last).

    `expiring_by` keeps the lots whose best-before date is on or before that day.
    """
    query = (
        sa.select(LotStock).join(LotStock.lot).join(Lot.product)
        .options(joinedload(LotStock.lot).joinedload(Lot.product))
        .where(LotStock.location_id == location_id)
        .order_by(Product.name, Lot.best_before.is_(None), Lot.best_before, Lot.id)
    )
    if not include_empty:
        query = query.where(LotStock.quantity > 0)
    if product_id is not None:
        query = query.where(Lot.product_id == product_id)
    if expiring_by is not None:
        query = query.where(Lot.best_before.is_not(None), Lot.best_before <= expiring_by)
    return [LotRow(row.lot, row.lot.product, row.quantity) for row in db.session.scalars(query)]


def expiring_lots(location_id: int, today: date, days: int = 30) -> list[LotRow]:
    """Lots held at the location whose best-before falls within `days` days of today (or has passed)."""
    return lots_at(location_id, expiring_by=today + timedelta(days=days))


def lot_at(lot_id: int, location_id: int) -> LotRow | None:
    """One lot held at a location (None when it was never there)."""
    row = db.session.scalars(
        sa.select(LotStock).options(joinedload(LotStock.lot).joinedload(Lot.product))
        .where(LotStock.lot_id == lot_id, LotStock.location_id == location_id)).first()
    return None if row is None else LotRow(row.lot, row.lot.product, row.quantity)


def fefo(location_id: int, product_id: int, quantity: int) -> list[tuple[Lot, int]]:
    """The lots to take `quantity` units of a product from, first expiring first (undated lots last).

    Raises stock.OutOfStock (with what the location holds) when the lots together hold too few units.
    Nothing is taken: the caller passes each pair to change_lot_stock.
    """
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise stock.InvalidQuantity("quantity must be a positive whole number")
    picks: list[tuple[Lot, int]] = []
    left = quantity
    for row in lots_at(location_id, product_id=product_id):
        take = min(left, row.quantity)
        picks.append((row.lot, take))
        left -= take
        if left == 0:
            return picks
    raise stock.OutOfStock({product_id: quantity - left})


def level_quantity(product_id: int, location_id: int) -> int:
    """The product's StockLevel quantity at a location (0 when there is none)."""
    return db.session.scalar(
        sa.select(StockLevel.quantity).where(StockLevel.product_id == product_id,
                                             StockLevel.location_id == location_id)) or 0


def lot_total(product_id: int, location_id: int) -> int:
    """The sum of the product's lots at a location (equals level_quantity: a test checks it)."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LotStock.quantity), 0)).join(LotStock.lot)
        .where(Lot.product_id == product_id, LotStock.location_id == location_id)) or 0


def count_lots(location_id: int, counted: dict[int, int], *, reason: str, reference: str,
               actor_id: int | None = None) -> int:
    """A stock-take: set each lot (id -> counted units) to what was counted; each difference becomes an
    adjustment movement with the reason. Returns how many lots changed. Raises LotError when a lot is not
    held at this location or the reason is missing while something differs."""
    rows = {row.lot.id: row for row in lots_at(location_id, include_empty=True)}
    changes = []
    for lot_id, units in sorted(counted.items()):
        if lot_id not in rows:
            raise LotError(_("This lot is not held in this showroom."))
        if not isinstance(units, int) or isinstance(units, bool) or units < 0:
            raise stock.InvalidQuantity("a counted quantity must be zero or more")
        if units != rows[lot_id].quantity:
            changes.append((rows[lot_id].lot, units - rows[lot_id].quantity))
    if changes and not nfc(reason or "").strip():
        raise LotError(_("Say why the counted quantities differ."))
    with db.session.begin_nested():  # all lots or none
        for lot, change in changes:
            change_lot_stock(lot, location_id, change, MovementKind.ADJUSTMENT, reason=nfc(reason).strip(),
                             reference=reference, actor_id=actor_id)
    return len(changes)
