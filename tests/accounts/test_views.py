"""Sign-up, login, logout and the account page, as a visitor or an attacker sees them."""

import re
import unicodedata

import pytest
from flask import g
from flask_login import user_logged_in

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from tests.factories import make_producer, make_user
from tests.fixtures.auth import DEFAULT_PASSWORD, log_in_through_form

SIGNUP = {"full_name": "Nguyễn Thị Hoa", "email": "Hoa.Nguyen@Example.com"}
PASSWORDS = {"password": "mật khẩu dài 123", "confirm": "mật khẩu dài 123"}


def _user_count() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def _is_logged_in(client) -> bool:
    return client.get("/accounts/").status_code == 200


# --- sign up -------------------------------------------------------------------------------------------

def _finish_signup(client, outbox, passwords=PASSWORDS):
    """Follow the link e-mailed after sign-up and choose the password; return the response."""
    link = outbox.link("hoa.nguyen@example.com", "/accounts/signup/")
    assert client.get(link).status_code == 200
    return client.post(link, data=passwords)


def test_signup_mails_a_link_and_the_link_creates_a_consumer_and_signs_in(client, outbox):
    """A visitor signs up, gets a link by e-mail, chooses a password there, lands signed in and gets a welcome
    e-mail; the e-mail is stored lower-case. Nothing exists before the link is followed."""
    response = client.post("/accounts/signup", data=SIGNUP)
    assert response.status_code == 302 and response.headers["Location"].endswith("/accounts/login")
    assert db.session.scalar(db.select(User).where(User.email == "hoa.nguyen@example.com")) is None
    assert outbox.wait_for(1)[0]["Subject"] == "Hoàn tất tạo tài khoản Chợ OCOP"
    assert _finish_signup(client, outbox).status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "hoa.nguyen@example.com"))
    assert user is not None and user.role == Role.CONSUMER and user.full_name == "Nguyễn Thị Hoa"
    assert user.password_hash.startswith("scrypt:")
    assert _is_logged_in(client)
    outbox.wait_for(2)
    assert outbox[1]["To"] == "hoa.nguyen@example.com"
    assert outbox[1]["Subject"] == "Chào mừng bạn đến với Chợ OCOP"
    # The link works once: the account exists now.
    client.post("/accounts/logout", data={})
    again = client.get(outbox.link("hoa.nguyen@example.com", "/accounts/signup/"))
    assert again.status_code == 302 and again.headers["Location"].endswith("/accounts/login")


def test_a_forged_signup_link_creates_nothing(client):
    before = _user_count()
    response = client.get("/accounts/signup/forged.token")
    assert response.status_code == 302 and response.headers["Location"].endswith("/accounts/signup")
    assert client.post("/accounts/signup/forged.token", data=PASSWORDS).status_code == 302
    assert _user_count() == before


def test_signup_stores_names_in_nfc(client, outbox):
    """A name typed in decomposed Unicode (macOS) is stored composed."""
    decomposed = unicodedata.normalize("NFD", "Trần Văn Đức")
    client.post("/accounts/signup", data={**SIGNUP, "full_name": decomposed})
    _finish_signup(client, outbox)
    user = db.session.scalar(db.select(User).where(User.email == "hoa.nguyen@example.com"))
    assert user.full_name == unicodedata.normalize("NFC", "Trần Văn Đức")


def test_signup_with_an_address_in_use_whatever_its_case_tells_only_its_owner(client, outbox):
    """Signing up again with the same address in other letters creates nothing; the owner is told by e-mail."""
    make_user("hoa.nguyen@example.com")
    before = _user_count()
    response = client.post("/accounts/signup", data=SIGNUP)
    assert response.status_code == 302
    assert _user_count() == before
    assert outbox.wait_for(1)[0]["Subject"] == "Có người thử đăng ký bằng địa chỉ email của bạn"


@pytest.mark.parametrize("change, message", [
    ({"full_name": ""}, "Vui lòng nhập họ tên."),
    ({"full_name": "   "}, "Vui lòng nhập họ tên."),
    ({"full_name": "x" * 121}, "Họ tên quá dài (tối đa 120 ký tự)."),
    ({"email": ""}, "Vui lòng nhập email."),
    ({"email": "not-an-address"}, "Vui lòng nhập email hợp lệ"),
    ({"email": "a" * 250 + "@example.com"}, "Email quá dài."),
    ({"password": "short", "confirm": "short"}, "Mật khẩu phải dài từ 8 đến 128 ký tự."),
    ({"password": "p" * 129, "confirm": "p" * 129}, "Mật khẩu phải dài từ 8 đến 128 ký tự."),
    ({"confirm": "something else entirely"}, "Hai mật khẩu không khớp nhau."),
    ({"password": "", "confirm": ""}, "Vui lòng nhập mật khẩu."),
])
def test_signup_bad_input_is_explained_and_kept(client, outbox, change, message):
    """Bad sign-up input shows a clear Vietnamese message, keeps the typed name and e-mail, and creates nothing.
    (Passwords are chosen on the page the e-mailed link opens.)"""
    before = _user_count()
    data = {**SIGNUP, **PASSWORDS, **change}
    if change.keys() & PASSWORDS.keys():
        client.post("/accounts/signup", data=SIGNUP)
        response = _finish_signup(client, outbox, {key: data[key] for key in PASSWORDS})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html
        assert "mật khẩu dài 123" not in html  # passwords are never sent back
        assert _user_count() == before and not _is_logged_in(client)
        return
    response = client.post("/accounts/signup", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    if data["full_name"].strip() and len(data["full_name"]) <= 120:
        assert f'value="{data["full_name"]}"' in html
    if "@" in data["email"] and len(data["email"]) < 254:
        assert 'value="hoa.nguyen@example.com"' in html
    assert "mật khẩu dài 123" not in html  # passwords are never sent back
    assert _user_count() == before
    assert not _is_logged_in(client)


# --- log in --------------------------------------------------------------------------------------------

def test_login_with_any_letter_case_and_return_to_next(client):
    """The e-mail is matched whatever its case, and the user returns to the same-site page asked for."""
    user = make_user("lan@example.test")
    response = log_in_through_form(client, "LAN@Example.TEST", next="/accounts/password")
    assert response.status_code == 302
    assert response.location == "/accounts/password"
    assert _is_logged_in(client)
    assert user.last_login_at is not None


def test_wrong_password_is_refused_and_the_address_kept(client):
    """A wrong password shows one message for both unknown address and wrong password, keeping the address."""
    make_user("lan@example.test")
    for email in ("lan@example.test", "nobody@example.test"):
        response = log_in_through_form(client, email, "wrong password")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Email hoặc mật khẩu không đúng." in html
        assert f'value="{email}"' in html
        assert "wrong password" not in html
    assert not _is_logged_in(client)


@pytest.mark.parametrize("data, message", [
    ({"email": "", "password": "x"}, "Vui lòng nhập email."),
    ({"email": "lan@example.test", "password": ""}, "Vui lòng nhập mật khẩu."),
    ({"email": "lan@", "password": "x"}, "Vui lòng nhập email hợp lệ"),
    ({"email": "lan@example.test", "password": "x" * 200}, "Mật khẩu quá dài."),
])
def test_login_bad_input_is_explained(client, data, message):
    """Empty, malformed or oversized login input gets a clear message, not an error page."""
    response = client.post("/accounts/login", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client):
    """A deactivated account cannot sign in, even with the right password."""
    make_user("gone@example.test", is_active=False)
    response = log_in_through_form(client, "gone@example.test")
    assert response.status_code == 200
    assert not _is_logged_in(client)


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\/evil.example", "/%5Cevil.example",
    "javascript:alert(1)", "http:evil.example", "%2F%2Fevil.example",
])
def test_login_refuses_to_redirect_off_site(client, target):
    """After login a foreign ?next= is ignored and the user lands on the home page."""
    make_user("lan@example.test")
    response = client.post(f"/accounts/login?next={target}",
                           data={"email": "lan@example.test", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"


def test_login_refuses_off_site_next_from_the_form_field(client):
    """The hidden next field is checked the same way as the query string."""
    make_user("lan@example.test")
    response = client.post("/accounts/login", data={"email": "lan@example.test", "password": DEFAULT_PASSWORD,
                                                    "next": "//evil.example/"})
    assert response.location == "/"


def test_login_issues_a_fresh_session(client):
    """Session fixation: at login the session is replaced (new cookie, planted keys gone, the old cookie is nobody)."""
    make_user("lan@example.test")
    with client.session_transaction() as session:
        session["planted"] = "attacker"
    before = client.get_cookie("session").value
    log_in_through_form(client, "lan@example.test")
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]
    other = type(client)(client.application, client.response_wrapper, use_cookies=True)
    other.set_cookie("session", before)
    assert not _is_logged_in(other)


def test_login_keeps_the_guest_cart_for_the_merge(client):
    """The guest cart survives the fresh session, so the cart can merge it when the user logs in."""
    make_user("lan@example.test")
    with client.session_transaction() as session:
        session["planted"] = "attacker"
        session["cart"] = {"7": 2}
    with user_logged_in.muted():  # without the orders package's merge, which empties the key
        log_in_through_form(client, "lan@example.test")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["cart"] == {"7": 2}


# --- log out -------------------------------------------------------------------------------------------

def test_logout_needs_post(client, login_as):
    """A link or image cannot log anybody out: GET /accounts/logout is not allowed."""
    login_as(make_user())
    assert client.get("/accounts/logout").status_code == 405
    assert _is_logged_in(client)


def test_old_session_cookie_is_dead_after_logout(client, app):
    """A session cookie copied before logout no longer signs anybody in afterwards."""
    user = make_user("lan@example.test")
    log_in_through_form(client, "lan@example.test")
    stolen = client.get_cookie("session").value
    token_before = user.session_token
    response = client.post("/accounts/logout")
    assert response.status_code == 302
    assert not _is_logged_in(client)
    db.session.refresh(user)
    assert user.session_token != token_before
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert not _is_logged_in(thief)


def test_remember_me_cookie_works_until_logout(client, app):
    """The remember-me cookie signs the user in on its own, and stops working once the user logs out."""
    make_user("lan@example.test")
    log_in_through_form(client, "lan@example.test", remember=True)
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered.value)
    assert _is_logged_in(fresh)
    client.post("/accounts/logout")
    assert client.get_cookie("remember_token") is None
    later = app.test_client()
    later.set_cookie("remember_token", remembered.value)
    assert not _is_logged_in(later)


def test_logout_signs_out_other_devices_too(client, app, login_as):
    """Logging out rotates the session token, so the same account on another device is signed out as well."""
    user = make_user()
    phone = app.test_client()
    login_as(user)
    login_as(user, phone)
    assert _is_logged_in(phone)
    client.post("/accounts/logout")
    assert not _is_logged_in(phone)


def test_csrf_token_is_required_when_enabled(app, client, monkeypatch):
    """With CSRF on (as in production), a POST without the token is refused with 400 and changes nothing."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user("lan@example.test")
    token_before = user.session_token
    assert client.post("/accounts/login", data={"email": "lan@example.test", "password": DEFAULT_PASSWORD}
                       ).status_code == 400
    page = client.get("/accounts/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/accounts/login",
                           data={"email": "lan@example.test", "password": DEFAULT_PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302
    assert client.post("/accounts/logout").status_code == 400
    db.session.refresh(user)
    assert user.session_token == token_before
    assert _is_logged_in(client)
    # The menu's logout button carries the visitor's token: it works.
    g.pop("csrf_token", None)  # Flask-WTF keeps the token on g, which the tests' requests share
    menu = client.get("/products").get_data(as_text=True)
    button = re.search(r'action="/accounts/logout".*?name="csrf_token" value="([^"]+)"', menu, re.S).group(1)
    assert client.post("/accounts/logout", data={"csrf_token": button}).status_code == 302
    assert not _is_logged_in(client)


# --- account page and menu -----------------------------------------------------------------------------

def test_account_page_needs_login(client):
    """A guest asking for the account page is sent to log in and brought back afterwards."""
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response.location == "/accounts/login?next=/accounts/"
    assert "Vui lòng đăng nhập để xem trang này." in client.get(response.location).get_data(as_text=True)


def test_account_page_shows_name_email_and_role(client, login_as):
    """The account page shows who is signed in and in which role."""
    producer = make_producer("Hợp tác xã Chè Tân Cương")
    login_as(make_user("member@example.test", role=Role.PRODUCER, producer=producer, full_name="Lê Văn Nam"))
    html = client.get("/accounts/").get_data(as_text=True)
    assert "Lê Văn Nam" in html
    assert "member@example.test" in html
    assert "Thành viên cơ sở sản xuất" in html
    assert "Hợp tác xã Chè Tân Cương" in html


def test_menu_for_guests_offers_login_and_signup(client):
    """Guests see "Đăng nhập / Đăng ký" in the header."""
    html = client.get("/").get_data(as_text=True)
    assert "Đăng nhập" in html and "Đăng ký" in html
    assert 'action="/accounts/logout"' not in html


def test_menu_for_users_shows_name_and_logout(client, login_as):
    """A signed-in user sees their name and a logout button (a POST form), not the login link."""
    login_as(make_user(full_name="Phạm Minh Thu"))
    html = client.get("/").get_data(as_text=True)
    assert "Phạm Minh Thu" in html
    assert 'action="/accounts/logout"' in html
    assert "Đăng ký" not in html


def test_login_page_in_english(client):
    """The forms speak English when the visitor chose English."""
    html = client.get("/accounts/login?lang=en").get_data(as_text=True)
    assert "Remember me on this device" in html
    assert "Forgot your password?" in html


def test_menu_links_follow_the_role(app, client, login_as):
    """A producer member's menu links to the shop dashboard and an admin's to administration, when those exist."""
    member = make_user(role=Role.PRODUCER, producer=make_producer())
    admin = make_user(role=Role.ADMIN)
    member_html = login_as(member).get("/").get_data(as_text=True)
    admin_html = login_as(admin, app.test_client()).get("/").get_data(as_text=True)
    if "producers_manage.dashboard" in app.view_functions:
        assert "Gian hàng của tôi" in member_html and "Gian hàng của tôi" not in admin_html
    if "admin.index" in app.view_functions:
        assert "Quản trị" in admin_html and ">Quản trị<" not in member_html


def test_has_endpoint_reports_what_the_app_serves(app):
    """The template global has_endpoint() is true for real endpoints only."""
    with app.test_request_context("/"):
        template = app.jinja_env.from_string("{{ has_endpoint('accounts.login') }} {{ has_endpoint('nope.index') }}")
        assert template.render() == "True False"
