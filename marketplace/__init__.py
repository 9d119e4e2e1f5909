"""OCOP Market: a marketplace for Vietnam's certified OCOP products.

create_app() builds the application: settings, request/response security, extensions, blueprints, CLI
commands, error pages and template helpers, in that order.

The register_* functions import the app's parts inside their bodies on purpose: the package imports
nothing of its own at import time, so any module may import marketplace.extensions without a cycle, and
only an app being built loads the blueprints and commands.
"""

import logging
from pathlib import Path

from flask import Flask

from config import Config, config_from_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    """The application factory."""
    config_class = config_class or config_from_environment()
    config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from marketplace import observability  # reason: the factory imports the app's parts when it builds one

    # Logs with the request id on every line, and the id itself, before any other request hook.
    observability.configure_logging(app)
    observability.init_request_ids(app)
    # Alembic announces each of its autogenerate plugins at INFO whenever it loads: noise in every command.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from marketplace import security  # reason: the factory imports the app's parts when it builds one

    security.init_app(app)  # before the blueprints: their routes use its <int:...> converter
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_jinja(app)
    from marketplace.signals import recording as signal_recording

    signal_recording.init_app(app)  # cart additions are recorded as demand signals
    from marketplace.errors import register_error_handlers

    register_error_handlers(app)
    observability.init_metrics(app)  # /metrics when METRICS_ENABLED
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    from marketplace import i18n
    from marketplace.database import NAMING_CONVENTION  # noqa: F401  (metadata conventions)
    from marketplace.extensions import csrf, db, limiter, login_manager, migrate

    _configure_engine(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    i18n.init_app(app)  # Flask-Babel too
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from marketplace import jobs, storage

    storage.init_app(app)
    jobs.init_app(app)
    from marketplace import cache

    cache.init_app(app)  # after CSRF (it replaces the csrf_token template global) and the rate limiter
    import_models()
    _install_sqlite_pragmas(app)


def _configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _install_sqlite_pragmas(app: Flask) -> None:
    """Foreign keys on, WAL for concurrent readers, and real SAVEPOINT support in pysqlite."""
    from sqlalchemy import event

    from marketplace.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, record):
            # Let SQLAlchemy, not pysqlite, emit BEGIN, so SAVEPOINTs and rollbacks behave.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in str(engine.url) and engine.url.database:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def on_begin(connection):
            connection.exec_driver_sql("BEGIN")


def import_models() -> None:
    """Import every models module so the metadata (and Alembic) knows all tables."""
    import importlib
    import pkgutil

    import marketplace

    for module in pkgutil.iter_modules(marketplace.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"marketplace.{module.name}.models")
            except ModuleNotFoundError as error:
                if error.name != f"marketplace.{module.name}.models":
                    raise


def register_blueprints(app: Flask) -> None:
    """Every URL prefix of the site, in one list."""
    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.admin.views_admin import bp as admin_bp
    from marketplace.api import openapi
    from marketplace.api.views import blp as api_v1_bp
    from marketplace.api.views_admin import bp as api_admin_bp
    from marketplace.api.views_read import blp as api_read_bp
    from marketplace.catalog.views import bp as catalog_bp
    from marketplace.catalog.views_admin import bp as catalog_admin_bp
    from marketplace.catalog.views_manage import bp as catalog_manage_bp
    from marketplace.core.views import bp as core_bp
    from marketplace.linkage.views import bp as linkage_bp
    from marketplace.linkage.views_admin import bp as linkage_admin_bp
    from marketplace.linkage.views_manage import bp as linkage_manage_bp
    from marketplace.orders.views import bp as orders_bp
    from marketplace.orders.views_manage import bp as orders_manage_bp
    from marketplace.payments.views import bp as payments_bp
    from marketplace.payments.views_admin import bp as payments_admin_bp
    from marketplace.producers.views import bp as producers_bp
    from marketplace.producers.views_admin import bp as producers_admin_bp
    from marketplace.producers.views_manage import bp as producers_manage_bp
    from marketplace.promotions.views import bp as promotions_bp
    from marketplace.promotions.views_admin import bp as promotions_admin_bp
    from marketplace.promotions.views_manage import bp as promotions_manage_bp
    from marketplace.questions.views import bp as questions_bp
    from marketplace.questions.views_admin import bp as questions_admin_bp
    from marketplace.questions.views_manage import bp as questions_manage_bp
    from marketplace.reports.views_admin import bp as reports_admin_bp
    from marketplace.reports.views_manage import bp as reports_manage_bp
    from marketplace.reviews.views import bp as reviews_bp
    from marketplace.reviews.views_admin import bp as reviews_admin_bp
    from marketplace.reviews.views_manage import bp as reviews_manage_bp
    from marketplace.settlements.views_admin import bp as settlements_admin_bp
    from marketplace.settlements.views_manage import bp as settlements_manage_bp
    from marketplace.showrooms.views import bp as showrooms_bp
    from marketplace.showrooms.views_admin import bp as showrooms_admin_bp
    from marketplace.showrooms.views_manage import bp as showrooms_manage_bp
    from marketplace.signals.views_admin import bp as signals_admin_bp
    from marketplace.signals.views_manage import bp as signals_manage_bp
    from marketplace.vouchers.views_admin import bp as vouchers_admin_bp
    from marketplace.vouchers.views_manage import bp as vouchers_manage_bp
    from marketplace.wishlists.views import bp as wishlists_bp

    # Public and shopper pages (views.py, blueprint <pkg>).
    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp, url_prefix="/accounts")
    app.register_blueprint(catalog_bp)  # also /verify/<code>, printed in QR codes: never move it
    app.register_blueprint(orders_bp)
    app.register_blueprint(payments_bp, url_prefix="/payments")
    app.register_blueprint(producers_bp, url_prefix="/shops")
    app.register_blueprint(showrooms_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(wishlists_bp)
    app.register_blueprint(linkage_bp, url_prefix="/demand")
    app.register_blueprint(promotions_bp)  # /campaigns/<slug> and /fairs are printed and shared: never move them
    # The producer's back office (views_manage.py, blueprint <pkg>_manage) under /manage.
    app.register_blueprint(producers_manage_bp, url_prefix="/manage")
    app.register_blueprint(catalog_manage_bp, url_prefix="/manage/products")
    app.register_blueprint(orders_manage_bp, url_prefix="/manage/orders")
    app.register_blueprint(settlements_manage_bp, url_prefix="/manage/statements")
    app.register_blueprint(reports_manage_bp, url_prefix="/manage/figures")
    app.register_blueprint(showrooms_manage_bp, url_prefix="/manage")
    app.register_blueprint(signals_manage_bp, url_prefix="/manage/signals")
    app.register_blueprint(reviews_manage_bp, url_prefix="/manage/reviews")
    app.register_blueprint(questions_manage_bp, url_prefix="/manage/questions")
    app.register_blueprint(linkage_manage_bp, url_prefix="/manage/demand")
    app.register_blueprint(promotions_manage_bp, url_prefix="/manage/fairs")
    app.register_blueprint(vouchers_manage_bp, url_prefix="/manage/vouchers")
    # The program office (views_admin.py, blueprint <pkg>_admin) under /admin; its home is marketplace.admin.
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(producers_admin_bp, url_prefix="/admin")
    app.register_blueprint(catalog_admin_bp, url_prefix="/admin")
    app.register_blueprint(settlements_admin_bp, url_prefix="/admin/statements")
    app.register_blueprint(payments_admin_bp, url_prefix="/payments/admin")
    app.register_blueprint(showrooms_admin_bp, url_prefix="/admin/showrooms")
    app.register_blueprint(api_admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_admin_bp, url_prefix="/admin/analytics")
    app.register_blueprint(signals_admin_bp, url_prefix="/admin/signals")
    app.register_blueprint(reviews_admin_bp, url_prefix="/admin")
    app.register_blueprint(questions_admin_bp, url_prefix="/admin")
    app.register_blueprint(linkage_admin_bp, url_prefix="/admin/demand")
    app.register_blueprint(promotions_admin_bp, url_prefix="/admin")
    app.register_blueprint(vouchers_admin_bp, url_prefix="/admin/vouchers")
    # The versioned JSON API (/api/v1, its OpenAPI document at /api/v1/openapi.json): see marketplace.api.
    openapi.init_app(app, [api_v1_bp, api_read_bp])


def register_cli(app: Flask) -> None:
    """flask demo load, and each package's commands."""
    from marketplace.accounts.cli import accounts_cli
    from marketplace.cli import demo_cli, jobs_cli
    from marketplace.linkage.cli import linkage_cli
    from marketplace.orders.cli import orders_cli
    from marketplace.payments.cli import payments_cli
    from marketplace.producers.cli import producers_cli
    from marketplace.reports.cli import reports_cli
    from marketplace.showrooms.cli import showrooms_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(producers_cli)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(showrooms_cli)
    app.cli.add_command(linkage_cli)
    app.cli.add_command(reports_cli)


def register_jinja(app: Flask) -> None:
    """Template filters and globals shared by every page."""
    from marketplace import backoffice, geo, old_provinces
    from marketplace.catalog.certificates import (
        certificate_status_label,
        evaluation_kind_label,
        issuing_level_label,
    )
    from marketplace.catalog.products import status_label as product_status_label
    from marketplace.ledger.labels import sale_channel_label
    from marketplace.money import format_vnd
    from marketplace.orders.labels import event_reason_label, event_text
    from marketplace.producers.labels import producer_type_label, verification_status_label
    from marketplace.promotions.labels import participation_status_label, selection_kind_label
    from marketplace.settlements.labels import (
        balance_heading,
        balance_label,
        collector_label,
        entry_collector_label,
        owed_label,
        section_discount_lines,
        section_name,
        section_owed_label,
        section_title,
        showrooms_owed_label,
        statement_state,
        statement_status_label,
    )
    from marketplace.stock.labels import (
        location_kind_label,
        movement_kind_label,
        movement_reason_label,
        reference_kind,
        reference_label,
    )
    from marketplace.urls import absolute, external_url
    from marketplace.vouchers import labels as voucher_labels

    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.globals["absolute_url"] = absolute
    backoffice.init_app(app)
    app.jinja_env.globals["province_name"] = geo.province_name
    app.jinja_env.globals["province_label"] = old_provinces.province_label
    # One label function per enum shown to people (each lives in its domain's labels), for every template.
    app.jinja_env.globals.update(
        certificate_status_label=certificate_status_label, evaluation_kind_label=evaluation_kind_label,
        issuing_level_label=issuing_level_label, product_status_label=product_status_label,
        sale_channel_label=sale_channel_label, producer_type_label=producer_type_label,
        verification_status_label=verification_status_label, balance_label=balance_label,
        balance_heading=balance_heading, event_reason_label=event_reason_label, order_event_text=event_text,
        statement_state=statement_state, statement_status_label=statement_status_label,
        location_kind_label=location_kind_label, movement_kind_label=movement_kind_label,
        movement_reason_label=movement_reason_label, reference_kind=reference_kind, reference_label=reference_label,
        participation_status_label=participation_status_label, selection_kind_label=selection_kind_label,
        voucher_status_label=voucher_labels.status_label, voucher_kind_label=voucher_labels.kind_label,
        voucher_bearer_label=voucher_labels.bearer_label, voucher_value_label=voucher_labels.value_label,
        collector_label=collector_label, entry_collector_label=entry_collector_label, owed_label=owed_label,
        section_owed_label=section_owed_label, section_name=section_name, section_title=section_title,
        showrooms_owed_label=showrooms_owed_label, section_discount_lines=section_discount_lines,
    )
    geo.load()
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
