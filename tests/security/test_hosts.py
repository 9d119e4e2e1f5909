"""Links that leave the site come from SITE_URL, never from the Host header; production refuses other hosts."""

import pytest

from config import ProductionConfig
from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import place
from tests.security.conftest import PRODUCTION_SETTINGS

EVIL = {"Host": "evil.example"}
SITE = "https://shop.ocop.example"


@pytest.fixture
def site_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", SITE)
    return SITE


def _session_for_evil_host(client) -> None:
    """The signed-in session's cookie, sent along with Host: evil.example (as a member crafting requests would)."""
    cookie = client.get_cookie("session", domain="localhost")
    client.set_cookie("session", cookie.value, domain="evil.example")


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_password_reset_mail_links_to_the_site_whatever_the_host(client, outbox, site_url):
    """POST /accounts/password/reset with Host: evil.example mails a link to SITE_URL's host."""
    make_user("lan@example.test")
    response = client.post("/accounts/password/reset", data={"email": "lan@example.test"}, headers=EVIL)
    assert response.status_code == 302
    body = _body(outbox.wait_for(1).to("lan@example.test")[0])
    assert f"{SITE}/accounts/password/reset/" in body
    assert "evil.example" not in body


def test_producer_invitation_links_to_the_site_whatever_the_host(client, login_as, outbox, site_url):
    """A member invitation sent through Host: evil.example links to SITE_URL."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    _session_for_evil_host(client)
    response = client.post("/manage/members", data={"email": "chi@htx.example"}, headers=EVIL)
    assert response.status_code == 302
    body = _body(outbox.wait_for(1).to("chi@htx.example")[0])
    assert f"{SITE}/manage/invitations/" in body
    assert "evil.example" not in body


def test_stripe_return_urls_point_at_the_site_whatever_the_host(client, login_as, fake_stripe, site_url):
    """Stripe is told to send the buyer back to SITE_URL, not to the Host the pay request came with."""
    buyer = make_user()
    order = place(buyer, [make_product(price_vnd=150000, stock=5)], method="card")
    db.session.commit()
    login_as(buyer)
    _session_for_evil_host(client)
    response = client.post(f"/payments/pay/{order.number}", headers=EVIL)
    assert response.status_code == 302
    session = fake_stripe.sessions[list(fake_stripe.sessions)[-1]]
    assert session["success_url"].startswith(f"{SITE}/payments/stripe/success")
    assert session["cancel_url"] == f"{SITE}/payments/stripe/cancel/{order.number}"


def test_production_answers_400_to_an_unknown_host(production_app):
    """TRUSTED_HOSTS: evil.example gets a plain 400; the site's own names are served."""
    client = production_app.test_client()
    response = client.get("/healthz", headers=EVIL)
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    response = client.post("/accounts/password/reset", data={"email": "x@example.test"}, headers=EVIL)
    assert response.status_code == 400
    for host in ("ocop.example", "www.ocop.example", "ocop.example:443"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host


def test_production_trusts_only_site_url_host_by_default(make_app):
    """Without TRUSTED_HOSTS production answers only to SITE_URL's host."""
    application = make_app(ProductionConfig, **{**PRODUCTION_SETTINGS, "TRUSTED_HOSTS": None})
    client = application.test_client()
    assert client.get("/healthz", headers={"Host": "ocop.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "www.ocop.example"}).status_code == 400
    assert client.get("/healthz", headers=EVIL).status_code == 400


@pytest.mark.parametrize("site_url", ["", "ocop.example", "ftp://ocop.example", "https://"])
def test_production_refuses_to_start_without_a_site_url(site_url):
    """Like SECRET_KEY: no public address, no start (every e-mailed link would be wrong)."""

    class Settings(ProductionConfig):
        SECRET_KEY = "s" * 48
        SITE_URL = site_url

    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app(Settings)
