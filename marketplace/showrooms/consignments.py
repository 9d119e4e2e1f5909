"""Consignments: deliveries of a producer's goods to a showroom, returns of them, and their one status writer.

A delivery is recorded (by a producer member, or by a manager for the producer) with a lot code, best-before
date and quantity per line; nothing moves until a manager receives it, entering the counted quantity of each
line (a difference needs a reason, kept on the line). Only then does the showroom's stock grow, lot by lot,
each change a movement row with reference "consignment:<number>". A return is recorded by a manager and
the units leave the showroom at once, by lot, never below zero. `change_status` is the only writer of
Consignment.status (statemachine shape: table check, compare-and-set, event row).
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.catalog.models import Product
from marketplace.catalog.status import ProductStatus
from marketplace.dates import today_vn, utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms import lots as lot_stock
from marketplace.showrooms.labels import consignment_status_label
from marketplace.showrooms.models import (
    Consignment,
    ConsignmentEvent,
    ConsignmentKind,
    ConsignmentLine,
    Lot,
    Showroom,
)
from marketplace.showrooms.status import TRANSITIONS, ConsignmentStatus
from marketplace.statemachine import StatusConflict, check_transition
from marketplace.stock.models import MovementKind
from marketplace.text import nfc

#: The most units one line may carry: more is a typing slip, not a delivery.
MAX_LINE_QUANTITY = 100_000
REASON_MAX_LENGTH = 255


class ConsignmentError(DomainError):
    """A consignment that cannot be recorded or received as asked (the message is safe to show)."""


@dataclass(frozen=True)
class DeliveryLine:
    """One line of a delivery as entered (already parsed)."""

    product_id: int
    quantity: int
    lot_code: str
    best_before: date | None
    #: When the lot was made (not in the future, not after best-before); shown on the lot's public page.
    produced_on: date | None = None


def reference(consignment: Consignment) -> str:
    """What the stock movements of this consignment carry."""
    return f"consignment:{consignment.number}"


def _check_quantity(quantity, *, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not low <= quantity <= MAX_LINE_QUANTITY:
        raise ConsignmentError(_("Enter a whole number of units from %(low)s to %(high)s.", low=low,
                                 high=MAX_LINE_QUANTITY))
    return quantity


def _new(kind: ConsignmentKind, showroom: Showroom, producer_id: int, *, actor, note: str) -> Consignment:
    consignment = Consignment(kind=kind, showroom_id=showroom.id, producer_id=producer_id,
                              status=ConsignmentStatus.RECORDED, note=nfc(note or "").strip()[:500],
                              recorded_by_id=actor.id if actor else None, created_at=utcnow())
    db.session.add(consignment)
    db.session.flush()
    consignment.number = f"KG-{consignment.created_at.year}-{consignment.id:06d}"
    db.session.add(ConsignmentEvent(consignment_id=consignment.id, from_status=None,
                                    to_status=ConsignmentStatus.RECORDED, actor_id=actor.id if actor else None))
    return consignment


def record_delivery(showroom: Showroom, producer_id: int, lines: list[DeliveryLine], *, actor,
                    note: str = "") -> Consignment:
    """Write down a delivery of the producer's goods to the showroom; nothing moves until it is received."""
    if not showroom.is_active:
        raise ConsignmentError(_("This showroom is closed."))
    if not lines:
        raise ConsignmentError(_("Add at least one product with its quantity."))
    products = {p.id: p for p in db.session.scalars(
        sa.select(Product).where(Product.id.in_({line.product_id for line in lines})))}
    seen = set()
    for line in lines:
        product = products.get(line.product_id)
        if product is None or product.producer_id != producer_id or product.status == ProductStatus.ARCHIVED:
            raise ConsignmentError(_("Choose products of this producer only."))
        _check_quantity(line.quantity)
        code = lot_stock.clean_lot_code(line.lot_code)
        if (line.product_id, code) in seen:
            raise ConsignmentError(_("%(product)s lot %(code)s is entered twice.", product=product.name, code=code))
        seen.add((line.product_id, code))
        known = db.session.scalars(sa.select(Lot).where(Lot.product_id == line.product_id, Lot.code == code)).first()
        if known is not None and known.best_before != line.best_before:
            raise ConsignmentError(_("Lot %(code)s is already recorded with another best-before date.", code=code))
        problem = lot_stock.check_dates(line.produced_on, line.best_before, today_vn())
        if problem:
            raise ConsignmentError(_("%(product)s lot %(code)s: %(problem)s", product=product.name, code=code,
                                     problem=problem))
        if known is not None and line.produced_on is not None and known.produced_on not in (None, line.produced_on):
            raise ConsignmentError(_("Lot %(code)s is already recorded with another production date.", code=code))
    consignment = _new(ConsignmentKind.DELIVERY, showroom, producer_id, actor=actor, note=note)
    for line in lines:
        db.session.add(ConsignmentLine(consignment_id=consignment.id, product_id=line.product_id,
                                       lot_code=lot_stock.clean_lot_code(line.lot_code),
                                       best_before=line.best_before, produced_on=line.produced_on,
                                       quantity=line.quantity))
    db.session.flush()
    return consignment


def receive(consignment: Consignment, counted: dict[int, int], reasons: dict[int, str], *, actor) -> Consignment:
    """A manager counts a delivery in: each line's counted units (line id -> units) enter the showroom's
    stock in its lot; a line whose count differs from the announced quantity needs a reason."""
    if consignment.kind != ConsignmentKind.DELIVERY:
        raise ConsignmentError(_("Only a delivery can be received."))
    check_transition(TRANSITIONS, consignment.status, ConsignmentStatus.RECEIVED,
                     _("This consignment was already received or cancelled."))
    lines = lines_of(consignment)
    for line in lines:
        if line.id not in counted:
            raise ConsignmentError(_("Enter the counted quantity of every line."))
        _check_quantity(counted[line.id], allow_zero=True)
        reason = nfc(reasons.get(line.id) or "").strip()
        if counted[line.id] != line.quantity and not reason:
            raise ConsignmentError(_("Say why %(product)s lot %(code)s counts %(counted)s instead of %(announced)s.",
                                     product=line.product.name, code=line.lot_code, counted=counted[line.id],
                                     announced=line.quantity))
    showroom = db.session.get(Showroom, consignment.showroom_id)
    with db.session.begin_nested():
        change_status(consignment, ConsignmentStatus.RECEIVED, actor=actor)
        for line in lines:
            lot = lot_stock.lot_for(line.product_id, line.lot_code, line.best_before, line.produced_on)
            line.lot_id = lot.id
            line.counted_quantity = counted[line.id]
            line.difference_reason = nfc(reasons.get(line.id) or "").strip()[:REASON_MAX_LENGTH]
            if line.counted_quantity:
                why = _("consignment received") if not line.difference_reason else line.difference_reason
                lot_stock.change_lot_stock(lot, showroom.location_id, line.counted_quantity, MovementKind.RECEIPT,
                                           reason=why, reference=reference(consignment),
                                           actor_id=actor.id if actor else None)
        consignment.received_at = utcnow()
    db.session.flush()
    return consignment


def cancel(consignment: Consignment, *, actor, reason: str = "") -> Consignment:
    """Withdraw a delivery that was not received yet."""
    change_status(consignment, ConsignmentStatus.CANCELLED, actor=actor, reason=reason)
    db.session.flush()
    return consignment


def record_return(showroom: Showroom, picks: dict[int, int], *, actor, reason: str) -> Consignment:
    """Hand units back to their producer (lot id -> units): they leave the showroom at once, by lot.

    All lots must belong to one producer's products; a lot holding fewer units refuses the whole return.
    """
    reason = nfc(reason or "").strip()
    if not reason:
        raise ConsignmentError(_("Say why the goods go back to the producer."))
    picks = {lot_id: units for lot_id, units in picks.items() if units != 0}
    if not picks:
        raise ConsignmentError(_("Enter how many units of at least one lot go back."))
    rows = {}
    for lot_id, units in picks.items():
        _check_quantity(units)
        row = lot_stock.lot_at(lot_id, showroom.location_id)
        if row is None:
            raise ConsignmentError(_("This lot is not held in this showroom."))
        if units > row.quantity:
            raise ConsignmentError(_("Lot %(code)s holds only %(n)s units here.", code=row.lot.code, n=row.quantity))
        rows[lot_id] = row
    producers = {row.product.producer_id for row in rows.values()}
    if len(producers) != 1:
        raise ConsignmentError(_("A return goes to one producer: choose lots of one producer's products."))
    with db.session.begin_nested():
        consignment = _new(ConsignmentKind.RETURN, showroom, producers.pop(), actor=actor, note=reason)
        for lot_id, units in sorted(picks.items()):
            lot = rows[lot_id].lot
            db.session.add(ConsignmentLine(consignment_id=consignment.id, product_id=lot.product_id, lot_code=lot.code,
                                           best_before=lot.best_before, lot_id=lot.id, quantity=units,
                                           counted_quantity=units))
            lot_stock.change_lot_stock(lot, showroom.location_id, -units, MovementKind.RETURN, reason=reason[:255],
                                       reference=reference(consignment), actor_id=actor.id if actor else None)
        change_status(consignment, ConsignmentStatus.RECEIVED, actor=actor, reason=reason)
        consignment.received_at = utcnow()
    db.session.flush()
    return consignment


def change_status(consignment: Consignment, new: ConsignmentStatus | str, *, actor=None,
                  reason: str | None = None) -> Consignment:
    """The only way a consignment changes status: checks the table, compare-and-sets, records an event."""
    new = ConsignmentStatus(new)
    current = ConsignmentStatus(consignment.status)
    check_transition(TRANSITIONS, current, new, _("A consignment cannot go from “%(old)s” to “%(new)s”.",
                                                  old=consignment_status_label(current),
                                                  new=consignment_status_label(new)))
    done = db.session.execute(
        sa.update(Consignment).where(Consignment.id == consignment.id, Consignment.status == current)
        .values(status=new).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.refresh(consignment)
        raise StatusConflict(_("This consignment was changed by someone else in the meantime. Please reload."))
    set_committed_value(consignment, "status", new)
    db.session.add(ConsignmentEvent(consignment_id=consignment.id, from_status=current, to_status=new, at=utcnow(),
                                    actor_id=actor.id if actor else None,
                                    reason=str(reason)[:500] if reason else None))
    return consignment


# --- Reading ---------------------------------------------------------------------------------------------

def lines_of(consignment: Consignment) -> list[ConsignmentLine]:
    """The consignment's lines with their products."""
    return list(db.session.scalars(
        sa.select(ConsignmentLine).options(joinedload(ConsignmentLine.product))
        .where(ConsignmentLine.consignment_id == consignment.id).order_by(ConsignmentLine.id)))


def get_consignment(consignment_id: int) -> Consignment | None:
    """One consignment with its showroom, producer, lines (and their products) and events."""
    return db.session.scalars(
        sa.select(Consignment).where(Consignment.id == consignment_id)
        .options(joinedload(Consignment.showroom), joinedload(Consignment.producer),
                 selectinload(Consignment.lines).joinedload(ConsignmentLine.product),
                 selectinload(Consignment.events))
    ).first()


def consignments(*, showroom_id: int | None = None, producer_id: int | None = None,
                 limit: int = 200) -> list[Consignment]:
    """The latest consignments of a showroom or of a producer (with showroom and producer), newest first."""
    query = (sa.select(Consignment).options(joinedload(Consignment.showroom), joinedload(Consignment.producer))
             .order_by(Consignment.id.desc()).limit(limit))
    if showroom_id is not None:
        query = query.where(Consignment.showroom_id == showroom_id)
    if producer_id is not None:
        query = query.where(Consignment.producer_id == producer_id)
    return list(db.session.scalars(query))
