"""The cart: stock-checked quantities, prices from the database, guests in the session, merge at login."""

import pytest
import sqlalchemy as sa
from flask import url_for

from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.models import Cart, CartLine
from tests.factories import make_producer, make_product, make_user
from tests.fixtures.auth import log_in_through_form


def _lines(user):
    return {line.product_id: line.quantity
            for line in db.session.scalars(sa.select(CartLine).join(Cart).where(Cart.user_id == user.id))}


def test_lines_are_grouped_by_shop_with_shipping_and_totals():
    """Each shop shows its subtotal and flat fee; the fee is waived at the shop's threshold."""
    cheap = make_producer("A Cheap", shipping_fee_vnd=25000)
    generous = make_producer("B Generous", shipping_fee_vnd=30000, free_shipping_threshold_vnd=200000)
    user = make_user()
    carts.add_to_cart(make_product(producer=cheap, price_vnd=40000).id, 2, user=user)
    carts.add_to_cart(make_product(producer=generous, price_vnd=100000).id, 2, user=user)
    summary = carts.load_cart(user=user)
    assert [g.producer.name for g in summary.groups] == ["A Cheap", "B Generous"]
    assert [(g.subtotal_vnd, g.shipping_fee_vnd) for g in summary.groups] == [(80000, 25000), (200000, 0)]
    assert summary.total_vnd == 305000


def test_more_than_the_stock_is_refused_with_what_is_left():
    """Asking for 4 of 3 is refused, saying 3 are left, and the cart is unchanged."""
    product = make_product(stock=3)
    user = make_user()
    with pytest.raises(carts.CartError, match="3"):
        carts.add_to_cart(product.id, 4, user=user)
    assert _lines(user) == {}


def test_unlisted_products_cannot_be_added():
    """A draft product, or one without a valid certificate, is not for sale."""
    user = make_user()
    for product in (make_product(status=ProductStatus.DRAFT), make_product(stars=None)):
        with pytest.raises(carts.CartError):
            carts.add_to_cart(product.id, 1, user=user)


@pytest.mark.parametrize("raw", ["0", "-1", "1000000000", "abc", "", "1.5", None])
def test_bad_quantities_are_refused(raw):
    """Zero, negative, huge, non-numeric and empty quantities raise a CartError with a message."""
    with pytest.raises(carts.CartError) as error:
        carts.parse_quantity(raw)
    assert error.value.message


def test_the_cart_notices_a_price_change_and_a_stock_drop():
    """After the price rises and stock falls, the line says so and blocks checkout."""
    product = make_product(price_vnd=100000, stock=5)
    user = make_user()
    carts.add_to_cart(product.id, 4, user=user)
    product.price_vnd = 120000
    from marketplace.stock import services as stock

    level = stock.level_for(product.id, stock.warehouse_for(product.producer).id)
    stock.adjust(level, -3, reason="broken jars")
    item = carts.load_cart(user=user).items[0]
    assert item.price_changed and item.price_vnd_seen == 100000 and item.unit_price_vnd == 120000
    assert item.short and "2" in item.problem
    assert carts.load_cart(user=user).has_problems


def test_guest_cart_lives_in_the_session(client):
    """A guest adds an item; the cart page shows it with the database price."""
    product = make_product(name="Mật ong bạc hà", price_vnd=210000)
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": "2"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["cart"] == {str(product.id): 2}
    page = client.get("/cart").get_data(as_text=True)
    assert "Mật ong bạc hà" in page and "420.000" in page


def test_a_price_sent_with_the_form_is_ignored(client, login_as):
    """Posting price_vnd=1 changes nothing: the cart and the order use the database price."""
    product = make_product(price_vnd=300000)
    user = make_user()
    login_as(user)
    client.post("/cart/add", data={"product_id": product.id, "quantity": "1", "price_vnd": "1", "price": "1"})
    line = db.session.scalar(sa.select(CartLine).where(CartLine.product_id == product.id))
    assert line.price_vnd_seen == 300000
    assert carts.load_cart(user=user).total_vnd == 300000 + product.producer.shipping_fee_vnd


@pytest.mark.parametrize("raw", ["0", "-1", "1000000000", "abc", ""])
def test_bad_quantity_in_the_cart_form_keeps_the_input_and_changes_nothing(client, login_as, raw):
    """The cart page comes back with a message next to the line and the typed value; the line keeps 2."""
    product = make_product(stock=10)
    user = make_user()
    carts.add_to_cart(product.id, 2, user=user)
    db.session.commit()
    login_as(user)
    response = client.post("/cart/update", data={"product_id": product.id, "quantity": raw})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert f'value="{raw}"' in page
    assert _lines(user) == {product.id: 2}


@pytest.mark.parametrize("raw", ["0", "-1", "1000000000", "abc", ""])
def test_bad_quantity_when_adding_is_refused_with_the_form_again(client, raw):
    """Adding with a bad quantity answers 400 with the message and the add form; the cart stays empty."""
    product = make_product(stock=10)
    db.session.commit()
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": raw})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert not session.get("cart")


def test_too_many_is_refused_in_the_cart_form(client):
    """Updating a guest line beyond the stock says how many are left and keeps the old quantity."""
    product = make_product(stock=3)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": "1"})
    response = client.post("/cart/update", data={"product_id": product.id, "quantity": "5"})
    assert response.status_code == 400
    assert "3" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["cart"] == {str(product.id): 1}


def test_remove_takes_the_line_out(client):
    """Remove empties the line."""
    product = make_product()
    client.post("/cart/add", data={"product_id": product.id, "quantity": "1"})
    client.post("/cart/remove", data={"product_id": product.id})
    with client.session_transaction() as session:
        assert session["cart"] == {}


def test_guest_cart_merges_into_the_account_at_login_capped_by_stock(client):
    """Logging in adds the guest's quantities to the saved cart, never beyond the stock."""
    product = make_product(stock=5)
    other = make_product(stock=5)
    user = make_user(email="merge@example.test")
    carts.add_to_cart(product.id, 3, user=user)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": "4"})
    client.post("/cart/add", data={"product_id": other.id, "quantity": "2"})
    response = log_in_through_form(client, "merge@example.test")
    assert response.status_code == 302
    assert _lines(user) == {product.id: 5, other.id: 2}
    with client.session_transaction() as session:
        assert not session.get("cart")


def test_the_product_page_offers_the_add_to_cart_form(client):
    """A public product's page has the form posting to /cart/add without any price field."""
    product = make_product()
    with client.application.test_request_context():
        url = url_for("catalog.product_detail", slug=product.slug)
    page = client.get(url).get_data(as_text=True)
    assert "/cart/add" in page and 'name="price' not in page


def test_the_header_counts_the_units_in_the_cart(client, login_as):
    """Every page's cart link shows the units held: a guest's from the session, a user's from the database."""
    tea, honey = make_product(stock=10), make_product(stock=10)
    db.session.commit()
    client.post("/cart/add", data={"product_id": tea.id, "quantity": "2"})
    assert '<span class="cart-count" aria-label="2 items">2</span>' in client.get("/cart?lang=en").get_data(as_text=True)
    user = make_user()
    assert carts.units_in_cart(user) == 0
    carts.add_to_cart(tea.id, 2, user=user)
    carts.add_to_cart(honey.id, 3, user=user)
    db.session.commit()
    assert carts.units_in_cart(user) == 5
    page = login_as(user, client.application.test_client()).get("/cart?lang=en").get_data(as_text=True)
    assert '<span class="cart-count" aria-label="5 items">5</span>' in page


def test_a_guest_cart_with_junk_or_unknown_entries_shows_only_real_products(client):
    """Keys that are not product ids, unknown products and bad quantities in the session are skipped."""
    product = make_product(name="Chè Tân Cương", price_vnd=100000)
    db.session.commit()
    with client.session_transaction() as session:
        session["cart"] = {str(product.id): 2, "abc": 1, "99999999": 1, str(product.id + 1000): "x"}
    summary = carts.load_cart(guest_cart={str(product.id): 2, "abc": 1, "99999999": 1})
    assert [(item.product.id, item.quantity) for item in summary.items] == [(product.id, 2)]
    page = client.get("/cart")
    assert page.status_code == 200 and "Chè Tân Cương" in page.get_data(as_text=True)


def test_merging_skips_unlisted_products_and_says_which_are_out_of_stock(client):
    """At login a draft product is dropped silently, an out-of-stock one with a note, the rest is added."""
    listed, sold_out, draft = make_product(stock=5), make_product(name="Mắm tôm", stock=1), make_product(stock=5)
    user = make_user()
    guest = {str(listed.id): 2, str(sold_out.id): 1, str(draft.id): 1, "junk": 1}
    from marketplace.stock import services as stock

    stock.adjust(stock.level_for(sold_out.id, stock.warehouse_for(sold_out.producer).id), -1, reason="sold")
    draft.status = ProductStatus.DRAFT
    notes = carts.merge_guest_cart(user, guest)
    assert _lines(user) == {listed.id: 2}
    assert len(notes) == 1 and "Mắm tôm" in notes[0]
    assert guest == {}
