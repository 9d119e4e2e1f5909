"""Point-of-sale sales: the one way a till sale is completed, and the one way it is voided.

complete_sale runs in the caller's transaction (it flushes, never commits), inside a savepoint so a refused
sale leaves nothing behind: it validates the lines, takes each product's units from the showroom's lots first
expiring first (lots.change_lot_stock: conditional UPDATEs, never below zero), and writes the sales ledger
with the showroom as channel and location. Posting the same client id again returns the first sale.

A discount is spread over the lines by largest remainder, and each line's net amount goes to the ledger as at
most two entries (unit prices differing by one đồng) so the ledger adds up to the sale's total in whole đồng.
"""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.catalog.models import Product
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import SHOWROOM_CHANNEL, SaleEntry
from marketplace.money import format_vnd
from marketplace.showrooms import lots
from marketplace.showrooms.models import (
    Lot,
    LotStock,
    PaymentMethod,
    PosSale,
    PosSaleEvent,
    PosSaleLine,
    Showroom,
)
from marketplace.showrooms.status import SALE_TRANSITIONS, PosSaleStatus
from marketplace.statemachine import StatusConflict, check_transition
from marketplace.stock import services as stock
from marketplace.stock.models import MovementKind
from marketplace.text import nfc

MAX_QUANTITY = 9999
MAX_LINES = 100
MAX_AMOUNT_VND = 10**12
CHANNEL = SHOWROOM_CHANNEL
#: Stock movement reasons, stored as codes (stock.labels.SYSTEM_REASONS shows them in the page language).
REASON_SALE = "sold at the till"
REASON_VOID = "till sale voided"
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}", re.ASCII)


class SaleError(DomainError):
    """A sale that cannot be completed as asked (the message is safe to show); nothing was written."""


class SaleConflict(SaleError):
    """The sale is well formed but cannot be honoured now (stock gone): an offline sale to resolve by hand."""


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: int
    discount_vnd: int = 0


@dataclass(frozen=True)
class PaymentInput:
    method: str
    #: The sale-level discount in đồng.
    discount_vnd: int = 0
    cash_received_vnd: int | None = None
    einvoice_number: str = ""


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def valid_client_id(client_id: str) -> bool:
    """True for an id a till may give a sale (8 to 64 letters, digits, "-" or "_")."""
    return isinstance(client_id, str) and _CLIENT_ID.fullmatch(client_id) is not None


def sale_reference(sale: PosSale) -> str:
    return f"pos:{sale.number}"


def held_products(showroom: Showroom, product_ids) -> dict[int, Product]:
    """The products (with producers) among these ids that the showroom has ever held a lot of."""
    ids = set(product_ids)
    if not ids:
        return {}
    held = sa.select(Lot.product_id).join(LotStock, LotStock.lot_id == Lot.id).where(
        LotStock.location_id == showroom.location_id)
    rows = db.session.scalars(sa.select(Product).options(joinedload(Product.producer))
                              .where(Product.id.in_(ids), Product.id.in_(held)))
    return {product.id: product for product in rows}


def _spread(amounts: list[int], discount: int) -> list[int]:
    """Split `discount` over `amounts` in proportion, in whole đồng (largest remainder)."""
    total = sum(amounts)
    if discount == 0 or total == 0:
        return [0] * len(amounts)
    shares = [discount * amount // total for amount in amounts]
    order = sorted(range(len(amounts)), key=lambda i: (-(discount * amounts[i] % total), i))
    for i in order[:discount - sum(shares)]:
        shares[i] += 1
    return shares


def _check(showroom: Showroom, lines: list[LineInput], payment: PaymentInput) -> dict[int, Product]:
    if not lines:
        raise SaleError(_("The basket is empty."))
    if len(lines) > MAX_LINES:
        raise SaleError(_("A sale has at most %(n)s lines.", n=MAX_LINES))
    try:
        method = PaymentMethod(payment.method)
    except ValueError:
        raise SaleError(_("Choose how the customer pays.")) from None
    products = held_products(showroom, [line.product_id for line in lines if _whole(line.product_id, 1, 2**62)])
    for line in lines:
        if line.product_id not in products:
            raise SaleError(_("This product is not sold in this showroom."))
        name = products[line.product_id].name
        if not _whole(line.quantity, 1, MAX_QUANTITY):
            raise SaleError(_("%(product)s: enter a quantity from 1 to %(high)s.", product=name, high=MAX_QUANTITY))
        if not _whole(line.discount_vnd, 0, MAX_AMOUNT_VND):
            raise SaleError(_("%(product)s: the discount is not an amount in đồng.", product=name))
        if line.discount_vnd > line.quantity * products[line.product_id].price_vnd:
            raise SaleError(_("%(product)s: the discount is larger than the line.", product=name))
    if len({line.product_id for line in lines}) != len(lines):
        raise SaleError(_("Each product appears once in the basket."))
    if not _whole(payment.discount_vnd, 0, MAX_AMOUNT_VND):
        raise SaleError(_("The discount is not an amount in đồng."))
    subtotal = sum(line.quantity * products[line.product_id].price_vnd for line in lines)
    discount = payment.discount_vnd + sum(line.discount_vnd for line in lines)
    limit = subtotal * showroom.max_discount_bp // 10000
    if discount > limit:
        raise SaleError(_("The discount (%(discount)s) is over this showroom's limit of %(limit)s for this sale.",
                          discount=format_vnd(discount), limit=format_vnd(limit)))
    total = subtotal - discount
    if method == PaymentMethod.CASH and (payment.cash_received_vnd is None
                                         or not _whole(payment.cash_received_vnd, total, MAX_AMOUNT_VND)):
        raise SaleError(_("The cash received must be at least the total."))
    if len(nfc(payment.einvoice_number or "").strip()) > 50:
        raise SaleError(_("An e-invoice number has at most 50 characters."))
    return products


def find_sale(showroom: Showroom, client_id: str) -> PosSale | None:
    return db.session.scalars(sa.select(PosSale).where(PosSale.showroom_id == showroom.id,
                                                       PosSale.client_id == client_id)).first()


def _ledger_lines(sale: PosSale, line: PosSaleLine, product: Product, method: str, staff_id) -> None:
    net = line.total_vnd
    base, extra = divmod(net, line.quantity)
    parts = [(line.quantity - extra, base), (extra, base + 1)]
    for quantity, unit_price in parts:
        if quantity:
            ledger.record_sale(product_id=product.id, producer_id=product.producer_id, quantity=quantity,
                               unit_price_vnd=unit_price, payment_method=method, product_name=product.name,
                               producer_name=product.producer.name, sku=product.sku, channel=CHANNEL,
                               location_id=sale.showroom.location_id, reference=sale_reference(sale),
                               occurred_at=sale.occurred_at)


def complete_sale(showroom: Showroom, lines: list[LineInput], payment: PaymentInput, client_id: str, staff, *,
                  occurred_at: datetime | None = None) -> PosSale:
    """Complete a till sale (see the module docstring). Raises SaleError (nothing written) when it is not valid,
    SaleConflict when the showroom no longer holds enough units; returns the earlier sale for a known client id."""
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
        raise SaleError(_("The sale has no valid till id."))
    existing = find_sale(showroom, client_id)
    if existing is not None:
        return existing
    products = _check(showroom, lines, payment)
    method = PaymentMethod(payment.method)
    amounts = [line.quantity * products[line.product_id].price_vnd - line.discount_vnd for line in lines]
    shares = _spread(amounts, payment.discount_vnd)
    subtotal = sum(line.quantity * products[line.product_id].price_vnd for line in lines)
    total = subtotal - payment.discount_vnd - sum(line.discount_vnd for line in lines)
    try:
        with db.session.begin_nested():
            sale = PosSale(showroom_id=showroom.id, client_id=client_id, payment_method=method,
                           subtotal_vnd=subtotal, discount_vnd=payment.discount_vnd, total_vnd=total,
                           cash_received_vnd=payment.cash_received_vnd if method == PaymentMethod.CASH else None,
                           change_vnd=payment.cash_received_vnd - total if method == PaymentMethod.CASH else None,
                           einvoice_number=nfc(payment.einvoice_number or "").strip(),
                           staff_id=staff.id if staff else None, occurred_at=occurred_at or utcnow(),
                           status=PosSaleStatus.COMPLETED)
            sale.showroom = showroom
            db.session.add(sale)
            db.session.flush()
            sale.number = f"BL-{sale.created_at.year}-{sale.id:06d}"
            db.session.add(PosSaleEvent(sale_id=sale.id, from_status=None, to_status=PosSaleStatus.COMPLETED,
                                        actor_id=sale.staff_id))
            # Lock order: by product id, so two tills never wait on each other in a cycle.
            for index in sorted(range(len(lines)), key=lambda i: lines[i].product_id):
                _take(sale, showroom, products[lines[index].product_id], lines[index],
                      lines[index].discount_vnd + shares[index], method)
            db.session.flush()
    except IntegrityError:
        # The same client id posted twice at once: the other request recorded it.
        earlier = find_sale(showroom, client_id)
        if earlier is None:
            raise
        return earlier
    return sale


def _take(sale: PosSale, showroom: Showroom, product: Product, line: LineInput, discount: int,
          method: PaymentMethod) -> None:
    location_id = showroom.location_id
    try:
        picks = lots.fefo(location_id, product.id, line.quantity)
        taken = []
        for lot, units in picks:
            lots.change_lot_stock(lot, location_id, -units, MovementKind.SALE, reason=REASON_SALE,
                                  reference=sale_reference(sale), actor_id=sale.staff_id)
            taken.append((lot, units))
    except (stock.OutOfStock, lots.NotEnoughInLot):
        available = lots.lot_total(product.id, location_id)
        raise SaleConflict(_("%(product)s: only %(n)s left in this showroom.", product=product.name,
                             n=available)) from None
    amounts = [units * product.price_vnd for _lot, units in taken]
    for (lot, units), share in zip(taken, _spread(amounts, discount), strict=True):
        row = PosSaleLine(sale_id=sale.id, product_id=product.id, lot_id=lot.id, product_name=product.name,
                          unit=product.unit, quantity=units, unit_price_vnd=product.price_vnd, discount_vnd=share,
                          total_vnd=units * product.price_vnd - share)
        db.session.add(row)
        _ledger_lines(sale, row, product, method.value, sale.staff_id)


def void_sale(sale: PosSale, actor, reason: str) -> PosSale:
    """Void a completed sale: reversing ledger entries, the units back to the lots they came from, an event.
    The only writer of a sale's status. Raises SaleError without a reason, InvalidTransition when voided."""
    reason = nfc(reason or "").strip()
    if not reason:
        raise SaleError(_("Say why the sale is voided."))
    current = PosSaleStatus(sale.status)
    check_transition(SALE_TRANSITIONS, current, PosSaleStatus.VOIDED, _("This sale is already voided."))
    done = db.session.execute(
        sa.update(PosSale).where(PosSale.id == sale.id, PosSale.status == current)
        .values(status=PosSaleStatus.VOIDED).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise StatusConflict(_("This sale was changed by someone else in the meantime. Please reload."))
    set_committed_value(sale, "status", PosSaleStatus.VOIDED)
    reference = sale_reference(sale)
    for entry in db.session.scalars(sa.select(SaleEntry).where(SaleEntry.reference == reference,
                                                               SaleEntry.reverses_id.is_(None))
                                    .order_by(SaleEntry.id)):
        ledger.record_reversal(entry, reference=f"{reference}:void")
    location_id = db.session.scalar(sa.select(Showroom.location_id).where(Showroom.id == sale.showroom_id))
    for line in sorted(sale_lines(sale), key=lambda row: row.product_id):
        lots.change_lot_stock(line.lot, location_id, line.quantity, MovementKind.RETURN,
                              reason=REASON_VOID, reference=f"{reference}:void",
                              actor_id=actor.id if actor else None)
    db.session.add(PosSaleEvent(sale_id=sale.id, from_status=current, to_status=PosSaleStatus.VOIDED,
                                actor_id=actor.id if actor else None, reason=reason[:500]))
    db.session.flush()
    return sale


def sale_lines(sale: PosSale) -> list[PosSaleLine]:
    return list(db.session.scalars(sa.select(PosSaleLine).options(joinedload(PosSaleLine.lot))
                                   .where(PosSaleLine.sale_id == sale.id).order_by(PosSaleLine.id)))


def get_sale(showroom: Showroom, sale_id: int) -> PosSale | None:
    """A sale of this showroom with its lines (and lots) and events; None when it is another's."""
    return db.session.scalars(
        sa.select(PosSale).where(PosSale.id == sale_id, PosSale.showroom_id == showroom.id)
        .options(selectinload(PosSale.lines).joinedload(PosSaleLine.lot), selectinload(PosSale.events))).first()


def sales_between(showroom: Showroom, start: datetime, end: datetime) -> list[PosSale]:
    """The showroom's sales made in [start, end), newest first, with their lines."""
    return list(db.session.scalars(
        sa.select(PosSale).where(PosSale.showroom_id == showroom.id, PosSale.occurred_at >= start,
                                 PosSale.occurred_at < end)
        .options(selectinload(PosSale.lines)).order_by(PosSale.occurred_at.desc(), PosSale.id.desc())))


def set_einvoice_number(sale: PosSale, number: str) -> None:
    """Record the e-invoice number the showroom's provider issued for this sale (may be changed or cleared)."""
    number = nfc(number or "").strip()
    if len(number) > 50:
        raise SaleError(_("An e-invoice number has at most 50 characters."))
    sale.einvoice_number = number
    db.session.flush()
