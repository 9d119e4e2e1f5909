"""Linkages: what a buyer and a producer agreed (request, accepted offer, quantity, value, date), and
turning one into a marketplace order at the agreed price, whose sale the ledger records on its linkage
channel (ledger.models.LINKAGE_CHANNEL) when it is paid or delivered."""

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.dates import today_vn, utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.ledger.models import LINKAGE_CHANNEL
from marketplace.linkage.models import DemandRequest, Linkage, Offer
from marketplace.orders import checkout
from marketplace.orders.addresses import DeliveryAddress
from marketplace.orders.models import Order, PaymentMethod
from marketplace.producers.models import Producer


class LinkageNotOrderable(DomainError):
    """The linkage cannot become an order (already one, no listed product, product no longer sold)."""


def record_linkage(request: DemandRequest, offer: Offer, *, today: date | None = None) -> Linkage:
    """The linkage row of an accepted offer: its quantity and price are the offer's."""
    linkage = Linkage(request_id=request.id, offer_id=offer.id, producer_id=offer.producer_id,
                      buyer_id=request.author_id, product_id=offer.product_id, quantity=offer.quantity,
                      unit_price_vnd=offer.unit_price_vnd, value_vnd=offer.quantity * offer.unit_price_vnd,
                      agreed_on=today or today_vn(), created_at=utcnow())
    db.session.add(linkage)
    db.session.flush()
    return linkage


def orderable_product(linkage: Linkage) -> Product | None:
    """The listed product of the linkage, when it can still be ordered (public), else None."""
    if linkage.product_id is None:
        return None
    product = db.session.get(Product, linkage.product_id)
    if product is None or product.producer_id != linkage.producer_id or not product.is_public():
        return None
    return product


def place_linkage_order(linkage: Linkage, *, buyer: User, address: DeliveryAddress | Mapping,
                        payment_method: PaymentMethod | str, token: str) -> tuple[Order, bool]:
    """Turn a linkage into a marketplace order for the agreed quantity at the agreed unit price (delivery
    included in it), reserving the producer's stock; its sub-order is on the ledger's linkage channel.
    Returns (order, created). Raises PermissionDenied (not the buyer), LinkageNotOrderable, the checkout's
    InvalidAddress / InvalidPaymentMethod, or stock.OutOfStock (nothing kept)."""
    if linkage.buyer_id != buyer.id:
        raise PermissionDenied(_("Only the buyer of a linkage can order it."))
    if linkage.order_id is not None:
        existing = db.session.get(Order, linkage.order_id)
        if existing is not None and existing.idempotency_token == token:
            return existing, False
        raise LinkageNotOrderable(_("This linkage is already a marketplace order."))
    product = orderable_product(linkage)
    if product is None:
        raise LinkageNotOrderable(_("This linkage names no product that is listed on the marketplace now, so it "
                                    "cannot become an order here. Arrange delivery with the producer directly."))
    producer = db.session.get(Producer, linkage.producer_id)
    order, created = checkout.place_agreed_order(
        buyer, producer=producer, lines=[checkout.AgreedLine(product, linkage.quantity, linkage.unit_price_vnd)],
        address=address, payment_method=payment_method, token=token, sales_channel=LINKAGE_CHANNEL)
    linkage.order_id = order.id
    db.session.flush()
    return order, created
