"""VietQR on a phone: save the code as a PNG, copy the account number, amount and transfer note."""

from marketplace.extensions import db
from tests.factories import make_product, make_user
from tests.orders.helpers import place


def _transfer_order(client, login_as):
    buyer = make_user()
    order = place(buyer, [make_product(price_vnd=120000)], method="vietqr")
    db.session.commit()
    login_as(buyer)
    return buyer, order


def test_the_qr_page_offers_the_png_copy_buttons_and_the_photo_library_note(client, login_as):
    """"Lưu mã QR" downloads the PNG; each value has a copy button (shown by the script) and stays selectable."""
    _buyer, order = _transfer_order(client, login_as)
    text = client.get(f"/payments/vietqr/{order.number}").get_data(as_text=True)
    assert f'href="/payments/vietqr/{order.number}.png"' in text and "Lưu mã QR" in text
    assert "thư viện ảnh" in text
    assert text.count('class="copy-button"') == 3 and text.count(" hidden\n") >= 3
    assert f'data-copy-text="{order.total_vnd}"' in text
    assert 'class="copy-value" id="copy-account">0001000000000<' in text
    assert "js/shop.js" in text


def test_the_png_is_the_orders_qr_code(client, login_as):
    """The PNG is an image named after the order, sent as a download."""
    _buyer, order = _transfer_order(client, login_as)
    response = client.get(f"/payments/vietqr/{order.number}.png")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.data.startswith(b"\x89PNG")
    assert response.headers["Content-Disposition"] == f'attachment; filename="vietqr-{order.number}.png"'


def test_another_buyers_png_is_not_found(client, login_as):
    """Someone else's order number gives 404, not their QR code."""
    _buyer, order = _transfer_order(client, login_as)
    login_as(make_user())
    assert client.get(f"/payments/vietqr/{order.number}.png").status_code == 404


def test_a_cash_order_has_no_qr_png(client, login_as):
    """Only bank-transfer orders have a QR code."""
    buyer = make_user()
    order = place(buyer, [make_product()], method="cod")
    db.session.commit()
    login_as(buyer)
    assert client.get(f"/payments/vietqr/{order.number}.png").status_code == 404
