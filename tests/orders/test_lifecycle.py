"""From placement to completion: what each step does to stock, ledger, payments and e-mail."""

import sqlalchemy as sa

from marketplace import errors
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders import lifecycle
from marketplace.orders.status import OrderStatus
from marketplace.payments import cash, refunds
from marketplace.payments.models import Payment, PaymentKind, PaymentStatus
from marketplace.stock.models import MovementKind, StockMovement
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import place, stock_of

S = OrderStatus


def _entries():
    return list(db.session.scalars(sa.select(SaleEntry).order_by(SaleEntry.id)))


def _sold(product):
    return db.session.scalar(sa.select(Product.sold_quantity).where(Product.id == product.id))


def test_cod_sale_is_recorded_when_delivered_with_cash():
    """Cash on delivery: no ledger entry until delivery with cash collected; then the sale and a cash payment."""
    producer = make_producer()
    member = make_user(role="producer", producer=producer)
    product = make_product(producer=producer, price_vnd=80000, stock=5)
    order = place(make_user(), [product], method="cod", quantity=2)
    sub = order.producer_orders[0]
    assert sub.status == S.PLACED and not _entries()
    lifecycle.confirm_sub_order(sub, actor=member)
    assert sub.status == S.CONFIRMED and not _entries()
    lifecycle.ship_sub_order(sub, actor=member, carrier="Viettel Post", tracking_number="VTP1")
    import pytest

    with pytest.raises(errors.DomainError):
        cash.deliver_sub_order(sub, actor=member, cash_collected=False)
    cash.deliver_sub_order(sub, actor=member, cash_collected=True)
    [entry] = _entries()
    assert (entry.quantity, entry.total_vnd, entry.payment_method, entry.channel) == (2, 160000, "cod", "online")
    assert entry.buyer_province_code == order.province_code
    collected = db.session.scalar(sa.select(Payment).where(Payment.provider == "cod"))
    assert collected.status == PaymentStatus.SUCCEEDED and collected.amount_vnd == sub.total_vnd
    assert _sold(product) == 2 and stock_of(product) == 3
    kinds = db.session.scalars(sa.select(StockMovement.kind)).all()
    assert MovementKind.SALE in kinds
    lifecycle.complete_sub_order(sub, actor=member)
    assert sub.status == S.COMPLETED


def test_prepaid_sale_is_recorded_when_paid_and_reversed_when_refunded():
    """Card or bank: the ledger is written at payment; a refund before shipping reverses it and frees the stock."""
    product = make_product(price_vnd=100000, stock=5)
    order = place(make_user(), [product], method="vietqr", quantity=1)
    from marketplace.payments import bank_transfer as payments

    admin = make_user(role="admin")
    assert payments.mark_transfer_received(order, actor=admin)
    assert not payments.mark_transfer_received(order, actor=admin)
    sub = order.producer_orders[0]
    assert sub.status == S.PAID and len(_entries()) == 1 and _sold(product) == 1
    refunds.cancel_sub_order(sub, actor=admin, reason="producer out of season")
    assert sub.status == S.REFUNDED
    sale, reversal = _entries()
    assert reversal.reverses_id == sale.id and reversal.total_vnd == -100000
    assert _sold(product) == 0 and stock_of(product) == 5
    refund = db.session.scalar(sa.select(Payment).where(Payment.kind == PaymentKind.REFUND))
    assert refund.amount_vnd == sub.total_vnd


def test_cancelling_an_unpaid_order_releases_stock_and_writes_no_sale():
    """A cancelled COD order gives its units back and leaves the ledger empty."""
    product = make_product(stock=3)
    order = place(make_user(), [product], method="cod", quantity=3)
    assert stock_of(product) == 0
    refunds.cancel_sub_order(order.producer_orders[0], actor=None, reason="buyer unreachable")
    assert stock_of(product) == 3 and not _entries()


def test_cancel_needs_a_reason_and_shipping_needs_a_tracking_number():
    """Empty reasons, carriers and tracking numbers are refused with a message."""
    import pytest

    producer = make_producer()
    member = make_user(role="producer", producer=producer)
    order = place(make_user(), [make_product(producer=producer)], method="cod")
    sub = order.producer_orders[0]
    lifecycle.confirm_sub_order(sub, actor=member)
    for call in (lambda: refunds.cancel_sub_order(sub, actor=member, reason="  "),
                 lambda: lifecycle.ship_sub_order(sub, actor=member, carrier="", tracking_number="X"),
                 lambda: lifecycle.ship_sub_order(sub, actor=member, carrier="GHN", tracking_number=""),
                 lambda: lifecycle.ship_sub_order(sub, actor=member, carrier="GHN", tracking_number="x" * 81)):
        with pytest.raises(errors.DomainError):
            call()
    assert sub.status == S.CONFIRMED


def test_producer_members_receive_the_new_order_mail(outbox):
    """Each shop's members get a new-order e-mail listing only their lines."""
    shop_a, shop_b = make_producer("Shop A"), make_producer("Shop B")
    make_user(email="a1@shop.test", role="producer", producer=shop_a)
    make_user(email="b1@shop.test", role="producer", producer=shop_b)
    place(make_user(email="buyer2@example.test"), [make_product("Trà A", producer=shop_a),
                                                   make_product("Mắm B", producer=shop_b)], method="cod")
    db.session.commit()
    outbox.wait_for(3)
    body_a = outbox.to("a1@shop.test")[0].get_body(("plain",)).get_content()
    assert "Trà A" in body_a and "Mắm B" not in body_a
    assert outbox.to("b1@shop.test") and outbox.to("buyer2@example.test")


def test_confirming_a_paid_sub_order_tells_the_buyer(outbox):
    """The producer's confirmation of a prepaid sub-order e-mails the buyer; a COD placement is one e-mail only."""
    producer = make_producer()
    member = make_user(role="producer", producer=producer)
    order = place(make_user(email="prepaid@example.test"), [make_product(producer=producer)], method="vietqr")
    from marketplace.payments import bank_transfer as payments

    payments.mark_transfer_received(order, actor=make_user(role="admin"))
    db.session.commit()
    assert len(outbox.wait_for(2).to("prepaid@example.test")) == 1  # with the member's new-order mail
    lifecycle.confirm_sub_order(order.producer_orders[0], actor=member)
    db.session.commit()
    confirmed = outbox.wait_for(3).to("prepaid@example.test")
    assert len(confirmed) == 2 and order.number in confirmed[-1]["Subject"]
    place(make_user(email="cod@example.test"), [make_product(producer=producer)], method="cod")
    db.session.commit()
    assert len(outbox.wait_for(5).to("cod@example.test")) == 1
    assert len(outbox) == 5
