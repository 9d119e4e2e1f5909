"""Logs carry the request id (taken from X-Request-ID or made), the response returns it, JSON log lines parse,
and /metrics exists only when enabled, for the loopback or a bearer token."""

import json
import logging

import pytest

from config import TestConfig
from marketplace import create_app, observability


@pytest.fixture
def fresh_app(database_url):
    """A new app (routes may still be added to it) on the tests' database."""
    def build(**settings):
        class FreshConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = database_url

        for key, value in settings.items():
            setattr(FreshConfig, key, value)
        return create_app(FreshConfig)
    return build


@pytest.fixture
def metrics_app(fresh_app):
    return lambda **settings: fresh_app(METRICS_ENABLED=True, **settings)


def test_metrics_count_requests_by_route_for_the_loopback(metrics_app):
    client = metrics_app().test_client()
    client.get("/healthz")
    client.get("/api/v1/showrooms")
    body = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert 'flask_http_request_total{method="GET",status="200"}' in body
    assert 'url_rule="/api/v1/showrooms"' in body and "flask_http_request_duration_seconds_bucket" in body
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404


def test_metrics_with_a_token_want_it(metrics_app):
    client = metrics_app(METRICS_TOKEN="s3cret-metrics").test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"},
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert ok.status_code == 200 and "flask_http_request_total" in ok.get_data(as_text=True)


def test_a_request_id_is_made_returned_and_on_every_log_line(fresh_app, caplog):
    app = fresh_app()

    @app.get("/_test/log")
    def _log_something():
        logging.getLogger("marketplace.test").warning("something happened")
        return "ok"

    caplog.set_level(logging.INFO)
    client = app.test_client()
    made = client.get("/_test/log").headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    record = next(r for r in caplog.records if r.getMessage() == "something happened")
    assert record.request_id == made  # set by the app's log handler's filter on every record
    sent = client.get("/_test/log", headers={"X-Request-ID": "from-nginx-1"})
    assert sent.headers["X-Request-ID"] == "from-nginx-1"
    assert [r.request_id for r in caplog.records if r.getMessage() == "something happened"][-1] == "from-nginx-1"


def test_a_sent_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.9_b"}).headers["X-Request-ID"] == "nginx-4f2a.9_b"
    for bad in ("a b", "x" * 129, "<script>", "id\u00e9"):
        answered = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert answered != bad and len(answered) == 32


def test_log_lines_carry_the_request_id_in_both_formats(app):
    record = logging.LogRecord("marketplace.orders", logging.ERROR, __file__, 1, "order %s failed", ("DH-1",), None)
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "abc123"
        observability.RequestIdFilter().filter(record)
    line = json.loads(observability.formatter("json").format(record))
    assert line["request_id"] == "abc123" and line["message"] == "order DH-1 failed"
    assert line["level"] == "ERROR" and line["logger"] == "marketplace.orders" and "time" in line
    assert "[abc123] order DH-1 failed" in observability.formatter("text").format(record)
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "cron", (), None)
    observability.RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404
