"""Checkout as one service call: place_order() takes what the buyer chose (address, payment method, the
form's idempotency token and cart fingerprint, and for each shop delivery or pickup at a showroom), checks it,
turns the cart into an order with one sub-order per shop, reserves the stock and returns the order. The HTML
checkout and a JSON API both call it.

Click and collect: a shop's part may be collected at a showroom that holds every item of it now
(pickup_offers). That sub-order has no shipping fee, its units are held at the showroom by lot
(showrooms.pickups.hold), its location is the showroom's and its ledger channel "showroom".

Starting the payment is not part of it: the caller commits, then asks the order's payment provider
(payments.providers) for the page to send the buyer to.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger.models import ONLINE_CHANNEL, SHOWROOM_CHANNEL
from marketplace.orders import cart as carts
from marketplace.orders import guest_links, pricing
from marketplace.orders.addresses import DeliveryAddress, save_address, validate_address
from marketplace.orders.lifecycle import place_to_pay_later
from marketplace.orders.models import Order, OrderEvent, OrderLine, PaymentMethod, ProducerOrder
from marketplace.orders.notifications import notify_order_placed
from marketplace.orders.queries import ORDER_GRAPH, reload_order
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.showrooms import pickups as holds
from marketplace.showrooms.models import Showroom
from marketplace.stock import services as stock
from marketplace.vouchers import redemptions as voucher_redemptions
from marketplace.vouchers.rules import VoucherRefused

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


class InvalidPickup(DomainError):
    """A chosen showroom cannot hold that shop's part (anymore); `fields` maps "pickup_<producer id>" to why."""


def pickup_offers(summary: carts.CartSummary) -> dict[int, list[Showroom]]:
    """For each shop of the cart (producer id), the active showrooms holding every item of its part now."""
    return holds.pickup_offers({group.producer.id: {item.product.id: item.quantity for item in group.items}
                                for group in summary.groups})


def _chosen_showrooms(summary: carts.CartSummary, pickups: Mapping[int, int | None]) -> dict[int, Showroom]:
    """{producer id: showroom} for the shops to collect at a showroom; InvalidPickup when one is not offered."""
    wanted = {producer_id: showroom_id for producer_id, showroom_id in pickups.items() if showroom_id is not None}
    if not wanted:
        return {}
    offers = pickup_offers(summary)
    chosen, errors = {}, {}
    for producer_id, showroom_id in wanted.items():
        showroom = next((s for s in offers.get(producer_id, []) if s.id == showroom_id), None)
        if showroom is None:
            errors[f"pickup_{producer_id}"] = _("This showroom does not hold every item of this shop's part now. "
                                                 "Choose another showroom or delivery.")
        else:
            chosen[producer_id] = showroom
    if errors:
        raise InvalidPickup(next(iter(errors.values())), fields=errors)
    return chosen


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
                token: str, cart_signature: str | None = None, save: bool = False,
                pickups: Mapping[int, int | None] | None = None,
                voucher_code: str | None = None, guest_cart: dict | None = None) -> tuple[Order, bool]:
    """Turn the buyer's cart into an order with one sub-order per shop, reserving the stock.

    A shopper without an account checks out their session cart: `guest_cart` (changed in place: the ordered
    products leave it) with the guest account as `buyer` (orders.guests).

    `address` is a checked DeliveryAddress or the raw fields (ADDRESS_FIELDS); `save` keeps a new address
    for next time; `pickups` maps a shop (producer id) to the showroom where its part is collected (shops not
    named are delivered). Returns (order, created). The same token again returns the first order with created
    False, also when a concurrent submit of the same token won the race. Raises InvalidAddress or
    InvalidPaymentMethod or InvalidPickup (with `fields`), EmptyCart, CartNeedsAttention, CartChanged, stock.OutOfStock
    or vouchers.rules.VoucherRefused (nothing is kept then). A `voucher_code` is checked and its use taken in the
    same transaction as the stock (vouchers.redemptions).
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
    summary = carts.load_cart(**({"guest_cart": guest_cart} if guest_cart is not None else {"user": buyer}))
    if voucher_code and not summary.is_empty:
        carts.apply_voucher(summary, voucher_code, user=buyer)
    if summary.is_empty:
        raise EmptyCart(_("Your cart is empty."))
    if summary.has_problems:
        raise CartNeedsAttention(_("Some items in your cart need your attention."))
    if summary.voucher_refusal is not None:
        raise summary.voucher_refusal
    if cart_signature is not None and cart_signature != summary.signature:
        raise CartChanged(_("Your cart changed since you opened this page (prices, quantities or shipping). "
                            "Please check it and confirm again."))
    chosen = _chosen_showrooms(summary, pickups or {})
    try:
        order = _create_order(buyer, summary, address=address, payment_method=payment_method, token=token,
                              pickups=chosen, guest=guest_cart is not None)
    except IntegrityError:
        # The same form was submitted twice at once and the other submit won (only the savepoint of
        # _create_order was rolled back): answer with its order, as for a later resubmit.
        existing = order_by_token(token)
        if existing is None or existing.buyer_id != buyer.id:
            raise
        return existing, False
    if guest_cart is not None:
        for item in summary.items:
            guest_cart.pop(str(item.product.id), None)
    else:
        carts.remove_products(buyer, [item.product.id for item in summary.items])
    if payment_method == PaymentMethod.COD:
        for sub in order.producer_orders:
            place_to_pay_later(sub, actor=buyer, reason="pay at the showroom" if sub.is_pickup else "cash on delivery")
        notify_order_placed(order)
    if save:
        save_address(buyer, address)
    return order, True


def _create_order(buyer: User, summary: carts.CartSummary, *, address: DeliveryAddress,
                  payment_method: PaymentMethod, token: str, pickups: Mapping[int, Showroom],
                  guest: bool = False) -> Order:
    """The order, its sub-orders, lines and first events, with the stock reserved (all or nothing)."""
    now = utcnow()
    parts = []
    for group in summary.groups:
        showroom = pickups.get(group.producer.id)
        group_totals = group.totals
        if showroom is not None:
            # Collected at the showroom: no shipping fee for this shop's part (nor a voucher's shipping discount).
            group_totals = pricing.Totals(group_totals.subtotal_vnd, 0, group_totals.discounts_vnd)
        parts.append((group, showroom, group_totals))
    totals = pricing.cart_totals(part_totals for _group, _showroom, part_totals in parts)
    if summary.voucher is not None and not totals.all_discounts_vnd:
        raise VoucherRefused("nothing_to_discount", _(
            "Shipping is already free for these products, so the voucher %(code)s takes nothing off.",
            code=summary.voucher.code))
    with db.session.begin_nested():
        order = Order(
            number=f"NEW-{token[:24]}", buyer_id=buyer.id, idempotency_token=token, payment_method=payment_method,
            recipient_name=address.full_name, recipient_phone=address.phone, province_code=address.province_code,
            ward_code=address.ward_code, street=address.street, subtotal_vnd=totals.subtotal_vnd,
            shipping_vnd=totals.shipping_vnd, discount_vnd=totals.discounts_vnd,
            shipping_discount_vnd=totals.shipping_discount_vnd,
            voucher_code=summary.voucher.code if summary.voucher else None, total_vnd=totals.total_vnd, created_at=now,
            guest_key=guest_links.new_guest_key() if guest else None,
        )
        if payment_method != PaymentMethod.COD:
            ttl = current_app.config.get("UNPAID_ORDER_TTL_MINUTES", 60)
            order.expires_at = now + timedelta(minutes=ttl)
        db.session.add(order)
        db.session.flush()
        order.number = f"OC-{now:%y%m}-{order.id:06d}"
        reservations: list[stock.StockLine] = []
        held: list[tuple[Showroom, ProducerOrder, list[holds.PickupLine]]] = []
        for group, showroom, group_totals in parts:
            location_id = showroom.location_id if showroom else stock.warehouse_for(group.producer).id
            sub = ProducerOrder(
                order_id=order.id, producer_id=group.producer.id, location_id=location_id,
                sales_channel=SHOWROOM_CHANNEL if showroom else ONLINE_CHANNEL,
                status=S.PENDING_PAYMENT, subtotal_vnd=group_totals.subtotal_vnd,
                shipping_fee_vnd=group_totals.shipping_vnd, total_vnd=group_totals.total_vnd,
                producer_name=group.producer.name, discount_vnd=group_totals.discounts_vnd,
                shipping_discount_vnd=group_totals.shipping_discount_vnd,
                discount_bearer=summary.voucher.bearer.value if group_totals.all_discounts_vnd else None,
            )
            db.session.add(sub)
            db.session.flush()
            discount = group.discount
            for item in group.items:
                product = item.product
                db.session.add(OrderLine(
                    producer_order_id=sub.id, product_id=product.id, quantity=item.quantity,
                    unit_price_vnd=product.price_vnd, total_vnd=item.total_vnd,
                    discount_vnd=discount.line_discounts.get(product.id, 0) if discount else 0,
                    shipping_discount_vnd=discount.line_shipping_discounts.get(product.id, 0)
                    if discount and showroom is None else 0,
                    product_name=product.name,
                    sku=product.sku, unit=product.unit, producer_name=group.producer.name,
                ))
                if showroom is None:
                    reservations.append(stock.StockLine(product.id, location_id, item.quantity))
            if showroom is not None:
                held.append((showroom, sub, [holds.PickupLine(item.product.id, item.quantity) for item in group.items]))
            db.session.add(OrderEvent(producer_order_id=sub.id, from_status=None, to_status=S.PENDING_PAYMENT,
                                      at=now, actor_id=buyer.id))
        db.session.flush()
        # Warehouses first, then showrooms by location: every checkout takes its locks in the same order.
        stock.reserve_stock(reservations, reference=f"order:{order.number}", actor_id=buyer.id)
        for showroom, sub, lines in sorted(held, key=lambda part: part[0].location_id):
            holds.hold(showroom, sub.id, lines, reference=f"order:{order.number}", actor_id=buyer.id)
        if summary.voucher is not None:
            voucher_redemptions.redeem(summary.voucher, user_id=buyer.id, order_id=order.id,
                                       discount_vnd=totals.discounts_vnd,
                                       shipping_discount_vnd=totals.shipping_discount_vnd)
    return reload_order(order)


@dataclass(frozen=True)
class AgreedLine:
    """A product at a price agreed outside the cart (a supply-demand linkage), in a quantity."""

    product: Product
    quantity: int
    unit_price_vnd: int


def place_agreed_order(buyer: User, *, producer: Producer, lines: list[AgreedLine],
                       address: DeliveryAddress | Mapping, payment_method: PaymentMethod | str, token: str,
                       sales_channel: str, shipping_vnd: int = 0) -> tuple[Order, bool]:
    """An order with one sub-order from one producer, at agreed prices rather than catalogue prices.

    The stock is reserved the usual way (stock.reserve_stock, all or nothing: OutOfStock keeps nothing),
    the sub-order carries `sales_channel` (a ledger channel: the sale is recorded on it when paid or
    delivered) and goes through the same lifecycle as any order. The cart is not touched. Returns
    (order, created); the same token again returns the first order with created False. Raises
    InvalidAddress or InvalidPaymentMethod (with `fields`) and DomainError for lines that are not this
    producer's or not positive.
    """
    if not isinstance(address, DeliveryAddress):
        address = validate_address(*(address.get(name) for name in ADDRESS_FIELDS))
    payment_method = _payment_method(payment_method)
    if not token or len(token) > 64:
        raise DomainError(_("This checkout form has expired. Please try again."))
    if not lines or any(line.product.producer_id != producer.id or line.quantity <= 0 or line.unit_price_vnd <= 0
                        for line in lines):
        raise DomainError(_("The agreed lines must be this producer's products with a quantity and a price."))
    existing = order_by_token(token)
    if existing is not None:
        if existing.buyer_id != buyer.id:
            raise DomainError(_("This checkout form has expired. Please try again."))
        return existing, False
    now = utcnow()
    subtotal = sum(line.quantity * line.unit_price_vnd for line in lines)
    with db.session.begin_nested():
        order = Order(
            number=f"NEW-{token[:24]}", buyer_id=buyer.id, idempotency_token=token, payment_method=payment_method,
            recipient_name=address.full_name, recipient_phone=address.phone, province_code=address.province_code,
            ward_code=address.ward_code, street=address.street, subtotal_vnd=subtotal, shipping_vnd=shipping_vnd,
            total_vnd=subtotal + shipping_vnd, created_at=now,
        )
        if payment_method != PaymentMethod.COD:
            order.expires_at = now + timedelta(minutes=current_app.config.get("UNPAID_ORDER_TTL_MINUTES", 60))
        db.session.add(order)
        db.session.flush()
        order.number = f"OC-{now:%y%m}-{order.id:06d}"
        location = stock.warehouse_for(producer)
        sub = ProducerOrder(
            order_id=order.id, producer_id=producer.id, location_id=location.id, sales_channel=sales_channel,
            status=S.PENDING_PAYMENT, subtotal_vnd=subtotal, shipping_fee_vnd=shipping_vnd,
            total_vnd=subtotal + shipping_vnd, producer_name=producer.name,
        )
        db.session.add(sub)
        db.session.flush()
        for line in lines:
            product = line.product
            db.session.add(OrderLine(
                producer_order_id=sub.id, product_id=product.id, quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd, total_vnd=line.quantity * line.unit_price_vnd,
                product_name=product.name, sku=product.sku, unit=product.unit, producer_name=producer.name,
            ))
        db.session.add(OrderEvent(producer_order_id=sub.id, from_status=None, to_status=S.PENDING_PAYMENT,
                                  at=now, actor_id=buyer.id))
        db.session.flush()
        stock.reserve_stock([stock.StockLine(line.product.id, location.id, line.quantity) for line in lines],
                            reference=f"order:{order.number}", actor_id=buyer.id)
    order = reload_order(order)
    if payment_method == PaymentMethod.COD:
        for sub in order.producer_orders:
            place_to_pay_later(sub, actor=buyer, reason="cash on delivery")
        notify_order_placed(order)
    return order, True
