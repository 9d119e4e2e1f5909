"""/healthz for load balancers, and pages when the database is down."""

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from marketplace.extensions import db


def _unreachable(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_healthz_answers_200_json_when_the_database_is_up(client):
    """A reachable database gives 200 and a JSON body."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True}


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    """A database that cannot be reached gives 503 with a JSON body."""
    monkeypatch.setattr(db.session, "execute", _unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": False}


def test_a_page_answers_503_in_the_site_style_when_the_database_fails(client, monkeypatch):
    """An OperationalError inside a normal page gives the site's 'temporarily unavailable' page."""
    monkeypatch.setattr(db.session, "execute", _unreachable)
    monkeypatch.setattr(db.session, "scalars", _unreachable)
    response = client.get("/products?lang=en")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Temporarily unavailable" in html
    assert "The service is briefly unavailable. Please try again in a moment." in html
    assert response.headers["Retry-After"] == "5"


def test_the_database_really_answers(client):
    """Sanity check of the health query itself."""
    assert db.session.execute(sa.text("SELECT 1")).scalar_one() == 1
