"""The cart and checkout pages as a shopper uses them on a phone: thumbnails, − / + steppers that work with and
without JavaScript (JSON answers for the script), the summary, and checkout's saved address and payment order."""

import re

import sqlalchemy as sa

from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.models import Address, Cart, CartLine
from tests.factories import make_product, make_user
from tests.orders.helpers import hanoi_ward

JSON = {"Accept": "application/json"}


def _lines(user):
    return {line.product_id: line.quantity
            for line in db.session.scalars(sa.select(CartLine).join(Cart).where(Cart.user_id == user.id))}


def _signed_in_with(client, login_as, quantity=2, **product_fields):
    product = make_product(price_vnd=50000, stock=5, **product_fields)
    buyer = make_user()
    carts.add_to_cart(product.id, quantity, user=buyer)
    db.session.commit()
    login_as(buyer)
    return buyer, product


def test_each_line_has_a_thumbnail_a_stepper_and_a_styled_remove_button(client, login_as):
    """A line shows the product's picture, − and + buttons around the quantity and a "Xóa" button; no table."""
    buyer, product = _signed_in_with(client, login_as)
    db.session.add(ProductImage(product_id=product.id, position=0, storage_key="p/1.jpg", thumb_key="p/1-thumb.jpg",
                                alt="Ảnh", width=800, height=800))
    db.session.commit()
    text = client.get("/cart").get_data(as_text=True)
    assert "p/1-thumb.jpg" in text
    assert 'name="step" value="-1"' in text and 'name="step" value="1"' in text
    assert f'aria-label="Bớt một {product.name}"' in text and f'aria-label="Thêm một {product.name}"' in text
    assert 'class="remove-button"' in text and ">Xóa<" in text
    assert "<table" not in text
    assert "Tóm tắt đơn hàng" in text and 'class="cart-checkout-bar"' in text
    assert "js/shop.js" in text and "<script>" not in text


def test_plus_without_javascript_adds_one_and_redirects(client, login_as):
    """A form post of + (no script) adds one to the quantity shown and comes back to the cart."""
    buyer, product = _signed_in_with(client, login_as)
    response = client.post("/cart/update", data={"product_id": product.id, "quantity": "2", "step": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    assert _lines(buyer) == {product.id: 3}


def test_minus_takes_one_off_from_the_number_typed(client, login_as):
    """− works from the number in the box (typed 4, minus: 3)."""
    buyer, product = _signed_in_with(client, login_as)
    client.post("/cart/update", data={"product_id": product.id, "quantity": "4", "step": "-1"})
    assert _lines(buyer) == {product.id: 3}


def test_minus_at_one_is_refused_and_the_line_stays(client, login_as):
    """The − button is disabled at 1, and a forced 0 is refused with a Vietnamese message."""
    buyer, product = _signed_in_with(client, login_as, quantity=1)
    assert re.search(r'value="-1"[^>]*disabled', client.get("/cart").get_data(as_text=True))
    response = client.post("/cart/update", data={"product_id": product.id, "quantity": "1", "step": "-1"})
    assert response.status_code == 400 and "Số lượng tối thiểu là 1" in response.get_data(as_text=True)
    assert _lines(buyer) == {product.id: 1}


def test_the_script_gets_the_cart_back_as_json(client, login_as):
    """Asked for JSON, an update answers the re-rendered cart (new amount and total) and the header count."""
    buyer, product = _signed_in_with(client, login_as)
    response = client.post("/cart/update", data={"product_id": product.id, "quantity": "3"}, headers=JSON)
    assert response.status_code == 200 and response.is_json
    answer = response.get_json()
    assert answer["ok"] is True and answer["count"] == 3
    assert "150.000\xa0₫" in answer["html"] and 'class="cart-layout"' in answer["html"]
    assert "<html" not in answer["html"]
    assert product.name in answer["message"]
    assert _lines(buyer) == {product.id: 3}


def test_the_script_gets_a_refusal_as_json_with_the_reason(client, login_as):
    """More than the stock: 400 JSON with the Vietnamese reason, the cart unchanged, the typed value shown."""
    buyer, product = _signed_in_with(client, login_as)
    response = client.post("/cart/update", data={"product_id": product.id, "quantity": "9"}, headers=JSON)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["ok"] is False and "5" in answer["error"]
    assert 'aria-invalid="true"' in answer["html"] and 'value="9"' in answer["html"]
    assert _lines(buyer) == {product.id: 2}


def test_a_guests_stepper_changes_the_session_cart(client):
    """Steppers work for a visitor's session cart too."""
    product = make_product(price_vnd=50000, stock=5)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    answer = client.post("/cart/update", data={"product_id": product.id, "quantity": "1", "step": "1"},
                         headers=JSON).get_json()
    assert answer["ok"] and answer["count"] == 2


def test_checkout_shows_the_saved_address_without_an_empty_form_and_cash_first(client, login_as):
    """With a saved address, it is chosen; the new-address fields belong to "Dùng địa chỉ khác" (hidden by CSS
    until chosen); cash on delivery is the first payment method and checked."""
    buyer, _product = _signed_in_with(client, login_as)
    province_code, ward_code = hanoi_ward()
    db.session.add(Address(user_id=buyer.id, full_name="Trần Thị Bình", phone="0912345678",
                           province_code=province_code, ward_code=ward_code, street="Số 1 phố Huế"))
    db.session.commit()
    text = client.get("/checkout").get_data(as_text=True)
    assert re.search(r'<input checked id="address_choice-0"[^>]*value="\d+"', text)
    assert "Dùng địa chỉ khác" in text and 'class="new-address"' in text
    assert "checkout-address has-saved" in text
    methods = re.findall(r'name="payment_method"[^>]*value="([a-z]+)"', text)
    assert methods[0] == "cod"
    assert re.search(r'<input checked id="payment_method-0"', text)


def test_the_css_hides_the_new_address_until_it_is_chosen():
    """The no-script toggle is a CSS rule on the radio's state."""
    from pathlib import Path
    css = Path(__file__).resolve().parents[2].joinpath("static", "css", "site.css").read_text()
    assert '.checkout-address.has-saved:has(input[name="address_choice"][value="new"]:not(:checked)) .new-address' in css
