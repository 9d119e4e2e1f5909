"""Click-and-collect orders at a showroom, for its staff: the list (to prepare, ready, finished lately), one
order with the lots to take from the shelf, and the actions: mark it ready (the buyer gets an e-mail), hand it
over (paid online, or paid now at the counter), and for managers cancel it (a paid one is refunded).

Staff of one showroom never see another's pickups: every loader goes through the showroom's membership and the
pickup's showroom (404 otherwise)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import pickups
from marketplace.orders.labels import PAYMENT_LABELS, event_reason_label, status_label
from marketplace.orders.status import OrderStatus
from marketplace.payments.refunds import cancel_sub_order
from marketplace.showrooms import labels
from marketplace.showrooms import pickups as holds
from marketplace.showrooms.forms import ButtonForm
from marketplace.showrooms.models import PaymentMethod
from marketplace.showrooms.views_manage.loaders import is_manager, staff_showroom


def pickup_list(showroom_id: int):
    """Open pickups (to prepare, ready to hand over) and, with ?show=done, those finished in the last 30 days."""
    showroom = staff_showroom(showroom_id)
    done = request.args.get("show") == "done"
    rows = pickups.showroom_pickups(showroom, done=done)
    return render_template("showrooms/manage/pickup_list.html", showroom=showroom, rows=rows, done=done,
                           holds=holds.pickups_by_order(po.id for po in rows), status_label=status_label,
                           manager=is_manager(showroom), recent_days=pickups.RECENT_DAYS)


def _page(showroom, producer_order, status: int = 200):
    return render_template(
        "showrooms/manage/pickup_detail.html", showroom=showroom, sub=producer_order, order=producer_order.order,
        hold=holds.pickup_for(producer_order.id), status_label=status_label, event_reason_label=event_reason_label,
        payment_labels=PAYMENT_LABELS, manager=is_manager(showroom), form=ButtonForm(),
        methods=[(m.value, labels.payment_method_label(m)) for m in PaymentMethod],
        counter_label=labels.payment_method_label, ready=OrderStatus.READY_FOR_PICKUP,
        can_prepare=producer_order.status in (OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.CONFIRMED),
        can_cancel=producer_order.status in pickups.OPEN), status


def pickup_detail(showroom_id: int, producer_order_id: int):
    showroom = staff_showroom(showroom_id)
    return _page(showroom, pickups.showroom_pickup(showroom, producer_order_id))


def _act(showroom_id: int, producer_order_id: int, action, done_message, *, manager: bool = False):
    showroom = staff_showroom(showroom_id, manager=manager)
    producer_order = pickups.showroom_pickup(showroom, producer_order_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return _page(showroom, producer_order, 400)
    number = producer_order.order.number
    try:
        action(producer_order)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(showroom, pickups.showroom_pickup(showroom, producer_order_id), 409)
    db.session.commit()
    flash(done_message % {"number": number}, "success")
    return redirect(url_for(".pickup_detail", showroom_id=showroom_id, producer_order_id=producer_order_id))


def pickup_ready(showroom_id: int, producer_order_id: int):
    """The goods are put together: the buyer is told by e-mail to come."""
    return _act(showroom_id, producer_order_id, lambda po: pickups.prepare(po, actor=current_user),
                _("Order %(number)s is ready; the buyer was told by e-mail."))


def pickup_hand_over(showroom_id: int, producer_order_id: int):
    """The buyer took the goods (and paid at the counter when it was not paid online)."""
    method = request.form.get("counter_payment_method", "")
    return _act(showroom_id, producer_order_id,
                lambda po: pickups.hand_over(po, actor=current_user, counter_payment_method=method),
                _("Order %(number)s was handed over and recorded as a sale of this showroom."))


def pickup_cancel(showroom_id: int, producer_order_id: int):
    """A manager cancels a pickup (the buyer will not come): its units go back into their lots; paid: refunded."""
    reason = request.form.get("reason", "")
    db.session.commit()  # nothing is held while a refund is asked of the payment provider
    return _act(showroom_id, producer_order_id,
                lambda po: cancel_sub_order(po, actor=current_user, reason=reason),
                _("Order %(number)s was cancelled; its items are back on sale."), manager=True)
