"""Another application beside the session's one, for settings the session's app does not have (production,
a proxy in front, Redis for rate limits, an unreachable database)."""

import pytest

from config import ProductionConfig, TestConfig
from marketplace import create_app
from marketplace.extensions import db, limiter

PRODUCTION_SETTINGS = {"SECRET_KEY": "s" * 48, "SITE_URL": "https://ocop.example",
                       "TRUSTED_HOSTS": ["ocop.example", "www.ocop.example"], "MAIL_TO_LOG": True}


@pytest.fixture
def make_app(app, database_url):
    """make_app(base=TestConfig, **settings): a new app on the test database with these settings.

    Its requests use the test's database session (rolled back afterwards) unless the test is marked
    `committed`. The rate limiter is one per process, so it is handed back to the session's app afterwards.
    """
    built = []

    def build(base=TestConfig, **settings):
        settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
                    "RATELIMIT_STORAGE_URI": "memory://", **settings}
        application = create_app(type("OtherConfig", (base,), settings))
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            for engine in db.engines.values():
                engine.dispose()
    limiter.init_app(app)
    # A storage marked dead by an outage test would keep the session's app on the in-memory fallback until
    # Flask-Limiter's back-off lets it check again; the session's storage is memory and always alive.
    limiter._storage_dead = False
    limiter.reset()


@pytest.fixture
def production_app(make_app):
    """The app as production runs it (behind no proxy), on the test database."""
    return make_app(ProductionConfig, **PRODUCTION_SETTINGS)
