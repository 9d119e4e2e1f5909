"""Lot traceability ("truy xuất nguồn gốc"): what the public page of a lot shows, found by its random public
code, and the producer's own lots for printing QR labels. Reads only; nothing here writes."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Certificate, Product
from marketplace.catalog.status import CertificateStatus
from marketplace.dates import VIETNAM
from marketplace.extensions import db
from marketplace.showrooms.models import Consignment, ConsignmentKind, ConsignmentLine, Lot, Showroom
from marketplace.showrooms.status import ConsignmentStatus

#: The longest public code we look up (they are 12 characters; anything much longer is not one).
PUBLIC_CODE_MAX_LENGTH = 16


@dataclass(frozen=True)
class Reception:
    """One showroom that received the lot, and when."""

    showroom: Showroom
    received_on: date | None  # the day in Vietnam


def lot_by_public_code(code: str) -> Lot | None:
    """The lot with this public code, its product and producer loaded; None for anything else."""
    if not code or len(code) > PUBLIC_CODE_MAX_LENGTH:
        return None
    return db.session.scalars(
        sa.select(Lot).options(joinedload(Lot.product).joinedload(Product.producer))
        .where(Lot.public_code == code)).first()


def lot_certificate(product_id: int) -> Certificate | None:
    """The certificate the lot page reports on: the product's latest confirmed one (valid, expired or revoked);
    None when the program office never confirmed one."""
    return db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.product_id == product_id,
               Certificate.status.in_([CertificateStatus.VALID, CertificateStatus.REVOKED]))
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc()).limit(1)).first()


def receptions(lot_id: int) -> list[Reception]:
    """The showrooms that received deliveries of this lot, oldest first."""
    rows = db.session.execute(
        sa.select(Showroom, Consignment.received_at).select_from(ConsignmentLine)
        .join(Consignment, ConsignmentLine.consignment_id == Consignment.id)
        .join(Showroom, Consignment.showroom_id == Showroom.id)
        .where(ConsignmentLine.lot_id == lot_id, Consignment.kind == ConsignmentKind.DELIVERY,
               Consignment.status == ConsignmentStatus.RECEIVED)
        .order_by(Consignment.received_at, Consignment.id)).all()
    return [Reception(showroom, received_at.astimezone(VIETNAM).date() if received_at else None)
            for showroom, received_at in rows]


def producer_lot(producer_id: int, code: str) -> Lot | None:
    """The lot with this public code when its product belongs to the producer; None otherwise (a 404)."""
    lot = lot_by_public_code(code)
    if lot is None or lot.product.producer_id != producer_id:
        return None
    return lot


def producer_lots(producer_id: int) -> list[Lot]:
    """The producer's lots, newest first, with their products."""
    return list(db.session.scalars(
        sa.select(Lot).join(Lot.product).options(joinedload(Lot.product))
        .where(Product.producer_id == producer_id).order_by(Lot.created_at.desc(), Lot.id.desc())))


def public_codes(lot_ids) -> dict[int, str]:
    """lot id -> public code, for linking a consignment's lines to their lot pages."""
    ids = {lot_id for lot_id in lot_ids if lot_id is not None}
    if not ids:
        return {}
    return {lot_id: code for lot_id, code in db.session.execute(sa.select(Lot.id, Lot.public_code).where(Lot.id.in_(ids)))}
