"""Producer sign-up is reachable: "Bán hàng cùng Chợ OCOP" in the header, the footer and the login page, leading
to the sign-up page that lists what to prepare."""

from tests.factories import make_user


def test_visitors_see_the_sell_link_in_the_header_and_footer(client):
    """The home page links to the producer sign-up twice (header and footer)."""
    text = client.get("/").get_data(as_text=True)
    assert text.count('href="/manage/join"') == 2 and "Bán hàng cùng Chợ OCOP" in text


def test_the_login_page_links_to_the_producer_sign_up(client):
    """The login page asks "producer or cooperative?" and links to the sign-up."""
    text = client.get("/accounts/login").get_data(as_text=True)
    assert "Bạn là chủ thể sản xuất hay hợp tác xã?" in text and 'href="/manage/join"' in text


def test_the_sign_up_page_says_what_to_prepare(client):
    """The certificate scan and the business details are named before the form."""
    text = client.get("/manage/join").get_data(as_text=True)
    assert "Cần chuẩn bị" in text and "bản quét" in text and "mã số thuế" in text


def test_signed_in_shoppers_do_not_get_the_header_link(client, login_as):
    """A signed-in account has its own menu; the header link is for visitors (the footer keeps one)."""
    login_as(make_user())
    assert client.get("/").get_data(as_text=True).count('href="/manage/join"') == 1


def test_an_address_that_bought_without_an_account_can_register_a_shop(client, outbox):
    """The guest account of that e-mail becomes the shop's first member, keeping its orders."""
    import sqlalchemy as sa

    from marketplace.accounts.models import Role, User
    from marketplace.accounts.services import guest_account
    from marketplace.extensions import db
    from tests.producers.test_views import PASSWORDS, _signup_data

    guest = guest_account("an@htx.example", full_name="Nguyễn Văn An", phone="0912345678")
    db.session.commit()
    client.post("/manage/join", data=_signup_data())
    link = outbox.link("an@htx.example", "/manage/join/")
    response = client.post(link, data=PASSWORDS)
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/")
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == "an@htx.example"))
    assert user.id == guest.id and user.role == Role.PRODUCER and not user.is_guest and user.producer_id
