"""The payment status machine: only the table's transitions happen, through the one writer, each recorded."""

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.extensions import db
from marketplace.payments import bank_transfer, records
from marketplace.payments.models import PaymentEvent, StatusWrittenOutsideItsWriter
from marketplace.payments.status import TRANSITIONS, PaymentStatus, can_change
from marketplace.statemachine import InvalidTransition, StatusConflict
from tests.factories import make_product, make_user
from tests.orders.helpers import place

P = PaymentStatus
ILLEGAL = [(a, b) for a, b in itertools.product(PaymentStatus, PaymentStatus) if b not in TRANSITIONS[a]]


def _events(payment):
    return list(db.session.scalars(sa.select(PaymentEvent).where(PaymentEvent.payment_id == payment.id)
                                   .order_by(PaymentEvent.id)))


def _attempt(status=P.STARTED):
    order = place(make_user(), [make_product()], method="vietqr")
    return records.new_charge(order, "vietqr", order.total_vnd, status=status, reason="test")


def test_succeeded_is_final_and_money_taken_always_wins():
    """Nothing leaves succeeded; a closed attempt that was paid after all may still become succeeded."""
    assert not TRANSITIONS[P.SUCCEEDED]
    assert all(can_change(status, P.SUCCEEDED) for status in (P.STARTED, P.FAILED, P.EXPIRED, P.UNMATCHED))
    assert not can_change("nonsense", P.SUCCEEDED)


@pytest.mark.parametrize(("current", "new"), ILLEGAL)
def test_every_illegal_payment_transition_is_refused_and_changes_nothing(current, new):
    """The writer raises InvalidTransition; the stored status stays and no event is written."""
    payment = _attempt(current)
    before = len(_events(payment))
    with pytest.raises(InvalidTransition):
        records.change_payment_status(payment, new)
    db.session.expire(payment)
    assert payment.status == current and len(_events(payment)) == before


def test_a_stale_copy_loses_the_compare_and_set():
    """Two writers from the same old status: the second finds the row changed and is refused."""
    payment = _attempt()
    records.change_payment_status(payment, P.EXPIRED)
    set_committed_value(payment, "status", P.STARTED)
    with pytest.raises(StatusConflict):
        records.change_payment_status(payment, P.FAILED)
    assert payment.status == P.EXPIRED


def test_assigning_the_status_of_a_stored_payment_is_refused():
    """Only the writer changes a stored row's status; a new row gets its first status freely."""
    payment = _attempt()
    with pytest.raises(StatusWrittenOutsideItsWriter):
        payment.status = P.SUCCEEDED


def test_each_payment_status_is_recorded_with_who_and_why():
    """A bank transfer marked received: the payment's event says succeeded, by the admin, paid by vietqr."""
    order = place(make_user(), [make_product()], method="vietqr")
    admin = make_user(role="admin")
    assert bank_transfer.mark_transfer_received(order, actor=admin)
    payment = records.succeeded_charge(order)
    [event] = _events(payment)
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        None, P.SUCCEEDED, admin.id, "paid by vietqr")
    expired = _attempt()
    records.close_attempt(expired, P.EXPIRED, reason="not paid in time")
    assert [(e.from_status, e.to_status, e.reason) for e in _events(expired)] == [
        (None, P.STARTED, "test"), (P.STARTED, P.EXPIRED, "not paid in time")]
