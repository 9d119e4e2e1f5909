"""Checkout offers the e-wallets only when configured, explains them in Vietnamese, and starts them."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.models import Order
from marketplace.payments.models import Payment
from tests.factories import make_product, make_user
from tests.orders.helpers import checkout_form


def _buyer_with_cart(login_as):
    buyer = make_user()
    carts.add_to_cart(make_product(stock=3).id, 1, user=buyer)
    db.session.commit()
    login_as(buyer)
    return buyer


def test_wallets_are_hidden_without_credentials(client, login_as):
    """No VNPAY or MoMo credentials (the default): checkout offers neither, nor explains them."""
    _buyer_with_cart(login_as)
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="vnpay"' not in page and 'value="momo"' not in page
    assert "VNPAY" not in page and "MoMo" not in page


def test_configured_wallets_are_offered_with_a_vietnamese_explanation(client, login_as, fake_vnpay):
    """With credentials: both wallets are choices, named and explained in Vietnamese (and in English)."""
    _buyer_with_cart(login_as)
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="vnpay"' in page and 'value="momo"' in page
    assert "VNPAY (ứng dụng ngân hàng hoặc VNPAY-QR)" in page and "Ví MoMo" in page
    assert "bạn được chuyển sang trang bảo mật của VNPAY" in page
    english = client.get("/checkout?lang=en").get_data(as_text=True)
    assert "MoMo e-wallet" in english and "VNPAY's secure page" in english


def test_only_the_configured_wallet_is_offered(app, client, login_as, fake_vnpay):
    """MoMo without its secret key: VNPAY is offered, MoMo is not."""
    app.config["MOMO_SECRET_KEY"] = ""
    _buyer_with_cart(login_as)
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="vnpay"' in page and 'value="momo"' not in page


def test_a_wallet_that_is_not_configured_is_refused_with_a_clear_message(client, login_as):
    """A form posted with "momo" while MoMo is off: 400, the reason shown, no order placed, the form kept."""
    _buyer_with_cart(login_as)
    response = client.post("/checkout", data=checkout_form(token="wallet-off", payment_method="momo"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Cách thanh toán này không có sẵn. Vui lòng chọn cách khác." in page
    assert "Số 12, ngõ 34 phố Huế" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_a_vnpay_checkout_goes_straight_to_vnpay(client, login_as, fake_vnpay):
    """Placing a VNPAY order commits it, then sends the buyer to VNPAY's page with a signed URL."""
    _buyer_with_cart(login_as)
    response = client.post("/checkout", data=checkout_form(token="vnpay-direct", payment_method="vnpay"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{fake_vnpay.base_url}/paymentv2/vpcpay.html?")
    order = db.session.scalar(sa.select(Order))
    assert order.payment_method.value == "vnpay" and order.expires_at is not None
    assert db.session.scalar(sa.select(Payment.provider)) == "vnpay"


def test_a_momo_checkout_goes_straight_to_momo(client, login_as, fake_momo):
    """Placing a MoMo order creates the MoMo payment and sends the buyer to its payUrl."""
    _buyer_with_cart(login_as)
    response = client.post("/checkout", data=checkout_form(token="momo-direct", payment_method="momo"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{fake_momo.base_url}/pay/")


def test_the_pay_button_may_redirect_to_a_configured_wallet_only(app, fake_vnpay):
    """The CSP's form-action lets the pay form's redirect reach the configured wallets' pages, no others."""
    from marketplace.security import content_security_policy

    form_action = next(d for d in content_security_policy(app).split("; ") if d.startswith("form-action"))
    assert fake_vnpay.base_url in form_action
    app.config["VNPAY_TMN_CODE"] = app.config["MOMO_PARTNER_CODE"] = ""
    form_action = next(d for d in content_security_policy(app).split("; ") if d.startswith("form-action"))
    assert form_action == "form-action 'self' https://checkout.stripe.com"
