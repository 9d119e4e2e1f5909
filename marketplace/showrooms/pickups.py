"""Click and collect at a showroom, the stock side: which showrooms can hold a sub-order, and the hold itself.

A hold (Pickup) takes the sub-order's units off the showroom's lots when the order is placed, first expiring
first, through lots.change_lot_stock (never below zero, the product's StockLevel with it, one movement row per
change): reserved units are no longer on sale at the till or to another buyer. The PickupLot rows remember
which lots gave them, so a cancelled hold puts each unit back into the lot it came from; a collected one was
sold (its movement is written by orders.lifecycle with the sale). The sub-order's status is the order's
business (orders.pickups); this module never reads it. Services flush, never commit.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.showrooms import lots
from marketplace.showrooms.models import PaymentMethod, Pickup, PickupLot, Showroom
from marketplace.stock import services as stock
from marketplace.stock.models import MovementKind, StockLevel

#: Stock movement reasons, stored as codes (stock.labels.SYSTEM_REASONS shows them in the page language).
REASON_RESERVED = "held for pickup"
REASON_RELEASED = "pickup cancelled"


@dataclass(frozen=True)
class PickupLine:
    """A quantity of one product a pickup holds."""

    product_id: int
    quantity: int


def showrooms_holding_all(needs: Mapping[int, int]) -> list[Showroom]:
    """The active showrooms whose stock covers every product of `needs` (product id -> units), by name."""
    return pickup_offers({0: needs}).get(0, [])


def pickup_offers(groups: Mapping[object, Mapping[int, int]]) -> dict[object, list[Showroom]]:
    """For each group of needs (key -> {product id: units}), the active showrooms holding all of it now, by name.

    One query for every group (the checkout page asks for each shop of the cart at once)."""
    product_ids = {product_id for needs in groups.values() for product_id in needs}
    if not product_ids:
        return {key: [] for key in groups}
    rows = db.session.execute(
        sa.select(Showroom, StockLevel.product_id, StockLevel.quantity)
        .join(StockLevel, StockLevel.location_id == Showroom.location_id)
        .where(Showroom.is_active.is_(True), StockLevel.product_id.in_(product_ids), StockLevel.quantity > 0)
        .order_by(Showroom.name, Showroom.id)
    ).all()
    held: dict[int, dict[int, int]] = {}
    showrooms: dict[int, Showroom] = {}
    for showroom, product_id, quantity in rows:
        showrooms[showroom.id] = showroom
        held.setdefault(showroom.id, {})[product_id] = quantity
    offers = {}
    for key, needs in groups.items():
        offers[key] = [showrooms[sid] for sid in showrooms
                       if needs and all(held[sid].get(pid, 0) >= units for pid, units in needs.items())]
    return offers


def hold(showroom: Showroom, producer_order_id: int, lines: Iterable[PickupLine], *, reference: str,
         actor_id: int | None = None) -> Pickup:
    """Set the units aside at the showroom for a sub-order, from its lots first expiring first (all or none).

    Raises stock.OutOfStock (product id -> units the showroom still holds) when a product ran short, also when
    another buyer took the last units a moment earlier; nothing is kept then."""
    lines = list(lines)
    for line in lines:
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity <= 0:
            raise stock.InvalidQuantity("quantity must be a positive whole number")
    location_id = showroom.location_id
    with db.session.begin_nested():
        pickup = Pickup(producer_order_id=producer_order_id, showroom_id=showroom.id, created_at=utcnow())
        db.session.add(pickup)
        db.session.flush()
        # Lock order: by product id, then the lots first expiring first, as the till takes them.
        for line in sorted(lines, key=lambda item: item.product_id):
            try:
                for lot, units in lots.fefo(location_id, line.product_id, line.quantity):
                    lots.change_lot_stock(lot, location_id, -units, MovementKind.RESERVATION, reason=REASON_RESERVED,
                                          reference=reference, actor_id=actor_id)
                    db.session.add(PickupLot(pickup_id=pickup.id, product_id=line.product_id, lot_id=lot.id,
                                             quantity=units))
            except (stock.OutOfStock, lots.NotEnoughInLot):
                raise stock.OutOfStock({line.product_id: lots.lot_total(line.product_id, location_id)}) from None
        db.session.flush()
    return pickup


def pickup_for(producer_order_id: int) -> Pickup | None:
    """The hold of a sub-order, with its showroom and lots (None for a shipped sub-order)."""
    return db.session.scalars(
        sa.select(Pickup).where(Pickup.producer_order_id == producer_order_id)
        .options(joinedload(Pickup.showroom), selectinload(Pickup.lots).joinedload(PickupLot.lot))).first()


def pickups_by_order(producer_order_ids: Iterable[int]) -> dict[int, Pickup]:
    """The holds of these sub-orders (with showrooms and lots), by sub-order id; shipped ones are absent."""
    ids = set(producer_order_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Pickup).where(Pickup.producer_order_id.in_(ids))
        .options(joinedload(Pickup.showroom), selectinload(Pickup.lots).joinedload(PickupLot.lot)))
    return {pickup.producer_order_id: pickup for pickup in rows}


def release(pickup: Pickup, *, reference: str, reason: str = REASON_RELEASED, actor_id: int | None = None) -> None:
    """Put every held unit back into the lot it came from (once: a released or collected hold is left alone)."""
    done = db.session.execute(
        sa.update(Pickup).where(Pickup.id == pickup.id, Pickup.released_at.is_(None), Pickup.collected_at.is_(None))
        .values(released_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(pickup, ["released_at"])
    if done != 1:
        return
    location_id = db.session.scalar(sa.select(Showroom.location_id).where(Showroom.id == pickup.showroom_id))
    rows = db.session.scalars(sa.select(PickupLot).options(joinedload(PickupLot.lot))
                              .where(PickupLot.pickup_id == pickup.id).order_by(PickupLot.product_id, PickupLot.id))
    for row in rows:
        lots.change_lot_stock(row.lot, location_id, row.quantity, MovementKind.RELEASE, reason=reason or REASON_RELEASED,
                              reference=reference, actor_id=actor_id)
    db.session.flush()


def mark_collected(pickup: Pickup, *, counter_payment_method: PaymentMethod | str | None, when: datetime) -> None:
    """The buyer took the goods; `counter_payment_method` says how they paid at the counter (None: paid online)."""
    pickup.counter_payment_method = PaymentMethod(counter_payment_method) if counter_payment_method else None
    pickup.collected_at = when
    db.session.flush()


def set_collect_by(pickup: Pickup, collect_by: datetime) -> None:
    """Until when the prepared goods wait for the buyer."""
    pickup.collect_by = collect_by
    db.session.flush()


def held_units(showroom: Showroom) -> dict[int, int]:
    """Units set aside for pickups not yet collected or released at the showroom, per lot id (the stock and
    count screens say these packs are on the shelf but not in the figures)."""
    rows = db.session.execute(
        sa.select(PickupLot.lot_id, sa.func.sum(PickupLot.quantity)).join(Pickup, Pickup.id == PickupLot.pickup_id)
        .where(Pickup.showroom_id == showroom.id, Pickup.released_at.is_(None), Pickup.collected_at.is_(None))
        .group_by(PickupLot.lot_id))
    return {lot_id: int(units) for lot_id, units in rows}
