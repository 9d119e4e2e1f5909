"""A database outage is a 503 whose page needs no database; a bug in a statement is a logged 500; no log
line carries a statement's parameters."""

import logging

import pytest
import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

from config import ProductionConfig
from marketplace.accounts.models import User
from marketplace.errors import is_outage
from marketplace.extensions import db
from tests.factories import make_user
from tests.security.conftest import PRODUCTION_SETTINGS

#: Nothing listens on port 1: connecting is refused at once, as when PostgreSQL is down.
UNREACHABLE = "postgresql+psycopg://ocop@127.0.0.1:1/ocop_unreachable_test"
SECRET = "s3cret-parameter-value"


class _SignedIn(UserMixin):
    """A signed-in visitor's session (the app looks the token up in the database on first use)."""

    def get_id(self):
        return "a-session-token"


@pytest.mark.committed
@pytest.mark.parametrize("path", ["/?lang=en", "/products?lang=en", "/accounts/?lang=en", "/admin/?lang=en",
                                  "/manage/orders?lang=en", "/cart?lang=en"])
def test_pages_answer_503_with_the_site_page_while_the_database_is_down(make_app, login_as, path):
    """Signed in (the user is looked up in the database at the first use), the answer is the site's 503 page
    with Retry-After, drawn without the database."""
    application = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    client = application.test_client()
    login_as(_SignedIn(), client)
    response = client.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    html = response.get_data(as_text=True)
    assert 'class="error-page"' in html and "Temporarily unavailable" in html
    assert "Log in" in html  # the header is drawn, for a visitor (nobody could be looked up)


@pytest.mark.committed
def test_healthz_and_json_clients_get_503_too(make_app):
    application = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    client = application.test_client()
    assert client.get("/healthz").status_code == 503
    response = client.get("/products", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.get_json()["error"]


def _app_with_failing_routes(make_app, **settings):
    """An app with routes that fail the ways a database can: a bug (duplicate key) and an outage."""
    application = make_app(**settings)

    @application.get("/test-duplicate")
    def duplicate():
        existing = db.session.scalars(sa.select(User)).first()
        db.session.add(User(email=existing.email, full_name="x", password_hash=SECRET, session_token=SECRET))
        db.session.flush()
        return "not reached"

    @application.get("/test-lost-connection")
    def lost_connection():
        raise OperationalError("UPDATE users SET session_token = %(token)s", {"token": SECRET},
                               Exception("server closed the connection unexpectedly"), connection_invalidated=True)

    return application


def test_a_bug_in_a_statement_is_a_logged_500_without_parameter_values(make_app, caplog):
    """An IntegrityError is not an outage: 500, no Retry-After, and the log has the error and the statement
    but none of the values (here a password hash and a session token)."""
    make_user("lan@example.test")
    client = _app_with_failing_routes(make_app).test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/test-duplicate?lang=en")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "Something went wrong" in response.get_data(as_text=True)
    logged = caplog.text
    assert "IntegrityError" in logged and "INSERT INTO users" in logged and "in duplicate" in logged
    assert SECRET not in logged and "lan@example.test" not in logged


def test_an_outage_is_logged_without_parameter_values(make_app, caplog):
    client = _app_with_failing_routes(make_app).test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/test-lost-connection")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "database unavailable" in caplog.text and "UPDATE users" in caplog.text
    assert SECRET not in caplog.text


def test_production_hides_statement_parameters(make_app):
    """hide_parameters: even SQLAlchemy's own error text leaves the values out in production."""
    application = make_app(ProductionConfig, **PRODUCTION_SETTINGS)
    with application.app_context():
        assert db.engine.hide_parameters
        with pytest.raises(sa.exc.DBAPIError) as caught, db.engine.connect() as connection:
            connection.execute(sa.text("SELECT * FROM no_such_table WHERE x = :p"), {"p": SECRET})
    assert SECRET not in str(caught.value)


def _error(cls, orig=None, **kwargs):
    return cls("SELECT 1", {}, orig if orig is not None else Exception("driver message"), **kwargs)


def _with(**attributes):
    error = Exception("driver message")
    for name, value in attributes.items():
        setattr(error, name, value)
    return error


@pytest.mark.parametrize("error, outage", [
    (_error(OperationalError), True),  # no code: the server could not be reached
    (_error(OperationalError, _with(sqlstate="08006")), True),  # connection failure
    (_error(OperationalError, _with(sqlstate="57P01")), True),  # admin shutdown
    (_error(OperationalError, _with(sqlstate="53300")), True),  # too many connections
    (_error(OperationalError, _with(sqlstate="40001")), True),  # serialisation failure
    (_error(OperationalError, _with(sqlstate="40P01")), True),  # deadlock
    (_error(OperationalError, _with(sqlite_errorname="SQLITE_BUSY")), True),
    (_error(InterfaceError), True),
    (_error(DataError, _with(sqlstate="22003"), connection_invalidated=True), True),
    (_error(IntegrityError, _with(sqlstate="23505")), False),
    (_error(DataError, _with(sqlstate="22P02")), False),
    (_error(ProgrammingError, _with(sqlstate="42703")), False),
    (_error(OperationalError, _with(sqlite_errorname="SQLITE_ERROR")), False),  # e.g. no such table
])
def test_only_connection_loss_and_lost_races_are_outages(error, outage):
    assert is_outage(error) is outage


@pytest.mark.committed
def test_an_error_page_for_a_signed_in_user_during_an_outage_is_still_an_answer(make_app, login_as):
    """A 404 whose layout would look the user up gets a plain 404 page, not a 500."""
    application = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    client = application.test_client()
    login_as(_SignedIn(), client)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True)
