"""Checkout: the Vietnamese address form, one order per submit, stock reserved all or nothing."""

import re

import pytest
import sqlalchemy as sa

from marketplace import geo
from marketplace.extensions import db
from marketplace.orders import addresses, checkout, lifecycle, queries
from marketplace.orders import cart as carts
from marketplace.orders.models import Address, Order, PaymentMethod
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import checkout_form, hanoi_ward, stock_of


def _orders() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


@pytest.fixture
def buyer_with_cart(client, login_as):
    product = make_product(price_vnd=150000, stock=5)
    buyer = make_user(email="buyer@example.test")
    carts.add_to_cart(product.id, 2, user=buyer)
    db.session.commit()
    login_as(buyer)
    return buyer, product


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"), ("0387.654.321", "0387654321"), ("0123456789", None), ("091234567", None),
    ("09123456789", None), ("abc", None), ("", None), ("+1 912 345 678", None), ("0612345678", None),
])
def test_vietnamese_mobile_numbers_are_validated_and_normalised(raw, expected):
    """Ten digits with a 03/05/07/08/09 prefix, +84 accepted; anything else refused."""
    assert addresses.normalise_phone(raw) == expected


def test_checkout_needs_a_login(client):
    """A guest is sent to the login page."""
    response = client.get("/checkout")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_checkout_places_one_order_and_saves_the_address(client, buyer_with_cart, outbox):
    """A valid form makes an order numbered OC-YYMM-NNNNNN, reserves stock, saves the address, e-mails."""
    buyer, product = buyer_with_cart
    page = client.get("/checkout").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    assert token
    response = client.post("/checkout", data=checkout_form(token=token.group(1)))
    assert response.status_code == 302
    order = db.session.scalar(sa.select(Order).options(*queries.ORDER_GRAPH))
    assert re.fullmatch(r"OC-\d{4}-\d{6}", order.number)
    assert order.recipient_phone == "0912345678"
    assert order.total_vnd == 300000 + product.producer.shipping_fee_vnd
    assert order.producer_orders[0].lines[0].product_name == product.name
    assert stock_of(product) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Address)) == 1
    assert carts.load_cart(user=buyer).is_empty
    outbox.wait_for(1)
    assert order.number in outbox.to("buyer@example.test")[0]["Subject"]


def test_a_double_submitted_form_makes_one_order(client, buyer_with_cart):
    """The second submit of the same token redirects to the first order and reserves nothing more."""
    _buyer, product = buyer_with_cart
    first = client.post("/checkout", data=checkout_form(token="same-token"))
    second = client.post("/checkout", data=checkout_form(token="same-token"))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _orders() == 1
    assert stock_of(product) == 3


BAD_FIELDS = [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "x" * 121}, "full_name"),
    ({"phone": ""}, "phone"),
    ({"phone": "0123456789"}, "phone"),
    ({"phone": "not a phone"}, "phone"),
    ({"province_code": ""}, "province_code"),
    ({"province_code": "999"}, "province_code"),
    ({"ward_code": ""}, "ward_code"),
    ({"ward_code": "99999999"}, "ward_code"),
    ({"ward_code": "abc"}, "ward_code"),
    ({"street": ""}, "street"),
    ({"street": "y" * 256}, "street"),
    ({"payment_method": "bitcoin"}, "payment_method"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS)
def test_bad_input_is_refused_with_the_form_kept_and_nothing_changed(client, buyer_with_cart, changes, field):
    """The form comes back (400) with a message at the field and what was typed; no order, no stock taken."""
    _buyer, product = buyer_with_cart
    data = checkout_form(token="bad-input", **changes)
    response = client.post("/checkout", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page or (field == "payment_method" and 'class="error"' in page)
    assert "Nguyễn Văn An" in page or field == "full_name"
    assert _orders() == 0 and stock_of(product) == 5


def test_a_commune_of_another_province_is_refused(client, buyer_with_cart):
    """A real commune that belongs to a different province is refused."""
    province_code, _ward = hanoi_ward()
    other = next(p for p in geo.provinces() if p.code != province_code)
    response = client.post("/checkout", data=checkout_form(ward_code=str(geo.wards(other.code)[0].code)))
    assert response.status_code == 400 and 'id="ward_code-error"' in response.get_data(as_text=True)
    assert _orders() == 0


def test_wards_endpoint_lists_a_provinces_communes(client):
    """JSON for the commune select; an unknown province is a 404, a non-number a 400."""
    province_code, ward_code = hanoi_ward()
    data = client.get(f"/checkout/wards?province={province_code}").get_json()
    assert ward_code in [w["code"] for w in data["wards"]]
    assert client.get("/checkout/wards?province=999").status_code == 404
    assert client.get("/checkout/wards?province=abc").status_code == 400


def test_without_javascript_the_form_can_show_a_provinces_communes(client, buyer_with_cart):
    """The "show communes" button re-renders the form with the chosen province's communes, placing nothing."""
    province_code, ward_code = hanoi_ward()
    response = client.post("/checkout", data=checkout_form(ward_code="", refresh_wards="1"))
    assert response.status_code == 200
    assert f'value="{ward_code}"' in response.get_data(as_text=True)
    assert _orders() == 0


def test_out_of_stock_at_placement_goes_back_to_the_cart_and_creates_nothing(client, buyer_with_cart):
    """If the stock fell after the cart was filled, the buyer is sent back with a message; nothing is kept."""
    _buyer, product = buyer_with_cart
    from marketplace.stock import services as stock

    level = stock.level_for(product.id, stock.warehouse_for(db.session.get(Producer, product.producer_id)).id)
    stock.adjust(level, -4, reason="sold at the market")
    db.session.commit()
    response = client.post("/checkout", data=checkout_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    assert _orders() == 0 and stock_of(product) == 1


def test_a_changed_price_since_the_page_was_shown_is_not_charged_silently(client, buyer_with_cart):
    """The checkout refuses (409) when prices changed after the page was shown, and shows the new total."""
    _buyer, product = buyer_with_cart
    client.get("/checkout")
    signature = carts.load_cart(user=_buyer).signature
    product.price_vnd = 190000
    db.session.commit()
    response = client.post("/checkout", data=checkout_form(cart_signature=signature))
    assert response.status_code == 409
    assert "380.000" in response.get_data(as_text=True)
    assert _orders() == 0


def test_a_saved_address_can_be_chosen(client, buyer_with_cart):
    """Choosing a saved address uses it as it was saved."""
    buyer, _product = buyer_with_cart
    province_code, ward_code = hanoi_ward()
    saved = Address(user_id=buyer.id, full_name="Trần Thị Bình", phone="0987654321", province_code=province_code,
                    ward_code=ward_code, street="12 Lý Thường Kiệt")
    db.session.add(saved)
    db.session.commit()
    response = client.post("/checkout", data={"address_choice": str(saved.id), "payment_method": "cod",
                                              "token": "saved-address"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Order.recipient_name)) == "Trần Thị Bình"


def test_someone_elses_saved_address_cannot_be_used(client, buyer_with_cart):
    """An address id of another user is refused like an unknown one."""
    other = make_user()
    province_code, ward_code = hanoi_ward()
    theirs = Address(user_id=other.id, full_name="Người Khác", phone="0987654321", province_code=province_code,
                     ward_code=ward_code, street="1 Phố Khác")
    db.session.add(theirs)
    db.session.commit()
    response = client.post("/checkout", data={"address_choice": str(theirs.id), "payment_method": "cod",
                                              "token": "other-address"})
    assert response.status_code == 400
    assert _orders() == 0


def test_a_consumer_cannot_see_another_consumers_order(client, login_as):
    """Another buyer's order number gives 404, exactly like a number that does not exist."""
    owner, stranger = make_user(), make_user()
    carts.add_to_cart(make_product().id, 1, user=owner)
    from tests.orders.helpers import address

    order, _created = checkout.place_order(owner, address=address(), payment_method="cod", token="owner-token")
    db.session.commit()
    login_as(stranger)
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.get("/orders/OC-0000-000000").status_code == 404
    assert client.get(f"/orders/{order.number}/cancel").status_code == 404
    assert client.post(f"/orders/{order.number}/cancel", data={"parts": str(order.producer_orders[0].id),
                                                             "reason": "changed_mind"}).status_code == 404
    assert order.producer_orders[0].status == OrderStatus.PLACED


def test_one_producer_cannot_reach_another_producers_sub_order(client, login_as):
    """Producer A's member gets 404 for producer B's sub-order, on the service and on the page."""
    shop_a, shop_b = make_producer(), make_producer()
    member_a = make_user(role="producer", producer=shop_a)
    buyer = make_user()
    carts.add_to_cart(make_product(producer=shop_b).id, 1, user=buyer)
    from tests.orders.helpers import address

    order, _created = checkout.place_order(buyer, address=address(), payment_method="cod", token="b-token")
    sub_b = order.producer_orders[0]
    db.session.commit()
    from marketplace.errors import NotFound

    with pytest.raises(NotFound):
        queries.sub_order_for(member_a, sub_b.id)
    login_as(member_a)
    assert client.get(f"/manage/orders/{sub_b.id}").status_code in (403, 404)
    assert client.post(f"/manage/orders/{sub_b.id}/cancel", data={"reason": "not mine"}).status_code in (403, 404)
    db.session.refresh(sub_b)
    assert sub_b.status == OrderStatus.PLACED


def test_buyer_sees_history_and_each_shops_status(client, login_as):
    """The order page lists each shop's part with its status; the history lists the order."""
    buyer = make_user()
    carts.add_to_cart(make_product(producer=make_producer("HTX Một")).id, 1, user=buyer)
    carts.add_to_cart(make_product(producer=make_producer("HTX Hai")).id, 1, user=buyer)
    from tests.orders.helpers import address

    order, _created = checkout.place_order(buyer, address=address(), payment_method=PaymentMethod.COD, token="hist")
    db.session.commit()
    login_as(buyer)
    assert order.number in client.get("/orders").get_data(as_text=True)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "HTX Một" in page and "HTX Hai" in page


def test_buyer_cancels_a_cod_order_and_the_stock_comes_back(client, login_as):
    """Cancelling before shipping cancels every sub-order and releases the reserved units."""
    buyer = make_user()
    product = make_product(stock=4)
    carts.add_to_cart(product.id, 3, user=buyer)
    from tests.orders.helpers import address

    order, _created = checkout.place_order(buyer, address=address(), payment_method="cod", token="cancel-me")
    db.session.commit()
    assert stock_of(product) == 1
    login_as(buyer)
    response = client.post(f"/orders/{order.number}/cancel",
                           data={"parts": str(order.producer_orders[0].id), "reason": "changed_mind"})
    assert response.status_code == 302
    db.session.refresh(order.producer_orders[0])
    assert order.producer_orders[0].status == OrderStatus.CANCELLED
    assert stock_of(product) == 4


def test_a_shipped_order_cannot_be_cancelled_by_the_buyer(client, login_as):
    """Once shipped, the cancel is refused with a message and nothing changes."""
    buyer = make_user()
    producer = make_producer()
    member = make_user(role="producer", producer=producer)
    product = make_product(producer=producer, stock=4)
    carts.add_to_cart(product.id, 1, user=buyer)
    from tests.orders.helpers import address

    order, _created = checkout.place_order(buyer, address=address(), payment_method="cod", token="shipped")
    lifecycle.confirm_sub_order(order.producer_orders[0], actor=member)
    lifecycle.ship_sub_order(order.producer_orders[0], actor=member, carrier="GHN", tracking_number="GHN123")
    db.session.commit()
    login_as(buyer)
    assert client.get(f"/orders/{order.number}/cancel").status_code == 302
    client.post(f"/orders/{order.number}/cancel", data={"parts": str(order.producer_orders[0].id),
                                                         "reason": "changed_mind"})
    db.session.refresh(order.producer_orders[0])
    assert order.producer_orders[0].status == OrderStatus.SHIPPED
    assert stock_of(product) == 3
