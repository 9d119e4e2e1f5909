"""Cash-on-delivery orders the shop never confirms: after ORDER_CONFIRM_DAYS the clock cancels them through the one
state machine (stock back, an event with the reason), the buyer and the shop are e-mailed, and the job schedule runs
it; a confirmed order, a younger one and a pickup waiting for its showroom are left alone."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace import jobs
from marketplace.accounts.models import Role
from marketplace.cli import expire_unconfirmed_job
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle, unconfirmed
from marketplace.orders.models import Order, OrderEvent, ProducerOrder
from marketplace.stock.models import StockMovement
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import address, place, stock_of
from tests.showrooms.helpers import deliver, make_showroom


@pytest.fixture()
def shop(app):
    producer = make_producer(name="HTX Chè Tân Cương")
    tea = make_product("Chè Tân Cương", producer=producer, price_vnd=150000, stock=10)
    member = make_user("shop@example.test", role=Role.PRODUCER, producer=producer)
    buyer = make_user("buyer@example.test", full_name="Trần Thị Bình")
    return {"producer": producer, "tea": tea, "member": member, "buyer": buyer}


def aged(order, days: float):
    """Make the order `days` old (test setup: the clock cannot be waited for)."""
    db.session.execute(sa.update(Order).where(Order.id == order.id)
                       .values(created_at=utcnow() - timedelta(days=days)))
    return order.producer_orders[0]


def status_of(sub) -> str:
    sub_id = sub if isinstance(sub, int) else sub.id
    return db.session.scalar(sa.select(ProducerOrder.status).where(ProducerOrder.id == sub_id))


def test_an_unconfirmed_cod_order_is_cancelled_after_three_days_and_both_sides_are_told(shop, runner, outbox,
                                                                                        client, login_as):
    """4 days old, never confirmed: cancelled by nobody (the clock), its 2 units back in the warehouse, the event
    says why; the buyer gets the status e-mail with the reason, the shop's members theirs. Run again: nothing."""
    old = aged(place(shop["buyer"], [shop["tea"]], quantity=2), days=4)
    young = aged(place(shop["buyer"], [shop["tea"]]), days=2)
    confirmed = aged(place(shop["buyer"], [shop["tea"]]), days=4)
    lifecycle.confirm_sub_order(confirmed, actor=shop["member"])
    db.session.commit()
    assert stock_of(shop["tea"]) == 6
    outbox.clear()
    result = runner.invoke(args=["orders", "expire-unconfirmed"])
    assert result.exit_code == 0 and "1 cash-on-delivery orders not confirmed in time cancelled." in result.output
    assert (status_of(old), status_of(young), status_of(confirmed)) == ("cancelled", "placed", "confirmed")
    assert stock_of(shop["tea"]) == 8
    event = db.session.scalars(sa.select(OrderEvent).where(OrderEvent.producer_order_id == old.id)
                               .order_by(OrderEvent.id.desc())).first()
    assert (event.to_status, event.reason, event.actor_id) == ("cancelled", "not confirmed in time", None)
    released = db.session.scalars(sa.select(StockMovement).where(StockMovement.kind == "release")).one()
    assert (released.quantity_change, released.reason) == (2, "not confirmed in time")
    number = db.session.scalar(sa.select(Order.number).where(Order.id == old.order_id))
    [to_buyer] = outbox.wait_for(2).to("buyer@example.test")
    assert number in to_buyer["Subject"] and "Đã hủy" in to_buyer["Subject"]
    assert "cửa hàng không xác nhận kịp thời" in to_buyer.get_body(("plain",)).get_content()
    [to_shop] = outbox.to("shop@example.test")
    assert number in to_shop["Subject"] and "không được xác nhận kịp thời" in to_shop["Subject"]
    assert "không được xác nhận trong vòng 3 ngày" in to_shop.get_body(("plain",)).get_content()
    assert runner.invoke(args=["orders", "expire-unconfirmed"]).output.startswith("0 ")
    login_as(shop["buyer"])
    page = client.get(f"/orders/{number}?lang=vi").get_data(as_text=True)
    assert "Đã hủy" in page and "cửa hàng không xác nhận kịp thời" in page


def test_the_wait_is_configurable(app, shop):
    """ORDER_CONFIRM_DAYS = 5: a 4-day-old order still waits; at 6 days it goes."""
    app.config["ORDER_CONFIRM_DAYS"] = 5
    try:
        sub = aged(place(shop["buyer"], [shop["tea"]]), days=4)
        assert unconfirmed.expire_unconfirmed() == 0 and status_of(sub) == "placed"
        assert unconfirmed.expire_unconfirmed(utcnow() + timedelta(days=2)) == 1 and status_of(sub) == "cancelled"
    finally:
        app.config["ORDER_CONFIRM_DAYS"] = 3


def test_a_pickup_waiting_for_its_showroom_and_a_card_order_are_not_the_shops_to_confirm(shop):
    """A pickup to pay at the counter waits for the showroom (it has its own collect-by clock); an unpaid card
    order is expire-unpaid's; neither is touched."""
    showroom = make_showroom("Điểm OCOP Hoàn Kiếm")
    deliver(showroom, shop["tea"], 3, lot="TEA-1", best_before=date(2027, 6, 1))
    carts.add_to_cart(shop["tea"].id, 1, user=shop["buyer"])
    pickup, _created = checkout.place_order(shop["buyer"], address=address(), payment_method="cod",
                                            token=checkout.new_checkout_token(),
                                            pickups={shop["producer"].id: showroom.id})
    card = place(shop["buyer"], [shop["tea"]], method="card")
    db.session.flush()
    subs = [aged(pickup, days=10), aged(card, days=10)]
    assert unconfirmed.expire_unconfirmed() == 0
    assert [status_of(sub) for sub in subs] == ["placed", "pending_payment"]


def test_the_job_schedule_runs_it_hourly(app, runner, shop):
    sub_id = aged(place(shop["buyer"], [shop["tea"]]), days=4).id
    db.session.commit()
    assert jobs.SCHEDULE["expire-unconfirmed"].func is expire_unconfirmed_job
    assert "5 * * * *      expire-unconfirmed" in runner.invoke(args=["jobs", "schedule"]).output
    result = runner.invoke(args=["jobs", "run", "expire-unconfirmed"])
    assert result.exit_code == 0 and "expire-unconfirmed: done in-process" in result.output
    assert status_of(sub_id) == "cancelled"  # the job ends with its session removed: read by id
