"""Configuration comes from the environment; production refuses to start without a real secret."""

import importlib
from pathlib import Path

import pytest

import config as config_module


@pytest.fixture
def reload_config(monkeypatch):
    """reload_config(NAME=value or None): config re-read under those variables; put back as it was afterwards."""

    def reload(**env):
        for name, value in env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        return importlib.reload(config_module)

    yield reload
    monkeypatch.undo()
    importlib.reload(config_module)


def test_production_refuses_a_missing_secret_key(reload_config):
    """OCOP_ENV=production without SECRET_KEY does not start."""
    config = reload_config(SECRET_KEY=None, OCOP_ENV="production")
    from marketplace import create_app

    assert config.config_from_environment() is config.ProductionConfig
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_the_development_default(reload_config):
    """The development default secret is refused in production, and so is a short one."""
    config = reload_config(SECRET_KEY="dev-only-not-secret")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig.check()
    config = reload_config(SECRET_KEY="x" * 31)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig.check()
    config = reload_config(SECRET_KEY="x" * 32, SITE_URL="https://ocop.example")
    config.ProductionConfig.check()


def test_production_starts_with_a_real_secret(reload_config):
    """A long random secret is accepted (with the site's public address)."""
    config = reload_config(SECRET_KEY="x" * 48, SITE_URL="https://ocop.example", TRUSTED_HOSTS=None)
    from marketplace import create_app

    application = create_app(config.ProductionConfig)
    assert application.config["SECRET_KEY"] == "x" * 48
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["REMEMBER_COOKIE_SECURE"] is True
    assert not application.debug and not application.testing
    assert application.config["TRUSTED_HOSTS"] == ["ocop.example"]
    assert application.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


def test_production_refuses_a_missing_site_url(reload_config):
    """Links in e-mails and payment return URLs need SITE_URL: production does not start without it."""
    config = reload_config(SECRET_KEY="x" * 48, SITE_URL=None)
    with pytest.raises(RuntimeError, match="SITE_URL"):
        config.ProductionConfig.check()


def test_security_settings_come_from_the_environment(reload_config):
    """TRUSTED_HOSTS is a comma-separated list; PROXY_FIX_HOPS a number (0, ignoring forwarded headers, by default)."""
    config = reload_config(TRUSTED_HOSTS="ocop.example, www.ocop.example,", PROXY_FIX_HOPS="1")
    assert config.Config.TRUSTED_HOSTS == ["ocop.example", "www.ocop.example"]
    assert config.Config.PROXY_FIX_HOPS == 1
    config = reload_config(TRUSTED_HOSTS=None, PROXY_FIX_HOPS=None)
    assert config.Config.TRUSTED_HOSTS is None and config.Config.PROXY_FIX_HOPS == 0


def test_database_url_defaults_to_sqlite_in_instance(reload_config):
    """Without DATABASE_URL the app uses a SQLite file under instance/."""
    config = reload_config(DATABASE_URL=None)
    assert config.Config.SQLALCHEMY_DATABASE_URI == "sqlite:///ocop.sqlite3"
    from marketplace import create_app
    from marketplace.extensions import db

    application = create_app(config.DevelopmentConfig)
    with application.app_context():
        # Creating the engine opens no connection, so no file is made here.
        assert Path(db.engine.url.database) == Path(application.instance_path) / "ocop.sqlite3"


def test_postgres_urls_use_psycopg3(reload_config):
    """postgres:// and postgresql:// URLs are given the psycopg 3 driver; other URLs are kept."""
    config = reload_config(DATABASE_URL="postgres://u@h/db")
    assert config.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("sqlite:///x.sqlite3") == "sqlite:///x.sqlite3"


def test_start_up_builds_what_requests_read(app):
    """create_app builds the place indexes and reads the languages' locale data, so that no request pays
    for them and wsgi.py's gc.freeze() moves them out of the collector's reach."""
    from babel import localedata

    from marketplace import geo

    assert geo._province_index.cache_info().currsize == 1
    assert geo._ward_index.cache_info().currsize == 1
    assert {"vi", "en"} <= set(localedata._cache)
