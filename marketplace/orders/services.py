"""Placing orders and moving sub-orders through the status pipeline (change_status is the only writer of
ProducerOrder.status). Services flush, never commit; the caller commits once.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import geo
from marketplace.accounts.models import Role, User
from marketplace.dates import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.ledger import services as ledger
from marketplace.mail import queue_mail
from marketplace.orders import cart as carts
from marketplace.orders.models import Address, Order, OrderEvent, OrderLine, PaymentMethod, ProducerOrder
from marketplace.orders.status import CANCELLABLE, OrderStatus, can_change
from marketplace.stock import services as stock

S = OrderStatus


class InvalidTransition(DomainError):
    """The pipeline does not allow this status change."""


class StatusConflict(InvalidTransition):
    """Someone else changed the sub-order first (the compare-and-set found another status)."""


class EmptyCart(DomainError):
    """Nothing to order."""


class CartNeedsAttention(DomainError):
    """Some cart lines cannot be bought as they are (not listed, short of stock)."""


class CartChanged(DomainError):
    """Prices, quantities or shipping changed since the checkout page was shown."""


class InvalidAddress(DomainError):
    """The delivery address is incomplete or wrong; `fields` maps field name to message."""


_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$")


def normalise_phone(raw: str | None) -> str | None:
    """A Vietnamese mobile number as 10 digits starting with 0 (accepts +84 / 84 forms), or None."""
    if not raw:
        return None
    text = re.sub(r"[\s.\-()]", "", str(raw))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    return text if _PHONE.match(text) else None


@dataclass(frozen=True)
class DeliveryAddress:
    full_name: str
    phone: str
    province_code: int
    ward_code: int
    street: str


def validate_address(full_name, phone, province_code, ward_code, street) -> DeliveryAddress:
    """Check and normalise an address; raises InvalidAddress with a message per field."""
    errors: dict[str, str] = {}
    full_name = " ".join(str(full_name or "").split())
    street = " ".join(str(street or "").split())
    if not full_name:
        errors["full_name"] = _("Please enter the recipient's name.")
    elif len(full_name) > 120:
        errors["full_name"] = _("The name is too long (at most 120 characters).")
    normalised = normalise_phone(phone)
    if normalised is None:
        errors["phone"] = _("Please enter a Vietnamese mobile number, e.g. 0912 345 678.")
    province_code = parse_int(province_code, minimum=0)
    if province_code is None or geo.province(province_code) is None:
        errors["province_code"] = _("Please choose a province.")
    ward_code = parse_int(ward_code, minimum=0)
    if ward_code is None or not geo.is_ward_in_province(ward_code, province_code):
        errors["ward_code"] = _("Please choose a commune of the chosen province.")
    if not street:
        errors["street"] = _("Please enter the street address.")
    elif len(street) > 255:
        errors["street"] = _("The street address is too long (at most 255 characters).")
    if errors:
        raise InvalidAddress(_("Please correct the delivery address."), fields=errors)
    return DeliveryAddress(full_name, normalised, province_code, ward_code, street)


def save_address(user: User, address: DeliveryAddress) -> Address:
    """Keep an address for next time (an identical one is not stored twice)."""
    existing = db.session.scalar(sa.select(Address).where(
        Address.user_id == user.id, Address.full_name == address.full_name, Address.phone == address.phone,
        Address.ward_code == address.ward_code, Address.street == address.street,
    ))
    if existing:
        return existing
    saved = Address(user_id=user.id, full_name=address.full_name, phone=address.phone,
                    province_code=address.province_code, ward_code=address.ward_code, street=address.street)
    db.session.add(saved)
    db.session.flush()
    return saved


def saved_addresses(user: User) -> list[Address]:
    return list(db.session.scalars(sa.select(Address).where(Address.user_id == user.id).order_by(Address.id.desc())))


def new_checkout_token() -> str:
    """The idempotency token put in a checkout form when it is shown."""
    return secrets.token_urlsafe(24)


def order_by_token(token: str) -> Order | None:
    return db.session.scalar(sa.select(Order).where(Order.idempotency_token == token))


def stock_lines(producer_order: ProducerOrder) -> list[stock.StockLine]:
    return [stock.StockLine(line.product_id, producer_order.location_id, line.quantity)
            for line in producer_order.lines]


def place_order(buyer: User, *, address: DeliveryAddress, payment_method: PaymentMethod | str, token: str,
                cart_signature: str | None = None) -> tuple[Order, bool]:
    """Turn the buyer's cart into an order with one sub-order per shop, reserving the stock.

    Returns (order, created). The same token again returns the first order with created False.
    Raises EmptyCart, CartNeedsAttention, CartChanged, stock.OutOfStock (nothing is kept then), or
    IntegrityError when a concurrent submit of the same token won (the caller looks it up).
    """
    payment_method = PaymentMethod(payment_method)
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
    now = utcnow()
    with db.session.begin_nested():
        order = Order(
            number=f"NEW-{token[:24]}", buyer_id=buyer.id, idempotency_token=token, payment_method=payment_method,
            recipient_name=address.full_name, recipient_phone=address.phone, province_code=address.province_code,
            ward_code=address.ward_code, street=address.street, subtotal_vnd=summary.subtotal_vnd,
            shipping_vnd=summary.shipping_vnd, total_vnd=summary.total_vnd, created_at=now,
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
            sub = ProducerOrder(
                order_id=order.id, producer_id=group.producer.id, location_id=location.id,
                status=S.PENDING_PAYMENT, subtotal_vnd=group.subtotal_vnd, shipping_fee_vnd=group.shipping_fee_vnd,
                total_vnd=group.total_vnd, producer_name=group.producer.name,
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
    db.session.refresh(order)
    carts.remove_products(buyer, [item.product.id for item in summary.items])
    if payment_method == PaymentMethod.COD:
        for sub in order.producer_orders:
            change_status(sub, S.CONFIRMED, actor=buyer, reason=_l("cash on delivery"))
        notify_order_placed(order)
    return order, True


def _cas_status(producer_order: ProducerOrder, current: OrderStatus, new: OrderStatus) -> bool:
    # Compare-and-set: of two concurrent changers only one finds the old status and wins.
    result = db.session.execute(
        sa.update(ProducerOrder)
        .where(ProducerOrder.id == producer_order.id, ProducerOrder.status == current)
        .values(status=new, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def change_status(producer_order: ProducerOrder, new: OrderStatus | str, *, actor: User | None = None,
                  reason: str | None = None) -> ProducerOrder:
    """The only way a sub-order changes status: checks the pipeline, compare-and-sets, records an event,
    and applies the side effects (stock, ledger, e-mail). Raises InvalidTransition or StatusConflict."""
    new = OrderStatus(new)
    current = OrderStatus(producer_order.status)
    if not can_change(current, new):
        raise InvalidTransition(_("An order cannot go from “%(old)s” to “%(new)s”.",
                                  old=status_label(current), new=status_label(new)))
    if new == S.CANCELLED and producer_order.paid_at is not None:
        raise InvalidTransition(_("This order was paid: it must be refunded, not cancelled."))
    if new == S.REFUNDED and producer_order.paid_at is None:
        raise InvalidTransition(_("Nothing was paid for this order, so nothing can be refunded."))
    if not _cas_status(producer_order, current, new):
        db.session.refresh(producer_order)
        raise StatusConflict(_("This order was changed by someone else in the meantime. Please reload."))
    set_committed_value(producer_order, "status", new)
    now = utcnow()
    reason_text = str(reason)[:500] if reason else None
    db.session.add(OrderEvent(producer_order_id=producer_order.id, from_status=current, to_status=new, at=now,
                              actor_id=actor.id if actor else None, reason=reason_text))
    order = producer_order.order
    if new == S.PAID:
        producer_order.paid_at = now
        order.paid_at = order.paid_at or now
        _record_sale(producer_order, now)
    elif new == S.DELIVERED and order.payment_method == PaymentMethod.COD and producer_order.sale_recorded_at is None:
        # Cash on delivery: the sale happens when the cash is collected at the door.
        producer_order.paid_at = now
        _record_sale(producer_order, now)
    elif new == S.CANCELLED:
        stock.release_stock(stock_lines(producer_order), reference=f"order:{order.number}",
                            reason=reason_text or "cancelled", actor_id=actor.id if actor else None)
    elif new == S.REFUNDED:
        if current in (S.PAID, S.CONFIRMED):
            # Nothing left the warehouse: the reserved units go back on sale.
            stock.release_stock(stock_lines(producer_order), reference=f"order:{order.number}",
                                reason=reason_text or "refunded", actor_id=actor.id if actor else None)
        for entry in ledger.entries_for_order_lines(line.id for line in producer_order.lines):
            try:
                ledger.record_reversal(entry, reference=f"refund:{order.number}", occurred_at=now)
            except ledger.AlreadyReversed:
                continue
    # A producer confirming a paid sub-order is news too; a COD one is confirmed at placement, and the
    # order confirmation e-mail already says so.
    if new in (S.SHIPPED, S.DELIVERED, S.CANCELLED, S.REFUNDED) or (new == S.CONFIRMED and current == S.PAID):
        _notify_status(producer_order, new, reason_text)
    db.session.flush()
    return producer_order


def _record_sale(producer_order: ProducerOrder, when) -> None:
    if producer_order.sale_recorded_at is not None:
        return
    order = producer_order.order
    for line in producer_order.lines:
        ledger.record_sale(
            product_id=line.product_id, producer_id=producer_order.producer_id, quantity=line.quantity,
            unit_price_vnd=line.unit_price_vnd, payment_method=order.payment_method.value,
            product_name=line.product_name, producer_name=line.producer_name, sku=line.sku, order_line_id=line.id,
            channel="online", location_id=producer_order.location_id, buyer_province_code=order.province_code,
            reference=f"order:{order.number}", occurred_at=when,
        )
    stock.consume_reservation(stock_lines(producer_order), reference=f"order:{order.number}")
    producer_order.sale_recorded_at = when


# Producer actions (the fulfilment screens call these).

def confirm_sub_order(producer_order: ProducerOrder, *, actor: User) -> ProducerOrder:
    """The producer accepts a paid sub-order."""
    return change_status(producer_order, S.CONFIRMED, actor=actor)


def ship_sub_order(producer_order: ProducerOrder, *, actor: User, carrier: str, tracking_number: str) -> ProducerOrder:
    """Hand the parcel to a carrier; carrier and tracking number are required."""
    carrier = " ".join(str(carrier or "").split())
    tracking_number = str(tracking_number or "").strip()
    if not carrier or len(carrier) > 80:
        raise DomainError(_("Please enter the carrier (at most 80 characters)."))
    if not tracking_number or len(tracking_number) > 80:
        raise DomainError(_("Please enter the tracking number (at most 80 characters)."))
    producer_order.carrier = carrier
    producer_order.tracking_number = tracking_number
    return change_status(producer_order, S.SHIPPED, actor=actor)


def deliver_sub_order(producer_order: ProducerOrder, *, actor: User, cash_collected: bool) -> ProducerOrder:
    """The parcel reached the buyer; a cash-on-delivery parcel counts only with the cash collected."""
    order = producer_order.order
    if order.payment_method == PaymentMethod.COD:
        if not cash_collected:
            raise DomainError(_("A cash-on-delivery order is delivered only when the cash was collected."))
        change_status(producer_order, S.DELIVERED, actor=actor, reason=_l("cash collected"))
        from marketplace.payments.services import record_cash_collected

        record_cash_collected(producer_order)
        return producer_order
    return change_status(producer_order, S.DELIVERED, actor=actor)


def complete_sub_order(producer_order: ProducerOrder, *, actor: User | None = None) -> ProducerOrder:
    """Close a delivered sub-order."""
    return change_status(producer_order, S.COMPLETED, actor=actor)


def cancel_sub_order(producer_order: ProducerOrder, *, actor: User | None, reason: str) -> ProducerOrder:
    """Cancel before shipping: unpaid sub-orders are cancelled (stock released), paid ones refunded.

    A card refund calls the payment provider; do not hold locks (or an open write) across this call.
    """
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError(_("Please give a reason for the cancellation."))
    if len(reason) > 500:
        raise DomainError(_("The reason is too long (at most 500 characters)."))
    if producer_order.status not in CANCELLABLE:
        raise InvalidTransition(_("This order was already shipped or closed and cannot be cancelled."))
    if producer_order.paid_at is None:
        return change_status(producer_order, S.CANCELLED, actor=actor, reason=reason)
    from marketplace.payments.services import refund_sub_order

    refund_sub_order(producer_order, actor=actor, reason=reason)
    return producer_order


def cancel_order_by_buyer(order: Order, *, actor: User) -> list[ProducerOrder]:
    """The buyer cancels every sub-order not yet shipped; raises InvalidTransition when none can be."""
    cancellable = [po for po in order.producer_orders if po.status in CANCELLABLE]
    if not cancellable:
        raise InvalidTransition(_("This order was already shipped or closed and cannot be cancelled."))
    reason = str(_l("cancelled by the buyer"))
    paid = [po for po in cancellable if po.paid_at is not None]
    if paid:
        from marketplace.payments.services import refund_sub_orders

        # Every refund call to the provider happens before the first write of this transaction.
        refund_sub_orders(paid, actor=actor, reason=reason)
    for producer_order in cancellable:
        if producer_order.paid_at is None:
            change_status(producer_order, S.CANCELLED, actor=actor, reason=reason)
    return cancellable


def cancel_unpaid_order(order: Order, *, reason: str, actor: User | None = None) -> int:
    """Cancel the sub-orders still awaiting payment (payment failed or expired); returns how many."""
    count = 0
    for producer_order in order.producer_orders:
        if producer_order.status == S.PENDING_PAYMENT:
            try:
                change_status(producer_order, S.CANCELLED, actor=actor, reason=reason)
            except StatusConflict:
                continue
            count += 1
    return count


# Reading.

def orders_for_buyer(buyer: User) -> list[Order]:
    return list(db.session.scalars(sa.select(Order).where(Order.buyer_id == buyer.id).order_by(Order.id.desc())))


def order_by_number(number: str | None) -> Order | None:
    """The order with this public number (None when there is none)."""
    if not number:
        return None
    return db.session.scalar(sa.select(Order).where(Order.number == str(number)[:32]))


def order_for_buyer(buyer: User, number: str) -> Order:
    """The buyer's own order; NotFound for anyone else's (so its existence is not revealed)."""
    order = order_by_number(number)
    if order is None or order.buyer_id != buyer.id:
        raise NotFound(_("Order not found."))
    return order


def producer_order_for_member(user: User, producer_order_id) -> ProducerOrder:
    """A sub-order the user's producer fulfils (admins see all); NotFound otherwise."""
    from marketplace.accounts.policies import can_manage_producer

    producer_order_id = parse_int(producer_order_id, minimum=1)
    producer_order = db.session.get(ProducerOrder, producer_order_id) if producer_order_id else None
    if producer_order is None or not can_manage_producer(user, producer_order.producer_id):
        raise NotFound(_("Order not found."))
    return producer_order


def producer_orders_for(producer_id: int, status: OrderStatus | None = None) -> list[ProducerOrder]:
    query = sa.select(ProducerOrder).where(ProducerOrder.producer_id == producer_id)
    if status is not None:
        query = query.where(ProducerOrder.status == status)
    return list(db.session.scalars(query.order_by(ProducerOrder.id.desc())))


STATUS_LABELS = {
    S.PENDING_PAYMENT: _l("Awaiting payment"),
    S.PAID: _l("Paid"),
    S.CONFIRMED: _l("Confirmed"),
    S.SHIPPED: _l("Shipped"),
    S.DELIVERED: _l("Delivered"),
    S.COMPLETED: _l("Completed"),
    S.CANCELLED: _l("Cancelled"),
    S.REFUNDED: _l("Refunded"),
}

PAYMENT_LABELS = {
    PaymentMethod.CARD: _l("Card (Stripe)"),
    PaymentMethod.COD: _l("Cash on delivery"),
    PaymentMethod.VIETQR: _l("Bank transfer (VietQR)"),
}


def status_label(status) -> str:
    return str(STATUS_LABELS.get(OrderStatus(status), status))


# E-mail.

def producer_member_emails(producer_ids) -> dict[int, list[str]]:
    """The active members' addresses of each producer (one query for all of them)."""
    emails: dict[int, list[str]] = {}
    rows = db.session.execute(sa.select(User.producer_id, User.email).where(
        User.role == Role.PRODUCER, User.producer_id.in_(set(producer_ids)), User.is_active.is_(True))
        .order_by(User.id))
    for producer_id, email in rows:
        emails.setdefault(producer_id, []).append(email)
    return emails


def notify_order_placed(order: Order) -> None:
    """Confirmation to the buyer and a new-order message to each producer's members."""
    buyer = order.buyer
    queue_mail(buyer.email, _l("Your order %(number)s", number=order.number), "order_confirmation",
               language=buyer.preferred_language, order=order)
    members = producer_member_emails(po.producer_id for po in order.producer_orders)
    for producer_order in order.producer_orders:
        emails = members.get(producer_order.producer_id)
        if emails:
            queue_mail(emails, _l("New order %(number)s", number=order.number), "order_new_for_producer",
                       order=order, producer_order=producer_order)


def _notify_status(producer_order: ProducerOrder, new: OrderStatus, reason: str | None) -> None:
    order = producer_order.order
    buyer = order.buyer
    queue_mail(buyer.email, _l("Order %(number)s: %(status)s", number=order.number, status=STATUS_LABELS[new]),
               "order_status_changed", language=buyer.preferred_language, order=order,
               producer_order=producer_order, status=new, status_text=STATUS_LABELS[new], reason=reason)
