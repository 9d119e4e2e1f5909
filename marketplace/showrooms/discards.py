"""Offline till sales a manager discarded: the server keeps each one (who, when, what, why) so no sale the till
could not honour is ever lost silently. A discarded sale is only a record: it moves no stock and writes no ledger.
Services flush, never commit."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Product
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms import sales
from marketplace.showrooms.models import DiscardedTillSale, PaymentMethod, Showroom
from marketplace.text import nfc

REASON_MAX_LENGTH = 500


class DiscardError(DomainError):
    """A discard that cannot be recorded (the message is safe to show); nothing was written."""


@dataclass(frozen=True)
class DiscardedLine:
    product_id: int
    quantity: int


def discard_sale(showroom: Showroom, *, client_id: str, lines: list[DiscardedLine], method: str | None,
                 total_vnd: int, occurred_at: datetime | None, conflict: str, reason: str,
                 actor) -> DiscardedTillSale:
    """Record that a manager discarded the queued sale `client_id`. The same id again returns the first record;
    a sale the server did record cannot be discarded (DiscardError), nor one without a reason."""
    reason = nfc(reason or "").strip()
    if not reason:
        raise DiscardError(_("Say why this sale is discarded."))
    if len(reason) > REASON_MAX_LENGTH:
        raise DiscardError(_("The reason is too long (at most %(n)s characters).", n=REASON_MAX_LENGTH))
    if not isinstance(client_id, str) or not sales.valid_client_id(client_id):
        raise DiscardError(_("The sale has no valid till id."))
    if sales.find_sale(showroom, client_id) is not None:
        raise DiscardError(_("This sale was recorded after all: it cannot be discarded. Void it if needed."))
    existing = find_discarded(showroom, client_id)
    if existing is not None:
        return existing
    names = dict(db.session.execute(sa.select(Product.id, Product.name).where(
        Product.id.in_({line.product_id for line in lines}))).all()) if lines else {}
    try:
        payment_method = PaymentMethod(method) if method else None
    except ValueError:
        payment_method = None
    row = DiscardedTillSale(
        showroom_id=showroom.id, client_id=client_id, occurred_at=occurred_at, payment_method=payment_method,
        total_vnd=total_vnd if isinstance(total_vnd, int) and 0 <= total_vnd <= sales.MAX_AMOUNT_VND else 0,
        lines=[{"product_id": line.product_id, "name": names.get(line.product_id, ""), "quantity": line.quantity}
               for line in lines[:sales.MAX_LINES]],
        conflict=nfc(conflict or "").strip()[:500], reason=reason, discarded_by_id=actor.id if actor else None,
        discarded_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        # The same discard posted twice at once: the other request recorded it.
        earlier = find_discarded(showroom, client_id)
        if earlier is None:
            raise
        return earlier
    return row


def find_discarded(showroom: Showroom, client_id: str) -> DiscardedTillSale | None:
    return db.session.scalars(sa.select(DiscardedTillSale).where(
        DiscardedTillSale.showroom_id == showroom.id, DiscardedTillSale.client_id == client_id)).first()


def discarded_sales(showroom: Showroom, limit: int = 200) -> list[DiscardedTillSale]:
    """The showroom's discarded till sales, newest first, with who discarded them."""
    return list(db.session.scalars(
        sa.select(DiscardedTillSale).where(DiscardedTillSale.showroom_id == showroom.id)
        .options(joinedload(DiscardedTillSale.discarded_by))
        .order_by(DiscardedTillSale.discarded_at.desc(), DiscardedTillSale.id.desc()).limit(limit)))
