"""The illustrative e-wallet orders of `flask demo load`."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.payments import wallets
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus


def _wallet_orders():
    return {order.payment_method.value: order for order in db.session.scalars(
        sa.select(Order).where(Order.idempotency_token.like("demo-wallet-%")))}


def test_demo_has_a_vnpay_order_paid_and_a_momo_refund_to_carry_out(runner):
    """One VNPAY order paid once, one MoMo order paid then cancelled (its refund listed for the office); a
    second load changes nothing."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    orders = _wallet_orders()
    assert set(orders) == {"vnpay", "momo"}
    vnpay_charges = db.session.scalars(sa.select(Payment).where(Payment.order_id == orders["vnpay"].id)).all()
    assert [(p.kind, p.status) for p in vnpay_charges] == [(PaymentKind.CHARGE, PaymentStatus.SUCCEEDED)]
    assert vnpay_charges[0].external_reference.startswith("MINHHOA-")
    due = wallets.refunds_due()
    assert [(p.order_id, p.kind, p.provider) for p in due] == [(orders["momo"].id, PaymentKind.REFUND, "momo")]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Payment))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == count
    refunded = db.session.scalars(sa.select(ProducerOrder.status).where(ProducerOrder.order_id == orders["momo"].id))
    assert set(refunded) == {OrderStatus.REFUNDED}
