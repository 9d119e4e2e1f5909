"""Buying without an account: the guest checkout, the signed order link, and claiming the order later."""

import re

import pytest
import sqlalchemy as sa

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.orders import guest_links, queries
from marketplace.orders.models import Order, PaymentMethod
from marketplace.orders.status import OrderStatus
from marketplace.stock.models import StockMovement
from marketplace.vouchers.models import VoucherRedemption
from tests.factories import DEFAULT_PASSWORD, make_product, make_user
from tests.fixtures.auth import log_in_through_form
from tests.orders.helpers import checkout_form, stock_of
from tests.vouchers.helpers import make_voucher

GUEST_EMAIL = "khach@example.com"


def _guest_form(client, **changes) -> dict:
    """The guest checkout form as the page shows it (its token and cart fingerprint), filled in."""
    page = client.get("/checkout/guest").get_data(as_text=True)
    token = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page).group(1)
    signature = re.search(r'id="cart_signature" name="cart_signature" type="hidden" value="([^"]+)"', page).group(1)
    form = checkout_form(token=token, email=GUEST_EMAIL, cart_signature=signature)
    form.pop("save_address")
    form.update(changes)
    return form


def _orders() -> list[Order]:
    return list(db.session.scalars(sa.select(Order).options(*queries.ORDER_GRAPH).order_by(Order.id)))


@pytest.fixture
def guest_with_cart(client):
    """A visitor (no account) with 2 units of a 150.000 ₫ product in the session cart."""
    product = make_product(price_vnd=150000, stock=5)
    db.session.commit()
    assert client.post("/cart/add", data={"product_id": product.id, "quantity": 2}).status_code == 302
    return product


def _place(client, **changes):
    return client.post("/checkout/guest", data=_guest_form(client, **changes))


def test_a_visitor_buys_without_an_account_and_gets_the_link_by_mail(client, guest_with_cart, outbox):
    """Name, phone, address and e-mail are enough: the order is placed, stock reserved, the link e-mailed."""
    product = guest_with_cart
    response = _place(client)
    assert response.status_code == 302 and "/orders/guest/" in response.headers["Location"]
    [order] = _orders()
    assert order.payment_method == PaymentMethod.COD and order.guest_key
    assert order.recipient_phone == "0912345678"
    assert order.buyer.email == GUEST_EMAIL and order.buyer.is_guest
    assert stock_of(product) == 3
    assert client.get("/cart").get_data(as_text=True).count(product.name) == 0
    mailed = outbox.link(GUEST_EMAIL, "/orders/guest/")
    page = client.get(mailed)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert order.number in text and product.name in text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_guest_checkout_page_has_no_saved_addresses_and_cash_on_delivery_first(client, guest_with_cart):
    """The form asks for an e-mail, offers only what a guest can pay with, cash on delivery first."""
    page = client.get("/checkout/guest").get_data(as_text=True)
    assert 'name="email"' in page and 'name="save_address"' not in page
    methods = re.findall(r'name="payment_method"[^>]*value="([a-z]+)"|value="([a-z]+)"[^>]*name="payment_method"', page)
    assert [a or b for a, b in methods] == ["cod", "vietqr"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": ""}, "email", "Vui lòng nhập địa chỉ e-mail"),
    ({"email": "khong-phai-email"}, "email", "e-mail hợp lệ"),
    ({"phone": "12345"}, "phone", "số di động"),
    ({"full_name": "  "}, "full_name", "tên người nhận"),
    ({"payment_method": "card"}, "payment_method", "tiền mặt khi nhận hàng hoặc chuyển khoản"),
])
def test_bad_guest_details_are_refused_in_vietnamese_and_what_was_typed_stays(client, guest_with_cart, changes,
                                                                               field, message):
    """Each bad field gets a Vietnamese message; nothing is ordered and the typed values are shown again."""
    response = _place(client, street="Số 99 phố Hàng Bạc", **changes)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and "Số 99 phố Hàng Bạc" in text
    assert _orders() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == GUEST_EMAIL)) == 0


def test_a_bank_transfer_guest_order_shows_the_qr_code_and_mails_the_link(client, guest_with_cart, outbox):
    """VietQR: the link's page has the QR code, a PNG to save, and the values to copy; the link is e-mailed."""
    response = _place(client, payment_method="vietqr")
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    [order] = _orders()
    assert "<svg" in text and "Lưu mã QR" in text and "thư viện ảnh" in text
    assert f'data-copy-text="{order.total_vnd}"' in text and f">{order.number}</code>" in text
    png = client.get(response.headers["Location"] + "/vietqr.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert f'vietqr-{order.number}.png' in png.headers["Content-Disposition"]
    assert "/orders/guest/" in outbox.link(GUEST_EMAIL, "/orders/guest/")


def test_the_same_form_twice_places_one_order(app, client, guest_with_cart):
    """A double submit goes back to the first order instead of ordering again, also from a browser whose
    session missed the first answer (the form's secret token is what names the order)."""
    form = _guest_form(client)
    first = client.post("/checkout/guest", data=form)
    second = client.post("/checkout/guest", data=form)
    assert second.headers["Location"] == first.headers["Location"]
    assert app.test_client().post("/checkout/guest", data=form).headers["Location"] == first.headers["Location"]
    assert len(_orders()) == 1


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_a_guest_cancels_from_the_link_with_a_reason_and_the_stock_comes_back(client, guest_with_cart, outbox):
    """The link's cancel button opens the same page as a signed-in buyer's (the shop's part, the reasons in
    Vietnamese, the link kept out of Referer headers); cancelling keeps the chosen reason and the words for the
    shop, puts the units back and returns to the order's link."""
    product = guest_with_cart
    make_user("shop@example.test", role=Role.PRODUCER, producer_id=product.producer_id)
    db.session.commit()
    link = _place(client).headers["Location"]
    [order] = _orders()
    sub = order.producer_orders[0]
    detail = _text(client.get(link + "?lang=vi"))
    assert f'href="{link}/cancel"' in detail and f'action="{link}/cancel"' not in detail
    page = client.get(link + "/cancel?lang=vi")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    text = _text(page)
    assert f'action="{link}/cancel"' in text and f'name="parts" value="{sub.id}" checked' in text
    assert "Tôi không muốn mua nữa" in text and "Lý do khác" in text and "I no longer want" not in text
    assert f'href="{link}">Không, giữ đơn hàng' in text
    outbox.clear()
    response = client.post(link + "/cancel?lang=vi", data={"parts": [str(sub.id)], "reason": "too_slow",
                                                           "note": "Đặt nhầm  ngày"})
    assert response.status_code == 302 and response.headers["Location"] == link
    assert "Đã hủy:" in _text(client.get(link + "?lang=vi"))
    [order] = _orders()
    last = order.producer_orders[0].events[-1]
    assert (order.status, last.reason_code, last.reason, last.actor_id) == (
        OrderStatus.CANCELLED, "too_slow", "Đặt nhầm ngày", order.buyer_id)
    assert stock_of(product) == 5
    [to_shop] = outbox.wait_for(2).to("shop@example.test")[-1:]
    assert "người mua hủy" in to_shop["Subject"].lower()
    assert "Đặt nhầm ngày" in to_shop.get_body(("plain",)).get_content()


def test_a_guest_must_give_a_reason_like_a_signed_in_buyer(client, guest_with_cart):
    """No reason, or "another reason" without words: the page again (400) with the same Vietnamese messages and
    what was typed; nothing is cancelled."""
    link = _place(client).headers["Location"]
    [order] = _orders()
    parts = [str(order.producer_orders[0].id)]
    missing = client.post(link + "/cancel?lang=vi", data={"parts": parts, "note": "giao chậm quá"})
    assert missing.status_code == 400 and "Vui lòng chọn lý do hủy đơn." in _text(missing)
    assert "giao chậm quá" in _text(missing) and missing.headers["Referrer-Policy"] == "no-referrer"
    other = client.post(link + "/cancel?lang=vi", data={"parts": parts, "reason": "other", "note": " "})
    assert other.status_code == 400 and "Vui lòng ghi ngắn gọn lý do bạn hủy đơn." in _text(other)
    none = client.post(link + "/cancel?lang=vi", data={"reason": "changed_mind"})
    assert none.status_code == 400 and "Hãy chọn ít nhất một phần đơn" in _text(none)
    assert client.post(link + "/cancel?lang=vi").status_code == 400  # the old bare button's request
    [order] = _orders()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize("tamper", ["forged", "other_key", "truncated", "garbage", "too_long"])
def test_a_guessed_or_altered_link_reveals_no_order(app, client, tamper):
    """Only the exact signed token opens its order; forged signatures, another order's id with this key, a cut
    token, junk and a huge token are all the same 404, with no order number in the answer."""
    buyer = make_user()
    product = make_product(stock=5)
    from tests.orders.helpers import place
    order = place(buyer, [product])
    order.guest_key = guest_links.new_guest_key()
    other = place(buyer, [make_product(stock=5)])
    other.guest_key = guest_links.new_guest_key()
    db.session.commit()
    from itsdangerous import URLSafeSerializer
    token = guest_links.link_token(order)
    tokens = {
        "forged": URLSafeSerializer("not-the-secret", salt="orders.guest-link").dumps([other.id, order.guest_key]),
        "other_key": URLSafeSerializer(app.config["SECRET_KEY"], salt="orders.guest-link").dumps(
            [other.id, order.guest_key]),
        "truncated": token[:-3],
        "garbage": "a" * 40,
        "too_long": token + "x" * 300,
    }
    response = client.get(f"/orders/guest/{tokens[tamper]}")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert order.number not in text and other.number not in text
    assert client.post(f"/orders/guest/{tokens[tamper]}/cancel").status_code == 404
    assert client.get(f"/orders/guest/{tokens[tamper]}/cancel").status_code == 404
    assert client.get(f"/orders/guest/{token}").status_code == 200


def test_a_signed_in_users_order_has_no_guest_link(client):
    """An order placed signed in has no guest key, so no token can ever name it."""
    from tests.orders.helpers import place
    order = place(make_user(), [make_product(stock=5)])
    with pytest.raises(ValueError):
        guest_links.link_token(order)


def test_trying_many_links_is_slowed_down(app, client):
    """After the limit of link attempts from one address the answer is 429."""
    app.config["GUEST_LINK_RATE_LIMIT"] = "5/minute"
    try:
        answers = [client.get(f"/orders/guest/guess-{n}").status_code for n in range(7)]
    finally:
        app.config.pop("GUEST_LINK_RATE_LIMIT")
    assert answers[:5] == [404] * 5 and answers[-1] == 429


def test_guest_checkouts_are_rate_limited(app, client, guest_with_cart):
    """Placing orders without an account is limited per address."""
    app.config["GUEST_CHECKOUT_RATE_LIMIT"] = "2/hour"
    try:
        codes = [client.post("/checkout/guest", data={"email": "x"}).status_code for _ in range(3)]
    finally:
        app.config.pop("GUEST_CHECKOUT_RATE_LIMIT")
    assert codes[-1] == 429


def test_a_guest_account_cannot_log_in(client, guest_with_cart):
    """The account made at checkout has no password: no password opens it."""
    _place(client)
    assert accounts.authenticate(GUEST_EMAIL, "") is None
    assert accounts.authenticate(GUEST_EMAIL, "!guest") is None
    assert log_in_through_form(client, GUEST_EMAIL, "!guest").status_code == 200


def test_signing_up_with_the_email_claims_the_guest_orders(client, guest_with_cart, outbox):
    """Signing up with the e-mail ordered with turns the guest account into an account with its orders."""
    _place(client)
    [order] = _orders()
    client.post("/accounts/signup", data={"full_name": "Nguyễn Văn An", "email": GUEST_EMAIL})
    finish = outbox.link(GUEST_EMAIL, "/accounts/signup/")
    response = client.post(finish, data={"password": "mat-khau-moi-123", "confirm": "mat-khau-moi-123"})
    assert response.status_code == 302
    user = accounts.find_user_by_email(GUEST_EMAIL)
    assert not user.is_guest and user.id == order.buyer_id
    assert order.number in client.get("/orders").get_data(as_text=True)
    assert client.get(f"/orders/{order.number}").status_code == 200


def test_ordering_as_a_guest_with_an_accounts_email_puts_the_order_in_that_account(client, guest_with_cart):
    """The answer never says whether the e-mail has an account; its owner finds the order after logging in."""
    owner = make_user(GUEST_EMAIL)
    db.session.commit()
    response = _place(client)
    assert response.status_code == 302 and "/orders/guest/" in response.headers["Location"]
    [order] = _orders()
    assert order.buyer_id == owner.id
    log_in_through_form(client, GUEST_EMAIL, DEFAULT_PASSWORD)
    assert order.number in client.get("/orders").get_data(as_text=True)


def test_a_signed_in_shopper_claims_the_order_from_the_link(client, guest_with_cart):
    """From the link, "Add to my account" moves the order; the link stops working; others cannot."""
    link = _place(client).headers["Location"]
    shopper = make_user("nguoi-mua@example.com")
    db.session.commit()
    log_in_through_form(client, "nguoi-mua@example.com", DEFAULT_PASSWORD)
    page = client.get(link).get_data(as_text=True)
    assert "Thêm vào tài khoản của tôi" in page
    response = client.post(link + "/claim")
    [order] = _orders()
    assert response.headers["Location"].endswith(f"/orders/{order.number}")
    assert order.buyer_id == shopper.id and order.guest_key is None
    assert client.get(link).status_code == 404


def test_a_one_use_voucher_is_one_use_per_phone_for_guests(client, guest_with_cart):
    """A second guest order to the same phone number with a new e-mail cannot reuse a one-per-buyer voucher."""
    make_voucher("GIAM10", per_user_limit=1)
    db.session.commit()
    client.post("/cart/voucher", data={"code": "GIAM10"})
    _place(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoucherRedemption)) == 1
    product = make_product(price_vnd=90000, stock=5)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    client.post("/cart/voucher", data={"code": "GIAM10"})
    response = _place(client, email="email-khac@example.com")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    assert "số điện thoại này" in client.get("/cart").get_data(as_text=True)
    assert len(_orders()) == 1


def test_a_one_use_voucher_is_one_use_per_email_for_guests(client, guest_with_cart):
    """The same e-mail with another phone is the same buyer: the per-buyer limit holds atomically."""
    make_voucher("GIAM10", per_user_limit=1)
    db.session.commit()
    client.post("/cart/voucher", data={"code": "GIAM10"})
    _place(client)
    product = make_product(price_vnd=90000, stock=5)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    client.post("/cart/voucher", data={"code": "GIAM10"})
    response = _place(client, phone="0987654321")
    assert response.headers["Location"].endswith("/cart")
    assert len(_orders()) == 1


def test_a_guest_order_reserves_stock_through_the_movement_log(client, guest_with_cart):
    """The reservation is a stock movement like any order's."""
    _place(client)
    [order] = _orders()
    movements = db.session.scalars(sa.select(StockMovement).where(StockMovement.reference == f"order:{order.number}"))
    assert [m.quantity_change for m in movements] == [-2]


def test_a_signed_in_shopper_going_to_the_guest_checkout_goes_to_the_normal_one(client, login_as):
    """The guest form is for visitors only."""
    login_as(make_user())
    response = client.get("/checkout/guest")
    assert response.status_code == 302 and response.headers["Location"].endswith("/checkout")


def test_the_cart_offers_both_ways_to_check_out_to_a_visitor(client, guest_with_cart):
    """A visitor's cart has "buy without an account" and "log in and check out"."""
    text = client.get("/cart").get_data(as_text=True)
    assert "/checkout/guest" in text and "Mua không cần tài khoản" in text and "Đăng nhập để thanh toán" in text


def test_the_demo_has_illustrative_guest_orders():
    """The demo places a cash and a bank-transfer order without an account, once (idempotent)."""
    from marketplace.demo.guests import GUEST_EMAIL as DEMO_EMAIL
    from marketplace.demo.guests import load_guest_orders
    for _ in range(3):
        make_product(stock=5)
    assert load_guest_orders() == 2
    assert load_guest_orders() == 0
    orders = _orders()
    assert sorted(order.payment_method.value for order in orders) == ["cod", "vietqr"]
    assert all(order.guest_key and order.buyer.email == DEMO_EMAIL and order.buyer.is_guest for order in orders)
