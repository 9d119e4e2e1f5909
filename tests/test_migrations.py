"""The schema comes from the migrations: they build an empty database, match the models, and go back down."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestConfig
from marketplace import create_app
from marketplace.extensions import db


@pytest.fixture
def scratch_app(tmp_path, database_url, is_postgres):
    """An app on its own empty database (a new SQLite file, or a new PostgreSQL schema)."""
    if is_postgres:
        url = sa.engine.make_url(database_url)
        schema = "migrations_check"
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        uri = url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    else:
        uri = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"

    class ScratchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = uri

    application = create_app(ScratchConfig)
    yield application
    with application.app_context():
        db.engine.dispose()
    if is_postgres:
        engine = sa.create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS migrations_check CASCADE"))
        engine.dispose()


def test_upgrade_matches_models_and_downgrade_empties(scratch_app):
    """Upgrade from empty to head leaves nothing for autogenerate to add; downgrade to base removes every table."""
    with scratch_app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: not (name or "").startswith(
                    ("products_fts", "ix_products_search_tsv", "search_tsv", "search_words")),
            })
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        with db.engine.connect() as connection:
            names = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        assert names == set()
        upgrade(revision="heads")
