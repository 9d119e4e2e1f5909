"""Checkout as one service call: place_order() takes what the buyer chose (address, payment method, the
form's idempotency token and cart fingerprint), checks it, turns the cart into an order with one sub-order
per shop, reserves the stock and returns the order. The HTML checkout and a JSON API both call it.

Starting the payment is not part of it: the caller commits, then asks the order's payment provider
(payments.providers) for the page to send the buyer to.
"""

import secrets
from collections.abc import Mapping
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.addresses import DeliveryAddress, save_address, validate_address
from marketplace.orders.lifecycle import change_status
from marketplace.orders.models import Order, OrderEvent, OrderLine, PaymentMethod, ProducerOrder
from marketplace.orders.notifications import notify_order_placed
from marketplace.orders.queries import ORDER_GRAPH, reload_order
from marketplace.orders.status import OrderStatus
from marketplace.stock import services as stock

S = OrderStatus
#: The address fields place_order reads from a mapping (a form or a JSON body).
ADDRESS_FIELDS = ("full_name", "phone", "province_code", "ward_code", "street")


class EmptyCart(DomainError):
    """Nothing to order."""


class CartNeedsAttention(DomainError):
    """Some cart lines cannot be bought as they are (not listed, short of stock)."""


class CartChanged(DomainError):
    """Prices, quantities or shipping changed since the checkout page was shown."""


class InvalidPaymentMethod(DomainError):
    """No such payment method; `fields` maps "payment_method" to the message (like InvalidAddress)."""


def new_checkout_token() -> str:
    """The idempotency token put in a checkout form when it is shown."""
    return secrets.token_urlsafe(24)


def order_by_token(token: str) -> Order | None:
    return db.session.scalar(sa.select(Order).where(Order.idempotency_token == token).options(*ORDER_GRAPH))


def _payment_method(raw) -> PaymentMethod:
    try:
        return PaymentMethod(raw)
    except ValueError:
        message = _("Please choose a payment method.")
        raise InvalidPaymentMethod(message, fields={"payment_method": message}) from None


def place_order(buyer: User, *, address: DeliveryAddress | Mapping, payment_method: PaymentMethod | str,
                token: str, cart_signature: str | None = None, save: bool = False) -> tuple[Order, bool]:
    """Turn the buyer's cart into an order with one sub-order per shop, reserving the stock.

    `address` is a checked DeliveryAddress or the raw fields (ADDRESS_FIELDS); `save` keeps a new address
    for next time. Returns (order, created). The same token again returns the first order with created
    False, also when a concurrent submit of the same token won the race. Raises InvalidAddress or
    InvalidPaymentMethod (with `fields`), EmptyCart, CartNeedsAttention, CartChanged or stock.OutOfStock
    (nothing is kept then).
    """
    if not isinstance(address, DeliveryAddress):
        address = validate_address(*(address.get(name) for name in ADDRESS_FIELDS))
    payment_method = _payment_method(payment_method)
    if not token or len(token) > 64:
        raise DomainError(_("This checkout form has expired. Please try again."))
    existing = order_by_token(token)
    if existing is not None:
        if existing.buyer_id != buyer.id:
            raise DomainError(_("This checkout form has expired. Please try again."))
        return existing, False
    summary = carts.load_cart(user=buyer)
    if summary.is_empty:
        raise EmptyCart(_("Your cart is empty."))
    if summary.has_problems:
        raise CartNeedsAttention(_("Some items in your cart need your attention."))
    if cart_signature is not None and cart_signature != summary.signature:
        raise CartChanged(_("Your cart changed since you opened this page (prices, quantities or shipping). "
                            "Please check it and confirm again."))
    try:
        order = _create_order(buyer, summary, address=address, payment_method=payment_method, token=token)
    except IntegrityError:
        # The same form was submitted twice at once and the other submit won (only the savepoint of
        # _create_order was rolled back): answer with its order, as for a later resubmit.
        existing = order_by_token(token)
        if existing is None or existing.buyer_id != buyer.id:
            raise
        return existing, False
    carts.remove_products(buyer, [item.product.id for item in summary.items])
    if payment_method == PaymentMethod.COD:
        for sub in order.producer_orders:
            change_status(sub, S.CONFIRMED, actor=buyer, reason="cash on delivery")
        notify_order_placed(order)
    if save:
        save_address(buyer, address)
    return order, True


def _create_order(buyer: User, summary: carts.CartSummary, *, address: DeliveryAddress,
                  payment_method: PaymentMethod, token: str) -> Order:
    """The order, its sub-orders, lines and first events, with the stock reserved (all or nothing)."""
    now = utcnow()
    totals = summary.totals
    with db.session.begin_nested():
        order = Order(
            number=f"NEW-{token[:24]}", buyer_id=buyer.id, idempotency_token=token, payment_method=payment_method,
            recipient_name=address.full_name, recipient_phone=address.phone, province_code=address.province_code,
            ward_code=address.ward_code, street=address.street, subtotal_vnd=totals.subtotal_vnd,
            shipping_vnd=totals.shipping_vnd, total_vnd=totals.total_vnd, created_at=now,
        )
        if payment_method != PaymentMethod.COD:
            ttl = current_app.config.get("UNPAID_ORDER_TTL_MINUTES", 60)
            order.expires_at = now + timedelta(minutes=ttl)
        db.session.add(order)
        db.session.flush()
        order.number = f"OC-{now:%y%m}-{order.id:06d}"
        reservations: list[stock.StockLine] = []
        for group in summary.groups:
            location = stock.warehouse_for(group.producer)
            group_totals = group.totals
            sub = ProducerOrder(
                order_id=order.id, producer_id=group.producer.id, location_id=location.id,
                status=S.PENDING_PAYMENT, subtotal_vnd=group_totals.subtotal_vnd,
                shipping_fee_vnd=group_totals.shipping_vnd, total_vnd=group_totals.total_vnd,
                producer_name=group.producer.name,
            )
            db.session.add(sub)
            db.session.flush()
            for item in group.items:
                product = item.product
                db.session.add(OrderLine(
                    producer_order_id=sub.id, product_id=product.id, quantity=item.quantity,
                    unit_price_vnd=product.price_vnd, total_vnd=item.total_vnd, product_name=product.name,
                    sku=product.sku, unit=product.unit, producer_name=group.producer.name,
                ))
                reservations.append(stock.StockLine(product.id, location.id, item.quantity))
            db.session.add(OrderEvent(producer_order_id=sub.id, from_status=None, to_status=S.PENDING_PAYMENT,
                                      at=now, actor_id=buyer.id))
        db.session.flush()
        stock.reserve_stock(reservations, reference=f"order:{order.number}", actor_id=buyer.id)
    return reload_order(order)
