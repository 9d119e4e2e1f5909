"""Click and collect on screen: the checkout offers pickup only where a showroom holds everything, the buyer's
order page says where and when, the showroom's staff list, prepare (e-mail) and hand over; staff of another
showroom see nothing (404), a clerk cannot cancel (403), bad input changes nothing."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.ledger.models import SHOWROOM_CHANNEL, SaleEntry
from marketplace.orders import cart as carts
from marketplace.orders.models import Order, ProducerOrder
from marketplace.orders.queries import ORDER_GRAPH
from marketplace.orders.status import OrderStatus
from marketplace.showrooms import lots
from marketplace.showrooms.models import StaffRole
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import checkout_form
from tests.showrooms.helpers import deliver, make_showroom, make_staff

S = OrderStatus


@pytest.fixture()
def world(app):
    producer = make_producer(shipping_fee_vnd=30000)
    tea = make_product("Trà Shan tuyết", producer=producer, price_vnd=120000, stock=10)
    here = make_showroom("Điểm OCOP Hoàn Kiếm", opening_hours="8:00–21:30 hằng ngày", phone="024 3825 0000")
    there = make_showroom("Điểm OCOP Bát Tràng")
    deliver(here, tea, 3, lot="TEA-1", best_before=date(2027, 5, 1))
    buyer = make_user("buyer@example.test")
    return producer, tea, here, there, buyer


def _place(client, login_as, world, **form):
    producer, tea, here, _there, buyer = world
    carts.add_to_cart(tea.id, 2, user=buyer)
    db.session.commit()
    login_as(buyer)
    response = client.post("/checkout", data=checkout_form(**{f"pickup_{producer.id}": str(here.id), **form}))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.scalar(sa.select(Order).options(*ORDER_GRAPH))


def test_the_checkout_offers_only_showrooms_holding_every_item(client, login_as, world):
    """The showroom with the tea is offered (no shipping fee); the one without it is not."""
    producer, tea, here, there, buyer = world
    carts.add_to_cart(tea.id, 2, user=buyer)
    db.session.commit()
    login_as(buyer)
    page = client.get("/checkout", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'name="pickup_{producer.id}" value="{here.id}"' in page
    assert f'name="pickup_{producer.id}" value="{there.id}"' not in page and "Điểm OCOP Bát Tràng" not in page
    carts.set_quantity(tea.id, 4, user=buyer)  # more than the showroom holds
    db.session.commit()
    page = client.get("/checkout").get_data(as_text=True)
    assert f'name="pickup_{producer.id}"' not in page


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "²"])
def test_a_bad_or_unoffered_showroom_is_refused_with_the_form_kept(client, login_as, world, value):
    """Bad input: 400, the message at the field, the typed address kept, nothing ordered or held."""
    producer, tea, here, there, buyer = world
    carts.add_to_cart(tea.id, 1, user=buyer)
    db.session.commit()
    login_as(buyer)
    response = client.post("/checkout", data=checkout_form(**{f"pickup_{producer.id}": value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "không có đủ mọi món" in page and "Số 12, ngõ 34 phố Huế" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert lots.lot_total(tea.id, here.location_id) == 3


def test_another_showroom_that_lacks_the_items_is_refused(client, login_as, world):
    producer, tea, here, there, buyer = world
    carts.add_to_cart(tea.id, 1, user=buyer)
    db.session.commit()
    login_as(buyer)
    response = client.post("/checkout", data=checkout_form(**{f"pickup_{producer.id}": str(there.id)}))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_the_buyer_order_page_says_where_and_when_to_collect(client, login_as, world):
    """Showroom name, address, hours, phone and an OpenStreetMap link; no shipping fee; pay at the counter."""
    order = _place(client, login_as, world)
    page = client.get(f"/orders/{order.number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Nhận tại Điểm OCOP Hoàn Kiếm" in page
    assert "8:00–21:30 hằng ngày" in page and "024 3825 0000" in page
    assert "https://www.openstreetmap.org/?mlat=" in page
    assert "Bạn thanh toán tại quầy" in page and order.shipping_vnd == 0


def test_staff_prepare_and_hand_over_and_the_sale_goes_to_the_showroom_channel(client, login_as, world, outbox):
    """The clerk sees the order, marks it ready (the buyer gets the address by e-mail), then hands it over
    paid in cash: one ledger entry on the showroom channel with its location."""
    producer, tea, here, there, buyer = world
    order = _place(client, login_as, world)
    sub = order.producer_orders[0]
    clerk = make_staff(here, StaffRole.CLERK)
    db.session.commit()
    login_as(clerk)
    listing = client.get(f"/manage/showrooms/{here.id}/pickups").get_data(as_text=True)
    assert order.number in listing and "Thanh toán tại quầy" in listing
    detail = client.get(f"/manage/showrooms/{here.id}/pickups/{sub.id}").get_data(as_text=True)
    assert "TEA-1" in detail
    assert client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/ready").status_code == 302
    db.session.expire_all()
    assert db.session.get(ProducerOrder, sub.id).status == S.READY_FOR_PICKUP
    outbox.wait_for(2)  # the order confirmation, then "ready"
    ready_mail = [m for m in outbox.to("buyer@example.test") if "Sẵn sàng để nhận" in str(m["Subject"])]
    assert ready_mail and "Điểm OCOP Hoàn Kiếm" in ready_mail[0].get_body(("plain",)).get_content()
    refused = client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/hand-over", data={})
    assert refused.status_code == 409 and "Hãy chọn cách người mua đã thanh toán tại quầy." in refused.get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 0
    done = client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/hand-over",
                       data={"counter_payment_method": "card"})
    assert done.status_code == 302
    entry = db.session.scalars(sa.select(SaleEntry)).one()
    assert (entry.channel, entry.location_id, entry.quantity, entry.payment_method) == (
        SHOWROOM_CHANNEL, here.location_id, 2, "card")
    finished = client.get(f"/manage/showrooms/{here.id}/pickups?show=done").get_data(as_text=True)
    assert order.number in finished


def test_staff_of_another_showroom_never_see_or_touch_a_pickup(client, login_as, world):
    """Showroom B's manager: 404 on A's list, A's pickup (even through B's own URL) and every action."""
    producer, tea, here, there, buyer = world
    order = _place(client, login_as, world)
    sub = order.producer_orders[0]
    stranger = make_staff(there, StaffRole.MANAGER)
    db.session.commit()
    login_as(stranger)
    assert client.get(f"/manage/showrooms/{here.id}/pickups").status_code == 404
    assert client.get(f"/manage/showrooms/{here.id}/pickups/{sub.id}").status_code == 404
    assert client.get(f"/manage/showrooms/{there.id}/pickups/{sub.id}").status_code == 404
    for action in ("ready", "hand-over", "cancel"):
        assert client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/{action}",
                           data={"reason": "x", "counter_payment_method": "cash"}).status_code == 404
        assert client.post(f"/manage/showrooms/{there.id}/pickups/{sub.id}/{action}",
                           data={"reason": "x", "counter_payment_method": "cash"}).status_code == 404
    assert order.number not in client.get(f"/manage/showrooms/{there.id}/pickups").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ProducerOrder, sub.id).status == S.PLACED
    # A buyer is not staff at all.
    login_as(buyer)
    assert client.get(f"/manage/showrooms/{here.id}/pickups").status_code == 403


def test_a_clerk_cannot_cancel_a_manager_cancels_with_a_reason_and_the_units_come_back(client, login_as, world):
    producer, tea, here, there, buyer = world
    order = _place(client, login_as, world)
    sub = order.producer_orders[0]
    clerk, manager = make_staff(here, StaffRole.CLERK), make_staff(here, StaffRole.MANAGER)
    db.session.commit()
    login_as(clerk)
    assert client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/cancel", data={"reason": "x"}).status_code == 403
    login_as(manager)
    empty = client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/cancel", data={"reason": "  "})
    assert empty.status_code == 409
    assert lots.lot_total(tea.id, here.location_id) == 1
    done = client.post(f"/manage/showrooms/{here.id}/pickups/{sub.id}/cancel", data={"reason": "Khách không đến"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProducerOrder, sub.id).status == S.CANCELLED
    assert lots.lot_total(tea.id, here.location_id) == lots.level_quantity(tea.id, here.location_id) == 3


def test_an_unknown_or_shipped_sub_order_is_not_a_pickup(client, login_as, world):
    """A shipped sub-order's id, a made-up id or text in the URL: 404."""
    producer, tea, here, there, buyer = world
    carts.add_to_cart(tea.id, 1, user=buyer)
    db.session.commit()
    login_as(buyer)
    assert client.post("/checkout", data=checkout_form()).status_code == 302
    shipped = db.session.scalar(sa.select(ProducerOrder))
    manager = make_staff(here)
    db.session.commit()
    login_as(manager)
    assert client.get(f"/manage/showrooms/{here.id}/pickups/{shipped.id}").status_code == 404
    assert client.get(f"/manage/showrooms/{here.id}/pickups/999999").status_code == 404
    assert client.get(f"/manage/showrooms/{here.id}/pickups/abc").status_code == 404
    assert re.search(r"Không có đơn nhận tại điểm bán", client.get(
        f"/manage/showrooms/{here.id}/pickups").get_data(as_text=True))


def test_the_stock_and_count_pages_say_how_many_units_are_set_aside(client, login_as, world):
    """Held units are not in the figures: the manager is told so (and not to count them)."""
    producer, tea, here, there, buyer = world
    _place(client, login_as, world)
    login_as(make_staff(here, StaffRole.MANAGER))
    for url in (f"/manage/showrooms/{here.id}?lang=en", f"/manage/showrooms/{here.id}/count?lang=en"):
        page = client.get(url).get_data(as_text=True)
        assert "2 units are set aside for pickup orders" in page


def test_the_producer_sees_a_pickup_without_a_ship_button(client, login_as, world):
    producer, tea, here, there, buyer = world
    order = _place(client, login_as, world)
    member = make_user(role=Role.PRODUCER, producer=producer)
    db.session.commit()
    login_as(member)
    page = client.get(f"/manage/orders/{order.producer_orders[0].id}?lang=en").get_data(as_text=True)
    assert "The buyer collects this order at a showroom" in page and "Mark shipped" not in page
