"""Roles and ownership are checked in one place: the decorators and predicates of accounts.policies."""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g
from flask_login import AnonymousUserMixin, login_user
from werkzeug.exceptions import Forbidden, Unauthorized

from marketplace.accounts import policies, services
from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests.factories import make_producer, make_user


@policies.login_required
def _members_page():
    return "members"


@policies.roles_required(Role.ADMIN, "producer")
def _back_office():
    return "back office"


def test_guest_is_sent_to_login_with_the_page_to_return_to(app):
    """A guest opening a protected page is redirected to the login page with ?next=<that path and query>."""
    with app.test_request_context("/orders/5?tab=lines"):
        response = _members_page()
    assert response.status_code == 302
    assert response.location.startswith("/accounts/login?next=")
    assert parse_qs(urlsplit(response.location).query)["next"] == ["/orders/5?tab=lines"]


def test_guest_api_call_gets_401_not_a_redirect(app):
    """An API client without a session gets 401 instead of an HTML redirect."""
    with app.test_request_context("/api/v1/orders"), pytest.raises(Unauthorized):
        _members_page()


def test_signed_in_user_passes_login_required(app):
    """A signed-in user sees the protected page."""
    user = make_user()
    with app.test_request_context("/orders"):
        login_user(user)
        assert _members_page() == "members"


def test_roles_required_refuses_other_roles_with_403(app):
    """A consumer asking for a producer/admin page gets 403; a guest is sent to log in."""
    consumer = make_user()
    with app.test_request_context("/manage"):
        login_user(consumer)
        with pytest.raises(Forbidden):
            _back_office()
    with app.test_request_context("/manage"):
        g.pop("_login_user", None)  # the tests' app context outlives each request context
        assert _back_office().status_code == 302


def test_roles_required_lets_listed_roles_in(app):
    """Admins and producer members both pass roles_required(ADMIN, PRODUCER)."""
    producer = make_producer()
    for user in (make_user(role=Role.ADMIN), make_user(role=Role.PRODUCER, producer=producer)):
        with app.test_request_context("/manage"):
            login_user(user)
            assert _back_office() == "back office"


def test_can_manage_producer_only_for_its_members_and_admins():
    """A producer's member manages it; members of other producers, consumers and guests do not; admins do."""
    mine, other = make_producer(), make_producer()
    member = make_user(role=Role.PRODUCER, producer=mine)
    assert policies.can_manage_producer(member, mine.id)
    assert not policies.can_manage_producer(member, other.id)
    assert not policies.can_manage_producer(make_user(), mine.id)
    assert not policies.can_manage_producer(AnonymousUserMixin(), mine.id)
    assert not policies.can_manage_producer(None, mine.id)
    assert not policies.can_manage_producer(member, None)
    assert policies.can_manage_producer(make_user(role=Role.ADMIN), other.id)
    member.is_active = False
    assert not policies.can_manage_producer(member, mine.id)


def test_is_admin():
    """Only an active administrator is an admin."""
    admin = make_user(role=Role.ADMIN)
    assert policies.is_admin(admin)
    assert not policies.is_admin(make_user())
    assert not policies.is_admin(AnonymousUserMixin())
    admin.is_active = False
    assert not policies.is_admin(admin)


def test_user_loader_finds_only_active_users_by_current_token():
    """The session holds the session token: a rotated token or a deactivated user loads nobody."""
    user = make_user()
    token = user.session_token
    assert policies.load_user(token) is user
    assert policies.load_user(str(user.id)) is None
    services.rotate_session_token(user)
    assert policies.load_user(token) is None
    assert policies.load_user(user.session_token) is user
    user.is_active = False
    db.session.flush()
    assert policies.load_user(user.session_token) is None


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\/evil.example", "javascript:alert(1)",
    "evil.example", "", None, "/\t/evil.example", "http:/evil.example",
])
def test_unsafe_next_targets_are_refused(target):
    """Only same-site paths are accepted as a place to return to."""
    assert not policies.is_safe_next(target)


def test_same_site_paths_are_accepted():
    """Ordinary paths with a query string are fine."""
    assert policies.is_safe_next("/products?q=n%C6%B0%E1%BB%9Bc+m%E1%BA%AFm")
    assert policies.is_safe_next("/accounts/")
