"""Producers managing their listings: product fields, the product status machine and assisted listing.

Input arrives as text (forms, spreadsheet rows); clean_product_fields turns it into typed values or a
dict of field errors, so the web form and the bulk import apply exactly the same rules. Services flush,
never commit. `change_product_status` is the one writer of Product.status (table in catalog.status,
compare-and-set, a ProductEvent row for each change).
"""

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import Role, User
from marketplace.catalog import categories
from marketplace.catalog.models import AssistedListing, Product, ProductEvent
from marketplace.catalog.services import index_product, is_valid_ean13
from marketplace.catalog.status import PRODUCT_TRANSITIONS, ProductStatus
from marketplace.database import unique_slug
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.producers.models import Producer
from marketplace.producers.services import notify_members
from marketplace.statemachine import InvalidTransition, StatusConflict, check_transition
from marketplace.stock.models import Location, LocationKind, StockLevel
from marketplace.stock.services import low_stock_clause
from marketplace.text import nfc

PRODUCT_FIELDS = ("name", "description", "group_code", "set_code", "unit", "price_vnd", "sku", "barcode")


class InvalidProduct(DomainError):
    """Some product fields are wrong; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please correct the highlighted fields."), errors=errors)
        self.errors = errors


def clean_product_fields(raw: dict, *, producer_id: int, product_id: int | None = None,
                         sku_owners: Mapping[str, int] | None = None) -> dict:
    """Typed product values from text input; raises InvalidProduct with a message per wrong field.

    sku_owners (the producer's product id for each SKU) replaces the SKU query for a caller that has
    already read them, such as a spreadsheet import checking hundreds of rows.
    """
    errors: dict[str, str] = {}
    value = {key: nfc(str(raw.get(key) or "")) for key in PRODUCT_FIELDS}
    if not value["name"]:
        errors["name"] = _("The name is required.")
    elif len(value["name"]) > 200:
        errors["name"] = _("The name can have at most %(n)s characters.", n=200)
    if len(value["description"]) > 20000:
        errors["description"] = _("The description can have at most %(n)s characters.", n=20000)
    if not categories.is_group(value["group_code"]):
        errors["group_code"] = _("Choose an OCOP product group.")
    if value["set_code"]:
        if not categories.is_set_of_group(value["set_code"], value["group_code"]):
            errors["set_code"] = _("This product set does not belong to the chosen group.")
    if not value["unit"]:
        errors["unit"] = _("The selling unit is required (for example: chai 500ml).")
    elif len(value["unit"]) > 60:
        errors["unit"] = _("The unit can have at most %(n)s characters.", n=60)
    price = None
    try:
        price = parse_vnd(raw.get("price_vnd") if isinstance(raw.get("price_vnd"), int) else value["price_vnd"])
    except InvalidAmount:
        errors["price_vnd"] = _("The price must be a whole number of đồng.")
    else:
        if price <= 0:
            errors["price_vnd"] = _("The price must be more than 0 đồng.")
        elif price > 1_000_000_000:
            errors["price_vnd"] = _("The price is too high.")
    sku = value["sku"]
    if not sku:
        errors["sku"] = _("The SKU (your own product code) is required.")
    elif len(sku) > 64:
        errors["sku"] = _("The SKU can have at most %(n)s characters.", n=64)
    elif _sku_taken(sku, producer_id=producer_id, product_id=product_id, sku_owners=sku_owners):
        errors["sku"] = _("Another of your products already uses this SKU.")
    barcode = value["barcode"].replace(" ", "")
    if barcode and not is_valid_ean13(barcode):
        errors["barcode"] = _("The barcode must be a valid EAN-13 (13 digits with a correct check digit).")
    if errors:
        raise InvalidProduct(errors)
    return {
        "name": value["name"], "description": value["description"], "group_code": value["group_code"],
        "set_code": value["set_code"] or None, "unit": value["unit"], "price_vnd": price, "sku": sku,
        "barcode": barcode or None,
    }


def _sku_taken(sku: str, *, producer_id: int, product_id: int | None, sku_owners: Mapping[str, int] | None) -> bool:
    """True when another product of the producer has this SKU."""
    if sku_owners is not None:
        return sku_owners.get(sku, product_id) != product_id
    query = sa.select(Product.id).where(Product.producer_id == producer_id, Product.sku == sku)
    if product_id is not None:
        query = query.where(Product.id != product_id)
    return db.session.scalar(query.limit(1)) is not None


def unique_product_slug(name: str, *, product_id: int | None = None) -> str:
    """A slug from the name, with a number added when another product has it."""
    return unique_slug(db.session, Product.slug, name, max_length=140, exclude_id=product_id)


def is_assisting(actor: User, producer_id: int) -> bool:
    """True when the actor works on the listing for the producer rather than as one of its members."""
    return not (actor.role == Role.PRODUCER and actor.producer_id == producer_id)


def _record_assistance(product: Product, actor: User) -> None:
    record = db.session.get(AssistedListing, product.id)
    now = utcnow()
    if record is None:
        db.session.add(AssistedListing(product_id=product.id, created_by_id=actor.id, created_at=now,
                                       last_edited_by_id=actor.id, last_edited_at=now))
    else:
        record.last_edited_by_id = actor.id
        record.last_edited_at = now
        # The producer confirms what is listed in its name: a new edit needs a new confirmation.
        record.confirmed_at = None
        record.confirmed_by_id = None


def assistance_for(product: Product) -> AssistedListing | None:
    """The assisted-listing record of a product (with who created and last edited it), if someone listed it on
    the producer's behalf."""
    return db.session.get(AssistedListing, product.id, options=[joinedload(AssistedListing.created_by),
                                                                joinedload(AssistedListing.last_edited_by)])


def create_product(producer: Producer, raw: dict, *, actor: User,
                   sku_owners: Mapping[str, int] | None = None) -> Product:
    """A new draft product of the producer; recorded as assisted when the actor is not a member."""
    values = clean_product_fields(raw, producer_id=producer.id, sku_owners=sku_owners)
    product = Product(producer=producer, slug=unique_product_slug(values["name"]), status=ProductStatus.DRAFT,
                      **values)
    index_product(product)
    db.session.add(product)
    db.session.flush()
    if is_assisting(actor, producer.id):
        _record_assistance(product, actor)
        notify_members(producer, _l("A listing was prepared for your shop"), "producer_assisted_listing",
                       product=product, actor=actor)
    db.session.flush()
    return product


def update_product(product: Product, raw: dict, *, actor: User,
                   sku_owners: Mapping[str, int] | None = None) -> Product:
    """Change a product's fields; the slug follows the name only while it was never published."""
    values = clean_product_fields(raw, producer_id=product.producer_id, product_id=product.id,
                                  sku_owners=sku_owners)
    for key, value in values.items():
        setattr(product, key, value)
    if product.status == ProductStatus.DRAFT:
        product.slug = unique_product_slug(values["name"], product_id=product.id)
    index_product(product)
    if is_assisting(actor, product.producer_id):
        _record_assistance(product, actor)
        db.session.flush()
        if product.status == ProductStatus.ACTIVE:
            # Changed in the producer's name: off the shelves until the producer confirms.
            change_product_status(product, ProductStatus.ARCHIVED, actor=actor,
                                  reason="edited on the producer's behalf")
    db.session.flush()
    return product


def change_product_status(product: Product, new: ProductStatus, *, actor: User | None,
                          reason: str | None = None) -> ProductEvent:
    """draft -> active -> archived (and back to active); an assisted listing needs the producer's confirmation.

    The only writer of Product.status: checks the table, compare-and-sets, records who and why. Raises
    InvalidTransition when refused, StatusConflict when someone else changed the status first.
    """
    new = ProductStatus(new)
    current = ProductStatus(product.status)
    check_transition(PRODUCT_TRANSITIONS, current, new, _("A product cannot go from %(old)s to %(new)s.",
                                                          old=status_label(current), new=status_label(new)))
    if new == ProductStatus.ACTIVE:
        record = assistance_for(product)
        if record is not None and record.awaiting_confirmation:
            raise InvalidTransition(_("This listing was prepared on the producer's behalf: the producer must "
                                      "confirm it before it can be published."))
    now = utcnow()
    # Compare-and-set: of two concurrent changers only one finds the old status and wins.
    result = db.session.execute(
        sa.update(Product).where(Product.id == product.id, Product.status == current)
        .values(status=new, updated_at=now).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(product)
        raise StatusConflict(_("This product was changed by someone else in the meantime. Please reload."))
    set_committed_value(product, "status", new)
    set_committed_value(product, "updated_at", now)
    event = ProductEvent(product_id=product.id, from_status=current, to_status=new, at=now,
                         actor_id=actor.id if actor else None, reason=reason)
    db.session.add(event)
    db.session.flush()
    return event


def confirm_assisted_listing(product: Product, *, actor: User) -> None:
    """The producer confirms a listing prepared on its behalf (only a member of that producer may)."""
    record = assistance_for(product)
    if record is None or not record.awaiting_confirmation:
        raise InvalidTransition(_("There is nothing to confirm for this product."))
    if is_assisting(actor, product.producer_id):
        raise InvalidTransition(_("Only a member of the producer can confirm its listing."))
    record.confirmed_at = utcnow()
    record.confirmed_by_id = actor.id
    db.session.flush()


def status_label(status: ProductStatus) -> str:
    """The product status in the page language."""
    return {ProductStatus.DRAFT: _("draft"), ProductStatus.ACTIVE: _("active"),
            ProductStatus.ARCHIVED: _("archived")}[status]


def producer_products(producer_id: int, *, status: ProductStatus | None = None) -> list[Product]:
    """All the producer's products, newest first."""
    # With the producer: lists show whether each product is public, which depends on the shop too.
    query = sa.select(Product).where(Product.producer_id == producer_id).options(joinedload(Product.producer))
    if status is not None:
        query = query.where(Product.status == status)
    return list(db.session.scalars(query.order_by(Product.created_at.desc(), Product.id.desc())))


def awaiting_confirmation(producer_id: int) -> list[Product]:
    """Products listed on the producer's behalf that it has not confirmed yet."""
    return list(db.session.scalars(
        sa.select(Product).join(AssistedListing, AssistedListing.product_id == Product.id)
        .where(Product.producer_id == producer_id, AssistedListing.confirmed_at.is_(None))
        .order_by(Product.id)
    ))


def product_events(product_id: int) -> list[ProductEvent]:
    """The product's status history, oldest first."""
    return list(db.session.scalars(
        sa.select(ProductEvent).where(ProductEvent.product_id == product_id).order_by(ProductEvent.id)
    ))


def low_stock_products(producer_id: int) -> list[sa.Row]:
    """(product, quantity, threshold) of the producer's products at or below their warehouse alert, lowest first."""
    return list(db.session.execute(
        sa.select(Product, StockLevel.quantity, StockLevel.low_stock_threshold)
        .join(StockLevel, StockLevel.product_id == Product.id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Product.producer_id == producer_id, Location.kind == LocationKind.WAREHOUSE, low_stock_clause())
        .order_by(StockLevel.quantity)
    ).all())
