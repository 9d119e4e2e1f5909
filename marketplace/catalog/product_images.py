"""A product's pictures: checked, re-encoded and stored, in the order the producer chooses (0 is the main one).

Services flush, never commit; storage keys to remove are returned to the caller, which deletes them after
its commit.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.catalog.models import Product, ProductImage
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.images import process_image
from marketplace.storage import get_storage, new_key
from marketplace.text import nfc

MAX_IMAGES = 8


class TooManyImages(DomainError):
    """The product already has the most pictures allowed."""


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
    db.session.expire(db.session.get(Product, image.product_id), ["images"])


def make_main_image(image: ProductImage) -> None:
    """Put a picture first: it becomes the main image."""
    images = _images(image.product_id)
    images.remove(image)
    _renumber([image, *images])
    db.session.expire(db.session.get(Product, image.product_id), ["images"])


def delete_product_image(image: ProductImage) -> list[str]:
    """Remove a picture; returns its storage keys, to delete once the caller has committed."""
    product = db.session.get(Product, image.product_id)
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

