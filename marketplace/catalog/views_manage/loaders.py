"""The one loader per kind of object of the listing screens.

Each raises NotFound (404, no hint that the object exists) when the object is missing or the signed-in user
may not act on it, in the spirit of flaskr's `get_post(id, check_author)`; the policy is a parameter.
"""

from collections.abc import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from marketplace.backoffice import acting_producer
from marketplace.catalog.models import Certificate, Product, ProductImage
from marketplace.catalog.policies import may_edit_listing
from marketplace.extensions import db
from marketplace.producers.models import Producer


def listing_producer(may: Callable = may_edit_listing) -> Producer:
    """The producer whose listings the signed-in user works on (404 unless `may` allows it)."""
    return acting_producer(may=may)


def get_product(product_id: int, may: Callable = may_edit_listing) -> Product:
    """The product if the signed-in user may act on it (`may(user, producer_id)`); 404 otherwise."""
    # The screens show the shop (tabs, breadcrumbs) and the number of pictures.
    product = db.session.get(Product, product_id, options=[joinedload(Product.producer), selectinload(Product.images)],
                             populate_existing=True)
    if product is None or not may(current_user, product.producer_id):
        abort(404)
    return product


def get_product_image(product: Product, image_id: int) -> ProductImage:
    """A picture of this (already checked) product; 404 for any other."""
    image = db.session.get(ProductImage, image_id)
    if image is None or image.product_id != product.id:
        abort(404)
    return image


def get_certificate(product: Product, certificate_id: int) -> Certificate:
    """A certificate of this (already checked) product; 404 for any other."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.product_id != product.id:
        abort(404)
    return certificate
