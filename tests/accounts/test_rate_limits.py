"""Login and password-reset attempts are limited per address and per account (answer: 429, the site's page).

The per-account limit across addresses, and the owner's own browser, are in tests/security/test_lockout.py.
"""

from tests.factories import make_user


def _login(client, email, ip):
    return client.post("/accounts/login", data={"email": email, "password": "wrong guess"},
                       environ_base={"REMOTE_ADDR": ip})


def test_login_attempts_per_account_and_address_are_limited(client):
    """The sixth attempt on one account from one address within a minute is refused, whatever the spelling;
    the same account from another address, and another account from this one, are not."""
    make_user("lan@example.test")
    spellings = ["lan@example.test", "LAN@example.test", " Lan@Example.Test ", "lan@example.test", "lan@EXAMPLE.test"]
    for email in spellings:
        assert _login(client, email, "10.0.0.1").status_code == 200
    response = _login(client, "lan@example.test", "10.0.0.1")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Quá nhiều lần thử" in html and 'class="error-page"' in html
    assert _login(client, "lan@example.test", "10.0.0.2").status_code == 200
    assert _login(client, "someone.else@example.test", "10.0.0.1").status_code == 200


def test_login_attempts_per_address_are_limited(client):
    """One address trying many accounts is refused after ten attempts a minute; other addresses are not."""
    for n in range(10):
        assert _login(client, f"user{n}@example.test", "10.1.1.1").status_code == 200
    assert _login(client, "user10@example.test", "10.1.1.1").status_code == 429
    assert _login(client, "user10@example.test", "10.1.1.2").status_code == 200


def test_reset_requests_are_limited_per_account(client, outbox):
    """Reset mails to one account stop after five requests a minute (no mail bombing)."""
    make_user("lan@example.test")
    for n in range(5):
        response = client.post("/accounts/password/reset", data={"email": "lan@example.test"},
                               environ_base={"REMOTE_ADDR": f"10.2.0.{n}"})
        assert response.status_code == 302
    response = client.post("/accounts/password/reset", data={"email": "lan@example.test"},
                           environ_base={"REMOTE_ADDR": "10.2.0.50"})
    assert response.status_code == 429
    assert len(outbox.wait_for(5)) == 5


def test_viewing_the_login_page_is_not_limited(client):
    """Only attempts (POST) count; loading the page does not."""
    for _ in range(20):
        assert client.get("/accounts/login").status_code == 200
