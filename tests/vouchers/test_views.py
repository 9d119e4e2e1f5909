"""What shoppers, producers and the program office see of vouchers: the cart's voucher box, the checkout, the
admin and producer screens, and who may do what."""

import re
from datetime import timedelta

import sqlalchemy as sa

from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.models import Order
from marketplace.vouchers.models import CostBearer, Voucher, VoucherEvent, VoucherKind, voucher_products
from marketplace.vouchers.status import VoucherStatus
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import checkout_form
from tests.vouchers.helpers import make_voucher


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


def _buyer_with_cart(login_as, price_vnd=200_000):
    buyer = make_user()
    product = make_product(price_vnd=price_vnd, producer=make_producer(shipping_fee_vnd=30_000))
    carts.add_to_cart(product.id, 1, user=buyer)
    login_as(buyer)
    return buyer, product


def test_cart_applies_a_code_and_shows_the_discount_line_and_a_remove_button(client, login_as):
    """Typing a code (any case) applies it: the cart shows the discount, the new total and a way to remove it."""
    _buyer_with_cart(login_as)
    make_voucher("TET2027", percent=10)
    response = client.post("/cart/voucher?lang=en", data={"code": " tet2027 "})
    assert response.status_code == 302
    page = _text(client.get("/cart?lang=en"))
    assert "Voucher TET2027" in page and "−20.000\xa0₫" in page
    assert "210.000\xa0₫" in page  # 200.000 + 30.000 shipping − 20.000
    assert "Remove the voucher" in page
    client.post("/cart/voucher/remove")
    page = _text(client.get("/cart?lang=en"))
    assert "Voucher TET2027" not in page and "230.000\xa0₫" in page


def test_a_refused_code_is_explained_in_vietnamese_and_the_form_keeps_what_was_typed(client, login_as):
    """An expired code: 400, the reason in Vietnamese by default, the typed code still in the box."""
    _buyer_with_cart(login_as)
    make_voucher("CUCU", valid_from=today_vn() - timedelta(days=9), valid_until=today_vn() - timedelta(days=2))
    response = client.post("/cart/voucher", data={"code": "cucu"})
    assert response.status_code == 400
    page = _text(response)
    assert "đã hết hạn" in page and 'value="cucu"' in page and 'aria-invalid="true"' in page
    english = _text(client.post("/cart/voucher?lang=en", data={"code": "nope-nope"}))
    assert "There is no voucher with the code “NOPE-NOPE”" in english


def test_checkout_places_the_order_with_the_discount_and_forgets_the_code(client, login_as):
    """The checkout page shows the discount; the placed order carries it; the cart no longer holds the code."""
    buyer, _product = _buyer_with_cart(login_as)
    make_voucher("GIAM50K", kind=VoucherKind.FIXED, amount_vnd=50_000)
    client.post("/cart/voucher", data={"code": "giam50k"})
    page = client.get("/checkout?lang=en")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    signature = re.search(r'name="cart_signature" type="hidden" value="([^"]+)"',
                          page.get_data(as_text=True)).group(1)
    assert "Voucher GIAM50K" in _text(page)
    response = client.post("/checkout", data=checkout_form(token=token, cart_signature=signature))
    assert response.status_code == 302
    order = db.session.scalar(sa.select(Order).where(Order.buyer_id == buyer.id))
    assert (order.voucher_code, order.discount_vnd, order.total_vnd) == ("GIAM50K", 50_000, 180_000)
    detail = _text(client.get(f"/orders/{order.number}?lang=en"))
    assert "Voucher GIAM50K: −50.000\xa0₫" in detail
    with client.session_transaction() as cookie:
        assert "voucher" not in cookie


def test_checkout_refuses_a_voucher_used_up_meanwhile_and_orders_nothing(client, login_as):
    """The code was applied, then its last use went to someone else: the checkout sends the buyer back to
    the cart with the reason, and no order is placed."""
    buyer, _product = _buyer_with_cart(login_as)
    voucher = make_voucher("CUOI", total_limit=1)
    client.post("/cart/voucher", data={"code": "cuoi"})
    page = client.get("/checkout").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    voucher.used_count = 1
    db.session.commit()
    response = client.post("/checkout?lang=en", data=checkout_form(token=token))
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.buyer_id == buyer.id)) == 0
    assert "has been used up" in _text(client.get("/cart?lang=en"))


def _admin_form(**changes) -> dict:
    today = today_vn()
    form = {"code": "tet-2027", "title": "Quà Tết OCOP", "kind": "percent", "percent": "10", "max_discount": "50.000",
            "min_order": "200000", "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=30)).isoformat(),
            "total_limit": "100", "per_user_limit": "1", "bearer": "platform", "producer_id": "", "product_skus": ""}
    form.update(changes)
    return form


def test_admin_creates_lists_and_pauses_a_voucher(client, login_as):
    """The office creates a code (stored upper-case), sees it with its uses left, pauses and resumes it."""
    login_as(make_user(role="admin"))
    response = client.post("/admin/vouchers/new", data=_admin_form())
    assert response.status_code == 302
    voucher = db.session.scalar(sa.select(Voucher).where(Voucher.code == "TET-2027"))
    assert (voucher.percent, voucher.max_discount_vnd, voucher.min_order_vnd, voucher.bearer) == (
        10, 50_000, 200_000, CostBearer.PLATFORM)
    listing = _text(client.get("/admin/vouchers?lang=en"))
    assert "TET-2027" in listing and "100 of 100" in listing
    client.post(f"/admin/vouchers/{voucher.id}/status", data={})
    db.session.refresh(voucher)
    assert voucher.status == VoucherStatus.PAUSED
    client.post(f"/admin/vouchers/{voucher.id}/status", data={})
    db.session.refresh(voucher)
    assert voucher.status == VoucherStatus.ACTIVE
    events = db.session.scalars(sa.select(VoucherEvent.to_status).where(VoucherEvent.voucher_id == voucher.id)
                                .order_by(VoucherEvent.id)).all()
    assert events == [VoucherStatus.ACTIVE, VoucherStatus.PAUSED, VoucherStatus.ACTIVE]
    detail = _text(client.get(f"/admin/vouchers/{voucher.id}?lang=en"))
    assert "Quà Tết OCOP" in detail and "10\xa0% (at most 50.000\xa0₫)" in detail


def test_admin_form_refuses_bad_input_and_reshows_it(client, login_as):
    """Bad fields: 422, a message next to each, what was typed kept, nothing created."""
    login_as(make_user(role="admin"))
    make_voucher("TAKEN")
    response = client.post("/admin/vouchers/new?lang=en", data=_admin_form(
        code="taken", percent="150", valid_until="2000-01-01", total_limit="-3", bearer="producer"))
    assert response.status_code == 422
    page = _text(response)
    assert "already taken" in page and "from 1 to 100" in page and "on or after the first day" in page
    assert "choose it" in page and 'value="150"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Voucher)) == 1


def test_producer_creates_codes_for_its_own_shop_only_and_bears_them(client, login_as):
    """A producer's code is for its shop and borne by it, whatever the posted form claims."""
    shop = make_producer(name="HTX Mật ong")
    other = make_producer(name="Other")
    login_as(make_user(role="producer", producer=shop))
    response = client.post("/manage/vouchers/new", data=_admin_form(
        code="MATONG15", bearer="platform", producer_id=str(other.id)))
    assert response.status_code == 302
    voucher = db.session.scalar(sa.select(Voucher).where(Voucher.code == "MATONG15"))
    assert (voucher.producer_id, voucher.bearer) == (shop.id, CostBearer.PRODUCER)
    assert "MATONG15" in _text(client.get("/manage/vouchers"))


def test_producer_limits_a_code_to_its_own_products_by_sku(client, login_as):
    """SKUs of its own products are accepted; another shop's SKU is refused by name."""
    shop = make_producer()
    mine = make_product(producer=shop, sku="MO-01")
    make_product(sku="KHAC-01")
    login_as(make_user(role="producer", producer=shop))
    refused = client.post("/manage/vouchers/new?lang=en", data=_admin_form(code="MO1", product_skus="MO-01\nKHAC-01"))
    assert refused.status_code == 422 and "KHAC-01" in _text(refused)
    client.post("/manage/vouchers/new", data=_admin_form(code="MO1", product_skus="MO-01"))
    voucher = db.session.scalar(sa.select(Voucher).where(Voucher.code == "MO1"))
    chosen = db.session.scalars(sa.select(voucher_products.c.product_id)
                                .where(voucher_products.c.voucher_id == voucher.id)).all()
    assert chosen == [mine.id]


def test_producer_cannot_pause_another_shops_or_a_platform_code(client, login_as):
    """Another producer's code and a platform code for its own shop answer 404 and stay active."""
    shop = make_producer()
    others = make_voucher("KHAC", producer=make_producer(), bearer=CostBearer.PRODUCER)
    platform = make_voucher("SAN", producer=shop, bearer=CostBearer.PLATFORM)
    own = make_voucher("CUATOI", producer=shop, bearer=CostBearer.PRODUCER)
    login_as(make_user(role="producer", producer=shop))
    assert client.post(f"/manage/vouchers/{others.id}/status", data={}).status_code == 404
    assert client.post(f"/manage/vouchers/{platform.id}/status", data={}).status_code == 404
    assert client.post(f"/manage/vouchers/{own.id}/status", data={}).status_code == 302
    for voucher, status in ((others, VoucherStatus.ACTIVE), (platform, VoucherStatus.ACTIVE), (own, VoucherStatus.PAUSED)):
        db.session.refresh(voucher)
        assert voucher.status == status
    listing = _text(client.get("/manage/vouchers"))
    assert "SAN" in listing and "KHAC" not in listing


def test_shoppers_and_producers_cannot_open_the_office_screens(client, login_as):
    """The admin voucher screens are the program office's only."""
    login_as(make_user())
    assert client.get("/admin/vouchers").status_code == 403
    login_as(make_user(role="producer", producer=make_producer()))
    assert client.post("/admin/vouchers/new", data=_admin_form()).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Voucher)) == 0
