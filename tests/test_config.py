"""Configuration comes from the environment; production refuses to start without a real secret."""

import importlib

import pytest


def _reload_config(monkeypatch, **env):
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    import config

    return importlib.reload(config)


def test_production_refuses_a_missing_secret_key(monkeypatch):
    """OCOP_ENV=production without SECRET_KEY does not start."""
    config = _reload_config(monkeypatch, SECRET_KEY=None, OCOP_ENV="production")
    from marketplace import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)
    _reload_config(monkeypatch, OCOP_ENV=None)


def test_production_refuses_the_development_default(monkeypatch):
    """The development default secret is refused in production, and so is a short one."""
    config = _reload_config(monkeypatch, SECRET_KEY="dev-only-not-secret")
    with pytest.raises(RuntimeError):
        config.ProductionConfig.check()
    config = _reload_config(monkeypatch, SECRET_KEY="short")
    with pytest.raises(RuntimeError):
        config.ProductionConfig.check()
    _reload_config(monkeypatch, SECRET_KEY=None)


def test_production_starts_with_a_real_secret(monkeypatch):
    """A long random secret is accepted."""
    config = _reload_config(monkeypatch, SECRET_KEY="x" * 48)
    from marketplace import create_app

    application = create_app(config.ProductionConfig)
    assert application.config["SECRET_KEY"] == "x" * 48
    assert application.config["SESSION_COOKIE_SECURE"] is True
    _reload_config(monkeypatch, SECRET_KEY=None)


def test_database_url_defaults_to_sqlite_in_instance(monkeypatch):
    """Without DATABASE_URL the app uses a SQLite file under instance/."""
    config = _reload_config(monkeypatch, DATABASE_URL=None)
    assert config.Config.SQLALCHEMY_DATABASE_URI == "sqlite:///ocop.sqlite3"


def test_postgres_urls_use_psycopg3(monkeypatch):
    """postgres:// and postgresql:// URLs are given the psycopg 3 driver."""
    config = _reload_config(monkeypatch, DATABASE_URL="postgres://u@h/db")
    assert config.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"
    _reload_config(monkeypatch, DATABASE_URL=None)
