"""Nobody can lock a shopper out: attempts are limited per (account, address) pair, and the slower limit per
account across all addresses does not apply to a browser the owner has signed in from before."""

from marketplace.accounts.views import KNOWN_BROWSER_COOKIE
from tests.factories import DEFAULT_PASSWORD, make_user

OWNER_ADDRESS = "198.51.100.7"


def _login(client, address, password="wrong guess", email="lan@example.test"):
    return client.post("/accounts/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _attack(client, attempts: int) -> list[int]:
    """Failed attempts on the owner's account, five from each of many addresses (under the pair limit)."""
    return [_login(client, f"203.0.113.{n // 5 + 1}").status_code for n in range(attempts)]


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(app, client):
    """After 30 failed attempts from other addresses, the owner's browser at the usual address still gets in."""
    make_user("lan@example.test")
    owner = app.test_client()
    first = _login(owner, OWNER_ADDRESS, DEFAULT_PASSWORD)
    assert first.status_code == 302
    cookie = owner.get_cookie(KNOWN_BROWSER_COOKIE, path="/accounts")
    assert cookie is not None and cookie.http_only and "lan@example.test" not in cookie.value
    owner.post("/accounts/logout")

    statuses = _attack(client, 30)
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}

    assert _login(owner, OWNER_ADDRESS, DEFAULT_PASSWORD).status_code == 302
    assert owner.get("/accounts/", environ_base={"REMOTE_ADDR": OWNER_ADDRESS}).status_code == 200


def test_many_addresses_guessing_one_account_are_stopped(app, client):
    """The per-account limit: 20 failed attempts an hour from browsers that never signed in; then 429, also
    for a fresh address, while other accounts are not affected."""
    make_user("lan@example.test")
    statuses = _attack(client, 20)
    assert statuses == [200] * 20
    assert _login(app.test_client(), "192.0.2.200").status_code == 429
    assert _login(app.test_client(), "192.0.2.200", DEFAULT_PASSWORD).status_code == 429
    assert _login(app.test_client(), "192.0.2.200", email="other@example.test").status_code == 200


def test_successful_logins_do_not_count_towards_the_account_limit(app):
    """Only failed attempts count across addresses: signing in often from many places is fine."""
    make_user("lan@example.test")
    for n in range(25):
        assert _login(app.test_client(), f"192.0.2.{n + 1}", DEFAULT_PASSWORD).status_code == 302


def test_the_known_browser_mark_is_for_one_account_and_cannot_be_forged(app, client):
    """A browser known for one account is a stranger to another; a made-up cookie does not exempt."""
    make_user("lan@example.test")
    make_user("mai@example.test")
    owner = app.test_client()
    assert _login(owner, OWNER_ADDRESS, DEFAULT_PASSWORD, email="mai@example.test").status_code == 302
    _attack(client, 20)
    assert _login(owner, OWNER_ADDRESS, DEFAULT_PASSWORD).status_code == 429
    forger = app.test_client()
    forger.set_cookie(KNOWN_BROWSER_COOKIE, "0" * 32, path="/accounts")
    assert _login(forger, "192.0.2.99", DEFAULT_PASSWORD).status_code == 429
