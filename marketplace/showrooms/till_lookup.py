"""Finding a product at the till: by EAN-13 barcode (what a scanner types), by SKU, or by words with or
without accents (the catalogue's own search, marketplace.catalog.search). Only products the showroom holds."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.catalog import search
from marketplace.catalog.models import Product
from marketplace.catalog.services import is_valid_ean13
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms.models import Lot, LotStock, Showroom
from marketplace.text import nfc, search_tokens

_DIGITS = re.compile(r"[0-9]{8,14}", re.ASCII)
MAX_RESULTS = 12


class BarcodeError(DomainError):
    """A barcode that is not valid or not known here (the message is safe to show)."""


@dataclass(frozen=True)
class TillItem:
    product_id: int
    name: str
    sku: str
    barcode: str | None
    unit: str
    price_vnd: int
    available: int

    def as_json(self) -> dict:
        return {"id": self.product_id, "name": self.name, "sku": self.sku, "barcode": self.barcode,
                "unit": self.unit, "price": self.price_vnd, "available": self.available}


def _held(showroom: Showroom):
    available = (sa.select(sa.func.coalesce(sa.func.sum(LotStock.quantity), 0)).join(Lot, Lot.id == LotStock.lot_id)
                 .where(Lot.product_id == Product.id, LotStock.location_id == showroom.location_id)
                 .correlate(Product).scalar_subquery())
    held = sa.select(Lot.product_id).join(LotStock, LotStock.lot_id == Lot.id).where(
        LotStock.location_id == showroom.location_id)
    return sa.select(Product, available.label("available")).where(Product.id.in_(held))


def _items(statement) -> list[TillItem]:
    return [TillItem(p.id, p.name, p.sku, p.barcode, p.unit, p.price_vnd, int(available))
            for p, available in db.session.execute(statement)]


def find(showroom: Showroom, text: str | None) -> list[TillItem]:
    """What the till shows for the typed text. A run of 8-14 digits is a barcode: it must be a valid EAN-13
    held here (else BarcodeError with a clear message). Otherwise an exact SKU first, then the word search."""
    text = nfc(text or "").strip()[:200]
    if not text:
        return []
    if _DIGITS.fullmatch(text):
        if not is_valid_ean13(text):
            raise BarcodeError(_("%(code)s is not a valid EAN-13 barcode (wrong length or check digit). "
                                 "Scan it again or type the product's name.", code=text))
        items = _items(_held(showroom).where(Product.barcode == text))
        if not items:
            raise BarcodeError(_("No product with barcode %(code)s is sold in this showroom.", code=text))
        return items
    by_sku = _items(_held(showroom).where(sa.func.lower(Product.sku) == text.lower()))
    if by_sku:
        return by_sku
    tokens = search_tokens(text)
    if not tokens:
        return []
    return _items(search.ranked(_held(showroom), tokens).limit(MAX_RESULTS))


def held_items(showroom: Showroom, limit: int = 5000) -> list[TillItem]:
    """Every product the showroom holds (the till keeps them to find products when the network is down)."""
    return _items(_held(showroom).order_by(Product.name, Product.id).limit(limit))
