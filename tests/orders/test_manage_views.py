"""The producer's order screens: only its own sub-orders, every action through the state machine, buyer e-mailed."""

import pytest
import sqlalchemy as sa
from flask_babel import get_locale, refresh

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders import lifecycle
from marketplace.orders.models import Order, OrderEvent, ProducerOrder
from marketplace.stock import services as stock
from tests.factories import make_producer, make_product, make_user
from tests.settlements.sample import pay_by_transfer, place


@pytest.fixture(autouse=True)
def english(app):
    """Pin English for the test (Flask-Babel caches the locale on the app context the requests share)."""
    with app.test_request_context("/?lang=en"):
        refresh()
        get_locale()
        yield


def available(product) -> int:
    return stock.level_for(product.id, stock.warehouse_for(product.producer).id).quantity


@pytest.fixture
def shop():
    """Producer A with a member and a product; a buyer; producer B with its own member and order."""
    producer = make_producer(shipping_fee_vnd=25000)
    product = make_product("Nước mắm Cự Đà", producer=producer, price_vnd=120000, stock=10)
    member = make_user(role=Role.PRODUCER, producer=producer)
    other_product = make_product("Gốm Bát Tràng", price_vnd=500000, stock=5)
    other_member = make_user(role=Role.PRODUCER, producer=other_product.producer)
    buyer = make_user(email="buyer@example.test", full_name="Trần Thị Bình")
    other_order = place(make_user(), [(other_product, 1)], method="cod")
    db.session.commit()
    return {"producer": producer, "product": product, "member": member, "buyer": buyer,
            "other_member": other_member, "other_sub": other_order.producer_orders[0]}


def order_for(shop, method="cod", quantity=2, confirmed=True):
    """A sub-order of the shop: paid when prepaid, confirmed by the producer when cash on delivery (unless not
    `confirmed`: then it waits for the producer's confirmation)."""
    order = place(shop["buyer"], [(shop["product"], quantity)], method=method)
    if method == "vietqr":
        pay_by_transfer(order)
    elif confirmed:
        lifecycle.confirm_sub_order(order.producer_orders[0], actor=shop["member"])
    db.session.commit()
    return order.producer_orders[0]


def number(sub_order) -> str:
    """The public number of the sub-order's order (read from the database: relationships never load by themselves)."""
    return db.session.scalar(sa.select(Order.number).where(Order.id == sub_order.order_id))


def reload(sub_order) -> ProducerOrder:
    db.session.expire_all()
    return db.session.get(ProducerOrder, sub_order.id)


def test_member_lists_only_its_producers_orders(client, login_as, shop):
    """The order list shows A's sub-orders to A's member, never B's."""
    sub = order_for(shop)
    login_as(shop["member"])
    text = client.get("/manage/orders?lang=en").get_data(as_text=True)
    assert number(sub) in text
    assert number(shop["other_sub"]) not in text
    assert "24.000" in text and "10\xa0%" in text and "241.000" in text


def test_order_list_costs_the_same_queries_for_one_or_many_orders(client, login_as, shop, query_counter):
    """Fees and commission of every row come with the page: no query per sub-order."""
    order_for(shop, quantity=1)
    login_as(shop["member"])
    one = query_counter.of_page(client, "/manage/orders?lang=en")
    numbers = [number(order_for(shop, method=method, quantity=1)) for method in ("cod", "vietqr", "vietqr")]
    assert query_counter.of_page(client, "/manage/orders?lang=en") == one
    text = client.get("/manage/orders?lang=en").get_data(as_text=True)
    assert all(number in text for number in numbers)


def test_order_list_filters_by_status_and_date(client, login_as, shop):
    """Status and date filters narrow the list; a filter matching nothing says so."""
    sub = order_for(shop)
    login_as(shop["member"])
    assert number(sub) in client.get("/manage/orders?status=confirmed").get_data(as_text=True)
    assert number(sub) not in client.get("/manage/orders?status=shipped").get_data(as_text=True)
    assert number(sub) not in client.get("/manage/orders?from=2001-01-01&to=2001-01-31").get_data(as_text=True)
    assert number(sub) in client.get("/manage/orders?from=2001-01-01").get_data(as_text=True)


@pytest.mark.parametrize("query", ["status=nonsense", "from=31/31/2026", "to=abc", "page=-4", "page=99999999999",
                                   "page=x", "from=2026-11-30&to=2026-01-01", "producer=abc", "status=%01"])
def test_bad_order_filters_never_fail(client, login_as, shop, query):
    """Odd filter values give the list (with a message), not an error."""
    order_for(shop)
    login_as(shop["member"])
    assert client.get(f"/manage/orders?{query}").status_code == 200


def test_other_producers_sub_orders_are_404_for_every_route(client, login_as, shop):
    """A member of A guessing B's sub-order id gets 404 on the page and on every action; nothing changes."""
    other = shop["other_sub"]
    login_as(shop["member"])
    assert client.get(f"/manage/orders/{other.id}").status_code == 404
    for action, data in (("confirm", {}), ("ship", {"carrier": "GHN", "tracking_number": "X1"}),
                         ("deliver", {"cash_collected": "y"}), ("cancel", {"reason": "spite"})):
        assert client.post(f"/manage/orders/{other.id}/{action}", data=data).status_code == 404
    assert reload(other).status == "placed"
    assert client.get("/manage/orders/99999999").status_code == 404


def test_consumers_and_guests_are_kept_out(client, login_as, shop):
    """Guests are sent to log in; consumers (even the buyer) get 403."""
    sub = order_for(shop)
    assert client.get("/manage/orders").status_code == 302
    assert client.post(f"/manage/orders/{sub.id}/cancel", data={"reason": "x"}).status_code == 302
    login_as(shop["buyer"])
    assert client.get(f"/manage/orders/{sub.id}").status_code == 403
    assert client.post(f"/manage/orders/{sub.id}/cancel", data={"reason": "x"}).status_code == 403
    assert reload(sub).status == "confirmed"


def test_sub_order_page_shows_delivery_lines_history_commission_and_fees(client, login_as, shop):
    """The producer sees the buyer's address and phone, the lines, the events, the commission and the shipping fee."""
    sub = order_for(shop)
    login_as(shop["member"])
    text = client.get(f"/manage/orders/{sub.id}?lang=en").get_data(as_text=True)
    assert "Nguyễn Văn An" in text and "0912345678" in text and "phố Huế" in text
    assert "Nước mắm Cự Đà" in text and "240.000" in text
    assert "Commission (10\xa0%)" in text and "24.000" in text
    assert "25.000" in text and "241.000" in text
    assert "Confirmed" in text


def test_prepaid_order_confirm_ship_deliver_emails_the_buyer_each_time(client, login_as, shop, outbox):
    """Confirm, ship (carrier + tracking) and deliver go through the pipeline, log events and e-mail the buyer."""
    sub = order_for(shop, method="vietqr")
    assert sub.status == "paid"
    login_as(shop["member"])
    outbox.clear()
    assert client.post(f"/manage/orders/{sub.id}/confirm").status_code == 302
    assert reload(sub).status == "confirmed"
    assert len(outbox.wait_for(1).to("buyer@example.test")) == 1
    response = client.post(f"/manage/orders/{sub.id}/ship", data={"carrier": "Viettel Post", "tracking_number": "VTP123"})
    assert response.status_code == 302
    shipped = reload(sub)
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == ("shipped", "Viettel Post", "VTP123")
    assert len(outbox.wait_for(2).to("buyer@example.test")) == 2
    assert client.post(f"/manage/orders/{sub.id}/deliver").status_code == 302
    assert reload(sub).status == "delivered"
    assert len(outbox.wait_for(3).to("buyer@example.test")) == 3
    events = db.session.scalars(sa.select(OrderEvent.to_status).where(OrderEvent.producer_order_id == sub.id)
                                .order_by(OrderEvent.id)).all()
    assert events[-3:] == ["confirmed", "shipped", "delivered"]


def test_shipping_needs_carrier_and_tracking_and_keeps_what_was_typed(client, login_as, shop):
    """A missing tracking number is refused with a message; the carrier typed is shown again; status unchanged."""
    sub = order_for(shop)
    login_as(shop["member"])
    response = client.post(f"/manage/orders/{sub.id}/ship?lang=en", data={"carrier": "Giao Hàng Nhanh",
                                                                         "tracking_number": "  "})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "tracking number" in text and 'value="Giao Hàng Nhanh"' in text
    assert reload(sub).status == "confirmed"


def test_cod_delivery_needs_the_cash_and_then_records_the_sale(client, login_as, shop, outbox):
    """A COD parcel is delivered only with the cash collected; then the sale enters the ledger."""
    sub = order_for(shop)
    login_as(shop["member"])
    client.post(f"/manage/orders/{sub.id}/ship", data={"carrier": "GHN", "tracking_number": "G1"})
    outbox.clear()
    refused = client.post(f"/manage/orders/{sub.id}/deliver?lang=en", data={})
    assert refused.status_code == 409 and "cash" in refused.get_data(as_text=True)
    assert reload(sub).status == "shipped"
    assert client.post(f"/manage/orders/{sub.id}/deliver", data={"cash_collected": "y"}).status_code == 302
    assert reload(sub).status == "delivered"
    entries = db.session.scalars(sa.select(SaleEntry).where(SaleEntry.producer_id == shop["producer"].id)).all()
    assert [(e.quantity, e.total_vnd, e.payment_method) for e in entries] == [(2, 240000, "cod")]
    assert len(outbox.wait_for(1).to("buyer@example.test")) == 1


def test_cancel_with_a_reason_restocks_and_emails(client, login_as, shop, outbox):
    """Cancelling an unpaid sub-order puts the units back on sale and tells the buyer why."""
    sub = order_for(shop, quantity=3)
    assert available(shop["product"]) == 7
    login_as(shop["member"])
    outbox.clear()
    empty = client.post(f"/manage/orders/{sub.id}/cancel?lang=en", data={"reason": ""})
    assert empty.status_code == 409 and "reason" in empty.get_data(as_text=True)
    assert client.post(f"/manage/orders/{sub.id}/cancel", data={"reason": "Hết hàng đợt này"}).status_code == 302
    assert reload(sub).status == "cancelled"
    assert available(shop["product"]) == 10
    messages = outbox.wait_for(1).to("buyer@example.test")
    assert len(messages) == 1 and "Hết hàng đợt này" in messages[0].get_body(("plain",)).get_content()


def test_cancelling_a_paid_order_refunds_it(client, login_as, shop):
    """A paid sub-order cancelled by the producer is refunded: reversing ledger entries, stock back."""
    sub = order_for(shop, method="vietqr")
    login_as(shop["member"])
    assert client.post(f"/manage/orders/{sub.id}/cancel", data={"reason": "Hư hỏng khi đóng gói"}).status_code == 302
    assert reload(sub).status == "refunded"
    totals = db.session.scalars(sa.select(SaleEntry.total_vnd).where(SaleEntry.producer_id == shop["producer"].id)
                                .order_by(SaleEntry.id)).all()
    assert totals == [240000, -240000]
    assert available(shop["product"]) == 10


@pytest.mark.parametrize("action, data", [
    ("deliver", {"cash_collected": "y"}),
    ("confirm", {}),
])
def test_illegal_actions_are_refused_with_a_message(client, login_as, shop, action, data):
    """Delivering a parcel never shipped, or confirming an already confirmed order, is refused; nothing changes."""
    sub = order_for(shop)
    login_as(shop["member"])
    response = client.post(f"/manage/orders/{sub.id}/{action}?lang=en", data=data)
    assert response.status_code == 409
    assert "cannot go from" in response.get_data(as_text=True)
    assert reload(sub).status == "confirmed"


def test_shipped_orders_cannot_be_cancelled(client, login_as, shop):
    """After shipping, cancel is refused with a message."""
    sub = order_for(shop)
    login_as(shop["member"])
    client.post(f"/manage/orders/{sub.id}/ship", data={"carrier": "GHN", "tracking_number": "G1"})
    response = client.post(f"/manage/orders/{sub.id}/cancel?lang=en", data={"reason": "late"})
    assert response.status_code == 409 and "cannot be cancelled" in response.get_data(as_text=True)
    assert reload(sub).status == "shipped"


def test_admin_sees_every_producers_orders(client, login_as, shop):
    """The program office lists all sub-orders, or one producer's with ?producer=."""
    sub = order_for(shop)
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    login_as(admin)
    text = client.get("/manage/orders").get_data(as_text=True)
    assert number(sub) in text and number(shop["other_sub"]) in text
    only_a = client.get(f"/manage/orders?producer={shop['producer'].id}").get_data(as_text=True)
    assert number(shop["other_sub"]) not in only_a
    assert client.get(f"/manage/orders/{shop['other_sub'].id}").status_code == 200
    assert client.get("/manage/orders?producer=99999999").status_code == 404
