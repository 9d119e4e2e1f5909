"""Password reset by e-mailed link, and password change."""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from werkzeug.security import check_password_hash

from marketplace.accounts import services
from marketplace.extensions import db
from tests.factories import make_user
from tests.fixtures.auth import DEFAULT_PASSWORD, log_in_through_form

NEW_PASSWORD = "một mật khẩu mới 2026"


def _is_logged_in(client) -> bool:
    return client.get("/accounts/").status_code == 200


def _reset_link(outbox) -> str:
    body = outbox.wait_for(1)[-1].get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/accounts/password/reset/\S+)", body).group(1)


def test_reset_request_mails_a_link_in_the_users_language(client, outbox):
    """Asking for a reset sends the account a link, in the account's language, valid for 60 minutes."""
    make_user("lan@example.test", preferred_language="en")
    response = client.post("/accounts/password/reset", data={"email": "Lan@Example.test"})
    assert response.status_code == 302
    message = outbox.wait_for(1)[0]
    assert message["To"] == "lan@example.test"
    assert message["Subject"] == "Reset your password"
    assert "60 minutes" in message.get_body(("plain",)).get_content()
    assert "/accounts/password/reset/" in message.get_body(("html",)).get_content()


def test_reset_request_does_not_reveal_unknown_addresses(client, outbox):
    """An unknown address gets the same answer and no mail is sent."""
    response = client.post("/accounts/password/reset", data={"email": "nobody@example.test"}, follow_redirects=True)
    assert "Nếu có tài khoản đăng ký bằng nobody@example.test" in response.get_data(as_text=True)
    assert len(outbox.wait_for(1, timeout=0.3)) == 0


@pytest.mark.parametrize("email, message", [("", "Vui lòng nhập email."), ("no-at-sign", "Vui lòng nhập email hợp lệ"),
                                            ("x" * 300 + "@example.test", "Email quá dài.")])
def test_reset_request_bad_input(client, outbox, email, message):
    """A malformed address is explained on the form and nothing is sent."""
    response = client.post("/accounts/password/reset", data={"email": email})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert len(outbox.wait_for(1, timeout=0.3)) == 0


def test_reset_link_sets_a_new_password_once(client, app, outbox, login_as):
    """The link sets a new password, signs out other sessions, and cannot be used a second time."""
    user = make_user("lan@example.test")
    laptop = login_as(user, app.test_client())
    client.post("/accounts/password/reset", data={"email": "lan@example.test"})
    link = _reset_link(outbox)
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/accounts/login"
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert not _is_logged_in(laptop)
    again = client.post(link, data={"password": "another password 1", "confirm": "another password 1"},
                        follow_redirects=True)
    assert "đã được sử dụng" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert log_in_through_form(client, "lan@example.test", DEFAULT_PASSWORD).status_code == 200
    assert log_in_through_form(client, "lan@example.test", NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(client, app, monkeypatch):
    """A link older than one hour is refused and the password stays the same."""
    user = make_user("lan@example.test")
    hash_before = user.password_hash
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3601)
    token = services.make_reset_token(user, app.config["SECRET_KEY"])
    monkeypatch.undo()
    response = client.post(f"/accounts/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/accounts/password/reset"
    assert "đã hết hạn" in client.get(response.location).get_data(as_text=True)
    assert user.password_hash == hash_before


def test_forged_or_foreign_reset_links_are_refused(client, app):
    """A tampered token, or one signed with another key, changes nothing."""
    user = make_user("lan@example.test")
    hash_before = user.password_hash
    good = services.make_reset_token(user, app.config["SECRET_KEY"])
    for token in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
                  services.make_reset_token(user, "some other secret"), "garbage"):
        response = client.post(f"/accounts/password/reset/{token}",
                               data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 302 and response.location == "/accounts/password/reset"
    assert user.password_hash == hash_before


def test_reset_form_bad_input_changes_nothing(client, app):
    """Mismatched or short passwords on the reset page are explained and the password stays."""
    user = make_user("lan@example.test")
    hash_before = user.password_hash
    link = f"/accounts/password/reset/{services.make_reset_token(user, app.config['SECRET_KEY'])}"
    for data, message in (({"password": NEW_PASSWORD, "confirm": "other"}, "Hai mật khẩu không khớp nhau."),
                          ({"password": "short", "confirm": "short"}, "Mật khẩu phải dài từ 8 đến 128 ký tự.")):
        response = client.post(link, data=data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert user.password_hash == hash_before


def test_change_password_keeps_this_session_and_ends_the_others(client, app, outbox):
    """Changing the password keeps this browser signed in, signs out the other device, and mails the user."""
    user = make_user("lan@example.test")
    log_in_through_form(client, "lan@example.test", remember=True)
    other = app.test_client()
    log_in_through_form(other, "lan@example.test")
    old_remember = client.get_cookie("remember_token").value
    response = client.post("/accounts/password", data={"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert _is_logged_in(client)
    assert not _is_logged_in(other)
    new_remember = client.get_cookie("remember_token").value
    assert new_remember != old_remember
    replay = app.test_client()
    replay.set_cookie("remember_token", old_remember)
    assert not _is_logged_in(replay)
    assert outbox.wait_for(1)[0]["Subject"] == "Mật khẩu của bạn đã được thay đổi"


def test_change_password_needs_the_current_one(client, login_as):
    """A wrong current password is refused and nothing changes."""
    user = make_user()
    hash_before, token_before = user.password_hash, user.session_token
    login_as(user)
    response = client.post("/accounts/password", data={"current_password": "guess", "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    assert (user.password_hash, user.session_token) == (hash_before, token_before)


@pytest.mark.parametrize("data, message", [
    ({"current_password": "", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "Vui lòng nhập mật khẩu hiện tại."),
    ({"current_password": DEFAULT_PASSWORD, "password": "", "confirm": ""}, "Vui lòng nhập mật khẩu."),
    ({"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "confirm": "x"}, "Hai mật khẩu không khớp nhau."),
    ({"current_password": DEFAULT_PASSWORD, "password": "a" * 500, "confirm": "a" * 500}, "Mật khẩu phải dài từ 8"),
])
def test_change_password_bad_input(client, login_as, data, message):
    """Empty, mismatched or oversized passwords are explained and nothing changes."""
    user = make_user()
    hash_before = user.password_hash
    login_as(user)
    response = client.post("/accounts/password", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert user.password_hash == hash_before


def test_change_password_page_needs_login(client):
    """A guest is sent to log in first."""
    response = client.get("/accounts/password")
    assert response.status_code == 302
    assert response.location.startswith("/accounts/login?next=")


def test_passwords_are_hashed_with_scrypt():
    """Stored passwords are scrypt hashes, never the password."""
    user = services.register_user("Hoa", "hoa@example.com", NEW_PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert NEW_PASSWORD not in user.password_hash
    assert services.authenticate("HOA@example.com", NEW_PASSWORD) is user
    assert services.authenticate("hoa@example.com", "wrong") is None
