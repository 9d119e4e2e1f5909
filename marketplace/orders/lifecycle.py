"""The sub-order state machine's one writer (change_status) and the actions built on it.

change_status is the only code that assigns ProducerOrder.status: it checks orders.status.TRANSITIONS,
compare-and-sets the row, records an OrderEvent (from, to, when, who, why) and applies the side effects
(stock, ledger, e-mail). Services flush, never commit; the caller commits once.

Money is not handled here: refunding a paid sub-order and recording cash collected at the door are
payments actions (payments.refunds, payments.cash) that call change_status.
"""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import User
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.orders.labels import status_label
from marketplace.orders.models import Order, OrderEvent, PaymentMethod, ProducerOrder
from marketplace.orders.notifications import notify_buyer_cancelled, notify_status
from marketplace.orders.status import CANCELLABLE, TRANSITIONS, CancelReason, OrderStatus
from marketplace.showrooms import pickups
from marketplace.statemachine import InvalidTransition, StatusConflict, check_transition
from marketplace.stock import services as stock
from marketplace.vouchers import redemptions as voucher_redemptions

S = OrderStatus


def stock_lines(producer_order: ProducerOrder) -> list[stock.StockLine]:
    return [stock.StockLine(line.product_id, producer_order.location_id, line.quantity)
            for line in producer_order.lines]


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
                  reason: str | None = None, reason_code: CancelReason | None = None) -> ProducerOrder:
    """The only way a sub-order changes status: checks the pipeline, compare-and-sets, records an event,
    and applies the side effects (stock, ledger, e-mail). Raises InvalidTransition or StatusConflict.

    `reason` is a system reason code (stock.labels.SYSTEM_REASONS) or a person's words; `reason_code` the
    reason a buyer chose from the list when cancelling (orders.status.CancelReason)."""
    new = OrderStatus(new)
    current = OrderStatus(producer_order.status)
    check_transition(TRANSITIONS, current, new, _("An order cannot go from “%(old)s” to “%(new)s”.",
                                                   old=status_label(current), new=status_label(new)))
    if new == S.CANCELLED and producer_order.paid_at is not None:
        raise InvalidTransition(_("This order was paid: it must be refunded, not cancelled."))
    if new == S.REFUNDED and producer_order.paid_at is None:
        raise InvalidTransition(_("Nothing was paid for this order, so nothing can be refunded."))
    if new == S.SHIPPED and producer_order.is_pickup:
        raise InvalidTransition(_("The buyer collects this order at the showroom: it is not shipped."))
    if new == S.READY_FOR_PICKUP and not producer_order.is_pickup:
        raise InvalidTransition(_("This order is shipped to the buyer, not collected at a showroom."))
    if not _cas_status(producer_order, current, new):
        db.session.refresh(producer_order)
        raise StatusConflict(_("This order was changed by someone else in the meantime. Please reload."))
    set_committed_value(producer_order, "status", new)
    now = utcnow()
    reason_text = str(reason)[:500] if reason else None
    # Through the relationship, so a loaded history shows the new event too.
    db.session.add(OrderEvent(producer_order=producer_order, from_status=current, to_status=new, at=now,
                              actor_id=actor.id if actor else None, reason=reason_text,
                              reason_code=CancelReason(reason_code).value if reason_code else None))
    order = producer_order.order
    if new == S.PAID:
        producer_order.paid_at = now
        order.paid_at = order.paid_at or now
        if not producer_order.is_pickup:
            _record_sale(producer_order, now)
    elif new == S.DELIVERED and producer_order.sale_recorded_at is None and (
            order.payment_method == PaymentMethod.COD or producer_order.is_pickup):
        # Cash on delivery: the sale happens when the cash is collected at the door. Click and collect: when
        # the buyer takes the goods at the showroom, paid online before or at the counter now.
        producer_order.paid_at = producer_order.paid_at or now
        _record_sale(producer_order, now)
    elif new == S.CANCELLED:
        _release(producer_order, reason_text or "cancelled", actor)
        _release_voucher_if_all_cancelled(order)
    elif new == S.REFUNDED:
        if current in (S.PAID, S.CONFIRMED, S.READY_FOR_PICKUP):
            # Nothing left the warehouse or the showroom: the reserved units go back on sale.
            _release(producer_order, reason_text or "refunded", actor)
        for entry in ledger.entries_for_order_lines(line.id for line in producer_order.lines):
            try:
                ledger.record_reversal(entry, reference=f"refund:{order.number}", occurred_at=now)
            except ledger.AlreadyReversed:
                continue
    # Placing (pending_payment -> placed) is told by the order confirmation e-mail; every later step is news.
    if new in (S.CONFIRMED, S.READY_FOR_PICKUP, S.SHIPPED, S.DELIVERED, S.CANCELLED, S.REFUNDED):
        notify_status(producer_order, new, reason_text)
    if new in (S.CANCELLED, S.REFUNDED) and actor is not None and actor.id == order.buyer_id:
        notify_buyer_cancelled(producer_order, reason_code, reason_text)
    db.session.flush()
    return producer_order


def _release(producer_order: ProducerOrder, reason: str, actor: User | None) -> None:
    """Put the reserved units back: into the producer's warehouse, or into the showroom lots they came from."""
    reference = f"order:{producer_order.order.number}"
    if producer_order.is_pickup:
        held = pickups.pickup_for(producer_order.id)
        if held is not None:
            pickups.release(held, reference=reference, reason=reason, actor_id=actor.id if actor else None)
        return
    stock.release_stock(stock_lines(producer_order), reference=reference, reason=reason,
                        actor_id=actor.id if actor else None)


def _release_voucher_if_all_cancelled(order: Order) -> None:
    """The last sub-order of an order was cancelled unpaid: the voucher's use goes back (once: the
    redemption's compare-and-set). An order with a sub-order still going keeps its use."""
    still_going = db.session.scalar(sa.select(sa.func.count()).select_from(ProducerOrder).where(
        ProducerOrder.order_id == order.id, ProducerOrder.status != S.CANCELLED))
    if not still_going:
        voucher_redemptions.release_for_order(order.id)


def _record_sale(producer_order: ProducerOrder, when) -> None:
    if producer_order.sale_recorded_at is not None:
        return
    order = producer_order.order
    payment_method = order.payment_method.value
    if producer_order.is_pickup:
        # Paid at the showroom's counter: the ledger says how (cash, bank transfer, card), as for a till sale.
        held = pickups.pickup_for(producer_order.id)
        if held is not None and held.counter_payment_method is not None:
            payment_method = held.counter_payment_method.value
    for line in producer_order.lines:
        ledger.record_sale(
            product_id=line.product_id, producer_id=producer_order.producer_id, quantity=line.quantity,
            unit_price_vnd=line.unit_price_vnd, payment_method=payment_method,
            product_name=line.product_name, producer_name=line.producer_name, sku=line.sku, order_line_id=line.id,
            channel=producer_order.sales_channel, location_id=producer_order.location_id, buyer_province_code=order.province_code,
            reference=f"order:{order.number}", occurred_at=when, discount_vnd=line.discount_vnd,
            shipping_discount_vnd=line.shipping_discount_vnd,
            discount_bearer=producer_order.discount_bearer if line.discount_vnd or line.shipping_discount_vnd else None,
        )
    stock.consume_reservation(stock_lines(producer_order), reference=f"order:{order.number}")
    producer_order.sale_recorded_at = when


# Producer actions (the fulfilment screens call these, or the payments actions that wrap them).

def place_to_pay_later(producer_order: ProducerOrder, *, actor: User | None, reason: str) -> ProducerOrder:
    """Checkout of an order paid on delivery (or at the showroom's counter): it now waits for the producer's
    confirmation (pending_payment -> placed). Nothing is sold yet: the sale is recorded on delivery."""
    return change_status(producer_order, S.PLACED, actor=actor, reason=reason)


def confirm_sub_order(producer_order: ProducerOrder, *, actor: User | None) -> ProducerOrder:
    """The producer accepts a sub-order waiting for its confirmation (placed to pay on delivery, or paid)."""
    return change_status(producer_order, S.CONFIRMED, actor=actor)


#: The longest tracking link kept (the column's size).
TRACKING_URL_MAX = 500


def tracking_url(raw) -> str | None:
    """The carrier's tracking link as typed, tidied: None when empty; DomainError unless it is an http(s)
    address with a host (a javascript: or data: link must never reach the buyer's page)."""
    url = str(raw or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname
            or len(url) > TRACKING_URL_MAX or any(ch.isspace() or ord(ch) < 32 for ch in url)):
        raise DomainError(_("The tracking link must be a web address starting with https:// or http:// "
                            "(at most %(max)s characters).", max=TRACKING_URL_MAX))
    return url


def ship_sub_order(producer_order: ProducerOrder, *, actor: User, carrier: str, tracking_number: str,
                   tracking_link: str | None = None) -> ProducerOrder:
    """Hand the parcel to a carrier; carrier and tracking number are required, the carrier's tracking link
    (http or https only) is optional."""
    carrier = " ".join(str(carrier or "").split())
    tracking_number = str(tracking_number or "").strip()
    if not carrier or len(carrier) > 80:
        raise DomainError(_("Please enter the carrier (at most 80 characters)."))
    if not tracking_number or len(tracking_number) > 80:
        raise DomainError(_("Please enter the tracking number (at most 80 characters)."))
    link = tracking_url(tracking_link)
    producer_order.carrier = carrier
    producer_order.tracking_number = tracking_number
    producer_order.tracking_url = link
    return change_status(producer_order, S.SHIPPED, actor=actor)


def deliver_sub_order(producer_order: ProducerOrder, *, actor: User, cash_collected: bool) -> ProducerOrder:
    """The parcel reached the buyer; a cash-on-delivery parcel counts only with the cash collected.

    The cash itself is recorded by payments.cash.deliver_sub_order, which the screens call.
    """
    if producer_order.order.payment_method == PaymentMethod.COD:
        if not cash_collected:
            raise DomainError(_("A cash-on-delivery order is delivered only when the cash was collected."))
        return change_status(producer_order, S.DELIVERED, actor=actor, reason="cash collected")
    return change_status(producer_order, S.DELIVERED, actor=actor)


def complete_sub_order(producer_order: ProducerOrder, *, actor: User | None = None) -> ProducerOrder:
    """Close a delivered sub-order."""
    return change_status(producer_order, S.COMPLETED, actor=actor)


def cancellation_reason(reason) -> str:
    """The reason for a cancellation, tidied; DomainError when empty or too long."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError(_("Please give a reason for the cancellation."))
    if len(reason) > 500:
        raise DomainError(_("The reason is too long (at most 500 characters)."))
    return reason


def check_cancellable(producer_order: ProducerOrder) -> None:
    """InvalidTransition unless nothing has left the producer yet."""
    if producer_order.status not in CANCELLABLE:
        raise InvalidTransition(_("This order was already shipped or closed and cannot be cancelled."))


def cancel_sub_order(producer_order: ProducerOrder, *, actor: User | None, reason: str) -> ProducerOrder:
    """Cancel an unpaid sub-order before shipping (its stock is released). A paid one must be refunded:
    payments.refunds.cancel_sub_order does either, and is what the screens call."""
    reason = cancellation_reason(reason)
    check_cancellable(producer_order)
    return change_status(producer_order, S.CANCELLED, actor=actor, reason=reason)


def buyer_cancel_reason(code, note) -> tuple[CancelReason, str | None]:
    """The buyer's reason for cancelling: a code from the list, and their own words (required for "another
    reason", at most 500 characters). DomainError otherwise."""
    try:
        code = CancelReason(code)
    except ValueError:
        raise DomainError(_("Please choose why you cancel.")) from None
    note = " ".join(str(note or "").split()) or None
    if note and len(note) > 500:
        raise DomainError(_("The reason is too long (at most 500 characters)."))
    if code == CancelReason.OTHER and not note:
        raise DomainError(_("Please say in a few words why you cancel."))
    return code, note


def cancellable_sub_orders(order: Order) -> list[ProducerOrder]:
    """The sub-orders the buyer may still cancel."""
    return [po for po in order.producer_orders if po.status in CANCELLABLE]


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
