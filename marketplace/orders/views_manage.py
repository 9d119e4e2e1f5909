"""The producer's side of orders: its sub-orders (filtered by status and date), each one's page with the
buyer's delivery details, lines, history, commission and fees, and the fulfilment actions.

Every action goes through orders.lifecycle (and so through the one state machine); delivering with cash
collected and cancelling a paid sub-order are payments actions (payments.cash, payments.refunds). Members of a producer
see only their producer's sub-orders (404 for anything else, so guessed ids reveal nothing); admins see all.
"""


import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.dates import parse_date, period_bounds
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.labels import FULFILMENT_TAB_LABELS, PAYMENT_LABELS, STATUS_LABELS, status_label
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.queries import FULFILMENT_TABS, fulfilment_counts, fulfilment_filter, sub_order_for
from marketplace.orders.status import AWAITING_CONFIRMATION, CANCELLABLE, OrderStatus
from marketplace.pagination import page_count, paginate
from marketplace.payments import cash, refunds
from marketplace.settlements.fees import OrderFees, fees_for, order_fees
from marketplace.settlements.labels import PRODUCER_VIEW, owed_label

bp = Blueprint("orders_manage", __name__)

PAGE_SIZE = 25
S = OrderStatus
#: Offered as suggestions on the shipping form (any carrier may be typed).
COMMON_CARRIERS = ("Giao Hàng Nhanh (GHN)", "Giao Hàng Tiết Kiệm (GHTK)", "Viettel Post", "VNPost", "J&T Express",
                   "Ninja Van", "Best Express", "Ahamove", "GrabExpress")


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def order_list():
    """The producer's sub-orders, newest first: tabs with counts for what needs doing (to confirm, to ship, being
    delivered...), and filters by exact status and by the day the order was placed."""
    producer = producer_scope()
    tab = request.args.get("tab", "")
    tab = tab if tab in FULFILMENT_TABS else "all"
    status_raw = request.args.get("status", "")
    status = status_raw if status_raw in {s.value for s in S} else ""
    raw_from, raw_to = request.args.get("from", ""), request.args.get("to", "")
    date_from, date_to = parse_date(raw_from), parse_date(raw_to)
    if status_raw and not status:
        flash(_("Unknown status; showing every status."), "error")
    if (raw_from and date_from is None) or (raw_to and date_to is None):
        flash(_("A date was not understood; use dd/mm/yyyy."), "error")
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    query = sa.select(ProducerOrder).join(Order, Order.id == ProducerOrder.order_id)
    if producer is not None:
        query = query.where(ProducerOrder.producer_id == producer.id)
    if status:
        query = query.where(ProducerOrder.status == S(status))
    elif (tab_filter := fulfilment_filter(tab)) is not None:
        query = query.where(tab_filter)
    if date_from:
        query = query.where(Order.created_at >= period_bounds(date_from, date_from)[0])
    if date_to:
        query = query.where(Order.created_at < period_bounds(date_to, date_to)[1])
    result = paginate(query.options(contains_eager(ProducerOrder.order), joinedload(ProducerOrder.producer))
                      .order_by(Order.created_at.desc(), ProducerOrder.id.desc()), PAGE_SIZE)
    sub_orders = result.items
    args = {key: value for key, value in {
        "tab": tab if tab != "all" and not status else "", "status": status, "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
        "producer": str(producer.id) if producer and current_user.role == Role.ADMIN else "",
    }.items() if value}
    return render_template(
        "orders/manage/order_list.html", producer=producer, sub_orders=sub_orders, total=result.total,
        page=result.page, pages=page_count(result), args=args, status=status, date_from=date_from, date_to=date_to,
        statuses=STATUS_LABELS, status_label=status_label, payment_labels=PAYMENT_LABELS,
        fees=fees_for(sub_orders), tab=tab, tabs=FULFILMENT_TAB_LABELS,
        tab_counts=fulfilment_counts(producer.id if producer else None),
    )


def _available_actions(producer_order: ProducerOrder) -> dict[str, bool]:
    """Which buttons the page shows; the services still refuse anything the pipeline does not allow."""
    status = S(producer_order.status)
    # A click-and-collect sub-order is prepared and handed over by its showroom, never shipped.
    shipped = not producer_order.is_pickup
    return {
        "confirm": status in AWAITING_CONFIRMATION and shipped,
        "ship": status == S.CONFIRMED and shipped,
        "deliver": status == S.SHIPPED,
        "cancel": status in CANCELLABLE,
    }


def _owed(fees: OrderFees) -> list[tuple[str, str]]:
    """Who owes the producer what for one sub-order, as the statements word it: (heading, words) per party."""
    owed = []
    if fees.collected_by_showroom:
        owed.append((_("Between you and the showroom"),
                     owed_label(fees.showroom_due_vnd, view=PRODUCER_VIEW, showroom=fees.showroom.name)))
    owed.append((_("Between you and OCOP Market"), owed_label(fees.balance_vnd, view=PRODUCER_VIEW)))
    return owed


def _render_detail(producer_order: ProducerOrder, *, form=None, error=None, status_code=200):
    order = producer_order.order
    fees = order_fees(producer_order)
    return render_template(
        "orders/manage/order_detail.html", sub_order=producer_order, order=order,
        fees=fees, owed=_owed(fees), actions=_available_actions(producer_order), form=form or {},
        error=error, status_label=status_label, payment_labels=PAYMENT_LABELS,
        is_cod=str(order.payment_method) == "cod", carriers=COMMON_CARRIERS,
    ), status_code


@bp.get("/<int:producer_order_id>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def order_detail(producer_order_id: int):
    """One sub-order: delivery details, lines, history, commission and fees, and the next actions."""
    return _render_detail(sub_order_for(current_user, producer_order_id))


#: What the producer is told after each action, by the status it led to.
ACTION_MESSAGES = {
    S.CONFIRMED: _l("The order was confirmed."),
    S.SHIPPED: _l("The order was marked shipped."),
    S.DELIVERED: _l("The order was marked delivered."),
    S.CANCELLED: _l("The order was cancelled."),
    S.REFUNDED: _l("The order was cancelled and refunded."),
}


def _act(producer_order_id: int, action, *, form: dict):
    producer_order = sub_order_for(current_user, producer_order_id)
    try:
        action(producer_order)
    except DomainError as error:
        db.session.rollback()
        producer_order = sub_order_for(current_user, producer_order_id)
        return _render_detail(producer_order, form=form, error=error.message or _("This action is not allowed."),
                              status_code=409)
    db.session.commit()
    flash(str(ACTION_MESSAGES.get(S(producer_order.status), _("The order was updated."))), "success")
    return redirect(url_for(".order_detail", producer_order_id=producer_order.id))


@bp.post("/<int:producer_order_id>/confirm")
@roles_required(Role.PRODUCER, Role.ADMIN)
def order_confirm(producer_order_id: int):
    """Accept a sub-order waiting for the producer (placed to pay on delivery, or paid online)."""
    return _act(producer_order_id, lambda po: lifecycle.confirm_sub_order(po, actor=current_user), form={})


@bp.post("/<int:producer_order_id>/ship")
@roles_required(Role.PRODUCER, Role.ADMIN)
def order_ship(producer_order_id: int):
    """Hand the parcel to a carrier, with its tracking number and (optionally) the carrier's tracking link."""
    carrier = request.form.get("carrier", "")[:200]
    tracking_number = request.form.get("tracking_number", "")[:200]
    tracking_url = request.form.get("tracking_url", "")[:lifecycle.TRACKING_URL_MAX + 100]
    return _act(
        producer_order_id,
        lambda po: lifecycle.ship_sub_order(po, actor=current_user, carrier=carrier, tracking_number=tracking_number,
                                            tracking_link=tracking_url),
        form={"carrier": carrier, "tracking_number": tracking_number, "tracking_url": tracking_url},
    )


@bp.post("/<int:producer_order_id>/deliver")
@roles_required(Role.PRODUCER, Role.ADMIN)
def order_deliver(producer_order_id: int):
    """The parcel reached the buyer (and, for cash on delivery, the cash was collected)."""
    cash_collected = request.form.get("cash_collected") in {"y", "on", "1", "true"}
    return _act(
        producer_order_id,
        lambda po: cash.deliver_sub_order(po, actor=current_user, cash_collected=cash_collected),
        form={"cash_collected": cash_collected},
    )


@bp.post("/<int:producer_order_id>/cancel")
@roles_required(Role.PRODUCER, Role.ADMIN)
def order_cancel(producer_order_id: int):
    """Cancel before shipping with a reason: stock goes back, and a paid sub-order is refunded."""
    reason = request.form.get("reason", "")[:2000]
    return _act(
        producer_order_id,
        lambda po: refunds.cancel_sub_order(po, actor=current_user, reason=reason),
        form={"reason": reason},
    )
