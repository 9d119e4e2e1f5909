"""The e-mails orders send: the confirmation to the buyer, the new-order message to each shop, and the
buyer's status-change messages. They are queued (marketplace.mail) and sent after the commit."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.mail import queue_mail
from marketplace.orders.labels import CANCEL_REASON_LABELS, STATUS_LABELS, SYSTEM_REASONS
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.showrooms import pickups
from marketplace.showrooms.services import full_address


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


def notify_status(producer_order: ProducerOrder, new: OrderStatus, reason: str | None) -> None:
    """Tell the buyer a sub-order reached a new status (and why, when a reason was given)."""
    order = producer_order.order
    buyer = order.buyer
    # Click and collect: the message says where and until when (the showroom's address, hours and phone).
    pickup = pickups.pickup_for(producer_order.id) if producer_order.is_pickup and new == OrderStatus.READY_FOR_PICKUP \
        else None
    queue_mail(buyer.email, _l("Order %(number)s: %(status)s", number=order.number, status=STATUS_LABELS[new]),
               "order_status_changed", language=buyer.preferred_language, order=order,
               producer_order=producer_order, status=new, status_text=STATUS_LABELS[new],
               reason=SYSTEM_REASONS.get(reason, reason) if reason else reason, pickup=pickup,
               pickup_address=full_address(pickup.showroom) if pickup else "")


def notify_buyer_cancelled(producer_order: ProducerOrder, reason_code: str | None, note: str | None) -> None:
    """Tell the shop's members (in Vietnamese) that the buyer cancelled their part, and why: the reason chosen
    from the list and the buyer's own words."""
    emails = producer_member_emails([producer_order.producer_id]).get(producer_order.producer_id)
    if emails:
        order = producer_order.order
        queue_mail(emails, _l("Order %(number)s was cancelled by the buyer", number=order.number),
                   "order_cancelled_for_producer", language="vi", order=order, producer_order=producer_order,
                   reason_label=CANCEL_REASON_LABELS.get(reason_code, ""), note=note or "")
