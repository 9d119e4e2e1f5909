"""Producers managing their listings: products, images, certificates, stock, assisted listing.

Input arrives as text (forms, spreadsheet rows); clean_product_fields turns it into typed values or a
dict of field errors, so the web form and the bulk import apply exactly the same rules. Services flush,
never commit; storage keys to remove are returned to the caller, which deletes them after its commit.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from marketplace.accounts.models import Role, User
from marketplace.catalog import categories
from marketplace.catalog.images import UploadRefused, process_image, process_scan
from marketplace.catalog.models import (
    Certificate,
    CertificateStatus,
    EvaluationKind,
    IssuingLevel,
    Product,
    ProductImage,
    ProductStatus,
)
from marketplace.catalog.services import (
    SCORE_BANDS,
    default_valid_until,
    index_product,
    is_valid_ean13,
    new_verification_code,
    refresh_certification,
)
from marketplace.database import unique_slug
from marketplace.dates import today_vn, utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.producers.models import AssistedListing, Producer
from marketplace.storage import get_storage, new_key
from marketplace.text import nfc

MAX_IMAGES = 8
#: draft -> active -> archived; an archived product may come back. A product never returns to draft,
#: so "still a draft" means "never published", which is when its slug may still follow its name.
PRODUCT_TRANSITIONS: dict[ProductStatus, set[ProductStatus]] = {
    ProductStatus.DRAFT: {ProductStatus.ACTIVE, ProductStatus.ARCHIVED},
    ProductStatus.ACTIVE: {ProductStatus.ARCHIVED},
    ProductStatus.ARCHIVED: {ProductStatus.ACTIVE},
}
CERTIFICATE_TRANSITIONS: dict[CertificateStatus, set[CertificateStatus]] = {
    CertificateStatus.SUBMITTED: {CertificateStatus.VALID, CertificateStatus.REJECTED},
    CertificateStatus.VALID: {CertificateStatus.REVOKED},
}
PRODUCT_FIELDS = ("name", "description", "group_code", "set_code", "unit", "price_vnd", "sku", "barcode")


class InvalidProduct(DomainError):
    """Some product fields are wrong; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please correct the highlighted fields."), errors=errors)
        self.errors = errors


class InvalidCertificate(InvalidProduct):
    """Some certificate fields are wrong; `errors` maps field names to messages."""


class InvalidTransition(DomainError):
    """The status cannot change that way."""


class TooManyImages(DomainError):
    """The product already has the most pictures allowed."""


# ---------------------------------------------------------------- products


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
    """The assisted-listing record of a product, if someone listed it on the producer's behalf."""
    return db.session.get(AssistedListing, product.id)


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
        from marketplace.producers.services import notify_members

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
        if product.status == ProductStatus.ACTIVE:
            # Changed in the producer's name: off the shelves until the producer confirms.
            product.status = ProductStatus.ARCHIVED
    db.session.flush()
    return product


def change_product_status(product: Product, new: ProductStatus, *, actor: User) -> None:
    """draft -> active -> archived (and back to active); an assisted listing needs the producer's confirmation."""
    if new not in PRODUCT_TRANSITIONS.get(product.status, set()):
        raise InvalidTransition(_("A product cannot go from %(old)s to %(new)s.",
                                  old=status_label(product.status), new=status_label(new)))
    if new == ProductStatus.ACTIVE:
        record = assistance_for(product)
        if record is not None and record.awaiting_confirmation:
            raise InvalidTransition(_("This listing was prepared on the producer's behalf: the producer must "
                                      "confirm it before it can be published."))
    product.status = new
    db.session.flush()


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
    query = sa.select(Product).where(Product.producer_id == producer_id)
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


# ---------------------------------------------------------------- images


def add_product_image(product: Product, data: bytes, *, alt: str = "") -> ProductImage:
    """Check, re-encode and store a picture as the product's last image; nothing is kept on refusal."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)
                              .where(ProductImage.product_id == product.id))
    if count >= MAX_IMAGES:
        raise TooManyImages(_("A product can have at most %(n)s pictures.", n=MAX_IMAGES))
    processed = process_image(data)
    storage = get_storage()
    key = new_key(f"products/{product.id}", "webp")
    thumb_key = key[: -len(".webp")] + "_thumb.webp"
    saved: list[str] = []
    try:
        storage.save(key, processed.data, "image/webp")
        saved.append(key)
        storage.save(thumb_key, processed.thumb, "image/webp")
        saved.append(thumb_key)
        image = ProductImage(product_id=product.id, position=count, storage_key=key, thumb_key=thumb_key,
                             width=processed.width, height=processed.height, alt=nfc(alt)[:200])
        db.session.add(image)
        db.session.flush()
    except Exception:
        for stored in saved:
            storage.delete(stored)
        raise
    db.session.expire(product, ["images"])
    return image


def _images(product_id: int) -> list[ProductImage]:
    return list(db.session.scalars(
        sa.select(ProductImage).where(ProductImage.product_id == product_id)
        .order_by(ProductImage.position, ProductImage.id)
    ))


def _renumber(images: list[ProductImage]) -> None:
    for position, image in enumerate(images):
        image.position = position
    db.session.flush()


def move_product_image(image: ProductImage, offset: int) -> None:
    """Move a picture up (-1) or down (+1) in the order."""
    images = _images(image.product_id)
    index = images.index(image)
    target = max(0, min(len(images) - 1, index + offset))
    images.insert(target, images.pop(index))
    _renumber(images)
    db.session.expire(image.product, ["images"])


def make_main_image(image: ProductImage) -> None:
    """Put a picture first: it becomes the main image."""
    images = _images(image.product_id)
    images.remove(image)
    _renumber([image, *images])
    db.session.expire(image.product, ["images"])


def delete_product_image(image: ProductImage) -> list[str]:
    """Remove a picture; returns its storage keys, to delete once the caller has committed."""
    product = image.product
    keys = [image.storage_key, image.thumb_key]
    db.session.delete(image)
    db.session.flush()
    _renumber(_images(product.id))
    db.session.expire(product, ["images"])
    return keys


def delete_stored(keys: list[str]) -> None:
    """Delete files from storage (after the commit that stopped referring to them)."""
    storage = get_storage()
    for key in keys:
        if key:
            storage.delete(key)


# ---------------------------------------------------------------- certificates


@dataclass
class CertificateDetails:
    """Typed certificate fields, as cleaned by clean_certificate_fields."""

    star_level: int
    score: int
    is_potential_five_star: bool
    decision_number: str
    decision_date: date
    valid_until: date
    issuing_level: IssuingLevel
    authority: str
    issuing_province_name: str | None
    criteria_version: str
    evaluation_kind: EvaluationKind
    legacy_group: str | None


def _int(text, field: str, errors: dict, message: str) -> int | None:
    number = parse_int(text)
    if number is None:
        errors[field] = message
    return number


def clean_certificate_fields(raw: dict) -> CertificateDetails:
    """Typed certificate values; the score must fall in the star band of Decision 148."""
    errors: dict[str, str] = {}
    stars = _int(raw.get("star_level"), "star_level", errors, _("Choose 3, 4 or 5 stars."))
    if stars is not None and stars not in (3, 4, 5):
        errors["star_level"] = _("Only 3, 4 and 5-star products are recognised OCOP products.")
    score = _int(raw.get("score"), "score", errors, _("The score must be a whole number from 0 to 100."))
    potential = bool(raw.get("is_potential_five_star"))
    if score is not None and not 0 <= score <= 100:
        errors["score"] = _("The score must be a whole number from 0 to 100.")
    elif score is not None and stars in (3, 4, 5) and "star_level" not in errors:
        if potential and stars != 4:
            errors["is_potential_five_star"] = _("A potential 5-star product is shown with 4 stars.")
        elif potential and score < 90:
            errors["score"] = _("A potential 5-star product scored 90 or more.")
        elif not potential and score not in SCORE_BANDS[stars]:
            errors["score"] = _("A score of %(score)s does not give %(stars)s stars (3 stars: 50-69, 4 stars: "
                                "70-89, 5 stars: 90-100).", score=score, stars=stars)
    decision_number = nfc(raw.get("decision_number"))
    if not decision_number:
        errors["decision_number"] = _("The decision number is required (for example 1032/QĐ-UBND).")
    decision_date = raw.get("decision_date")
    if not isinstance(decision_date, date):
        errors["decision_date"] = _("Enter the date of the decision.")
    elif decision_date > today_vn():
        errors["decision_date"] = _("The decision date cannot be in the future.")
    valid_until = raw.get("valid_until")
    if isinstance(decision_date, date) and "decision_date" not in errors:
        if not isinstance(valid_until, date):
            valid_until = default_valid_until(decision_date)
        elif valid_until <= decision_date:
            errors["valid_until"] = _("The end of validity must come after the decision date.")
    try:
        level = IssuingLevel(raw.get("issuing_level"))
    except ValueError:
        errors["issuing_level"] = _("Choose who issued the decision.")
        level = None
    authority = nfc(raw.get("authority"))
    if not authority:
        errors["authority"] = _("The issuing authority is required (for example UBND tỉnh Kiên Giang).")
    try:
        kind = EvaluationKind(raw.get("evaluation_kind") or EvaluationKind.NEW.value)
    except ValueError:
        errors["evaluation_kind"] = _("Choose the kind of evaluation.")
        kind = None
    if errors:
        raise InvalidCertificate(errors)
    return CertificateDetails(
        star_level=stars, score=score, is_potential_five_star=potential, decision_number=decision_number[:60],
        decision_date=decision_date, valid_until=valid_until, issuing_level=level, authority=authority[:200],
        issuing_province_name=nfc(raw.get("issuing_province_name"))[:100] or None,
        criteria_version=nfc(raw.get("criteria_version"))[:40] or "148/QĐ-TTg", evaluation_kind=kind,
        legacy_group=nfc(raw.get("legacy_group"))[:120] or None,
    )


def submit_certificate(product: Product, details: CertificateDetails, scan: bytes | None) -> Certificate:
    """Record a certificate as "submitted", with its checked scan; an admin verifies it against the scan."""
    if not scan:
        raise InvalidCertificate({"scan": _("Upload the scan of the recognition decision (PDF or picture).")})
    try:
        processed = process_scan(scan)
    except UploadRefused as error:
        raise InvalidCertificate({"scan": error.message}) from None
    certificate = Certificate(product_id=product.id, status=CertificateStatus.SUBMITTED,
                              verification_code=new_verification_code(), **details.__dict__)
    db.session.add(certificate)
    db.session.flush()
    storage = get_storage()
    key = new_key(f"certificates/{certificate.id}", processed.extension)
    storage.save(key, processed.data, processed.content_type)
    certificate.scan_key = key
    try:
        db.session.flush()
    except Exception:
        storage.delete(key)
        raise
    return certificate


def _change_certificate(certificate: Certificate, new: CertificateStatus, *, actor: User,
                        reason: str | None = None) -> None:
    if new not in CERTIFICATE_TRANSITIONS.get(certificate.status, set()):
        raise InvalidTransition(_("This certificate cannot change that way (it is %(status)s).",
                                  status=certificate_status_label(certificate.effective_status())))
    if new in (CertificateStatus.REJECTED, CertificateStatus.REVOKED) and not nfc(reason):
        raise InvalidCertificate({"reason": _("Give the reason.")})
    certificate.status = new
    certificate.status_reason = nfc(reason) or None
    if new == CertificateStatus.VALID:
        certificate.verified_at = utcnow()
        certificate.verified_by_id = actor.id
    db.session.flush()
    refresh_certification(certificate.product)


def _notify(certificate: Certificate, subject, template: str, **context) -> None:
    from marketplace.producers.services import notify_members

    notify_members(certificate.product.producer, subject, template, certificate=certificate,
                   product=certificate.product, **context)


def verify_certificate(certificate: Certificate, *, actor: User) -> None:
    """The admin checked the scan: the certificate becomes valid and the product shows its stars."""
    _change_certificate(certificate, CertificateStatus.VALID, actor=actor)
    _notify(certificate, _l("Your OCOP certificate is verified"), "certificate_verified")


def reject_certificate(certificate: Certificate, *, actor: User, reason: str) -> None:
    """The scan does not support the details entered: refused, with the reason e-mailed."""
    _change_certificate(certificate, CertificateStatus.REJECTED, actor=actor, reason=reason)
    _notify(certificate, _l("Your OCOP certificate was not accepted"), "certificate_rejected", reason=reason)


def revoke_certificate(certificate: Certificate, *, actor: User, reason: str) -> None:
    """A valid certificate was withdrawn by the authority (or found false): the product loses its stars."""
    _change_certificate(certificate, CertificateStatus.REVOKED, actor=actor, reason=reason)
    _notify(certificate, _l("Your OCOP certificate was revoked"), "certificate_revoked", reason=reason)


def certificate_status_label(effective: str) -> str:
    """A certificate's effective status in the page language."""
    return {
        "submitted": _("waiting for verification"), "valid": _("valid"), "expired": _("expired"),
        "rejected": _("rejected"), "revoked": _("revoked"),
    }.get(effective, effective)


def product_certificates(product_id: int) -> list[Certificate]:
    """The product's certificates, latest decision first."""
    return list(db.session.scalars(
        sa.select(Certificate).where(Certificate.product_id == product_id)
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc())
    ))


def submitted_certificates() -> list[Certificate]:
    """Certificates waiting for the program office, oldest first, each with its product (and producer)."""
    return list(db.session.scalars(
        sa.select(Certificate).join(Product, Product.id == Certificate.product_id)
        .options(contains_eager(Certificate.product))
        .where(Certificate.status == CertificateStatus.SUBMITTED)
        .order_by(Certificate.created_at, Certificate.id)
    ))
