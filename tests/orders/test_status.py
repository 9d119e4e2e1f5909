"""The sub-order state machine: only the table's transitions happen, each recorded once."""

import itertools

import pytest
import sqlalchemy as sa

from marketplace import statemachine
from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.models import OrderEvent
from marketplace.orders.status import TRANSITIONS, OrderStatus, can_change, derived_status
from marketplace.payments import refunds
from tests.factories import make_product, make_user
from tests.orders.helpers import force_status, place

S = OrderStatus
ALL_PAIRS = list(itertools.product(OrderStatus, OrderStatus))
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]
#: Statuses in which money was received (a refund is possible).
PAID_STATES = {S.PAID, S.DELIVERED, S.COMPLETED, S.SHIPPED}


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS)
def test_can_change_follows_the_table(current, new):
    """The pure check answers exactly what the transition table says."""
    assert can_change(current, new) == (new in TRANSITIONS[current])


def test_terminal_states_lead_nowhere():
    """Cancelled and refunded sub-orders cannot change any more."""
    assert not TRANSITIONS[S.CANCELLED] and not TRANSITIONS[S.REFUNDED]
    assert not can_change("nonsense", S.PAID)


@pytest.mark.parametrize(("current", "new"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(current, new):
    """change_status raises InvalidTransition, the status stays and no event is written."""
    buyer = make_user()
    order = place(buyer, [make_product()], method="card")
    sub = order.producer_orders[0]
    force_status(sub, current, paid=current in PAID_STATES)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OrderEvent))
    with pytest.raises(statemachine.InvalidTransition):
        lifecycle.change_status(sub, new, actor=buyer)
    db.session.refresh(sub)
    assert sub.status == current
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderEvent)) == before


def test_a_paid_sub_order_is_refunded_not_cancelled():
    """Cancelling money already taken is refused: it must go through a refund."""
    buyer = make_user()
    order = place(buyer, [make_product()], method="card")
    sub = order.producer_orders[0]
    lifecycle.change_status(sub, S.PAID)
    lifecycle.change_status(sub, S.CONFIRMED)
    with pytest.raises(statemachine.InvalidTransition):
        lifecycle.change_status(sub, S.CANCELLED, actor=buyer)


def test_an_unpaid_sub_order_cannot_be_refunded():
    """A confirmed cash-on-delivery sub-order is cancelled, never refunded."""
    order = place(make_user(), [make_product()], method="cod")
    with pytest.raises(statemachine.InvalidTransition):
        lifecycle.change_status(order.producer_orders[0], S.REFUNDED)


def test_a_stale_copy_loses_the_compare_and_set():
    """Two changers from the same old status: the second finds the row changed and is refused."""
    order = place(make_user(), [make_product()], method="card")
    sub = order.producer_orders[0]
    lifecycle.change_status(sub, S.PAID)
    # Simulate a concurrent changer that still believes the sub-order awaits payment.
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(sub, "status", S.PENDING_PAYMENT)
    with pytest.raises(statemachine.StatusConflict):
        lifecycle.change_status(sub, S.PAID)
    assert sub.status == S.PAID


def test_each_change_is_recorded_with_who_and_why():
    """An event row keeps from, to, actor and reason."""
    buyer = make_user()
    order = place(buyer, [make_product()], method="card")
    sub = order.producer_orders[0]
    refunds.cancel_sub_order(sub, actor=buyer, reason="changed my mind")
    event = sub.events[-1]
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        S.PENDING_PAYMENT, S.CANCELLED, buyer.id, "changed my mind")


def test_order_status_is_derived_from_its_sub_orders():
    """The least advanced live sub-order gives the order's status; all cancelled gives cancelled."""
    assert derived_status([S.SHIPPED, S.CONFIRMED]) == S.CONFIRMED
    assert derived_status([S.CANCELLED, S.DELIVERED]) == S.DELIVERED
    assert derived_status([S.CANCELLED, S.CANCELLED]) == S.CANCELLED
    assert derived_status([S.REFUNDED]) == S.REFUNDED
