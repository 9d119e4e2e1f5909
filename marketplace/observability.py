"""Logs and metrics: a request id on every log line, JSON lines for a log collector, and /metrics for Prometheus.

- **Request id**: each request takes the X-Request-ID header its proxy sent (nginx: `$request_id`) when it is a
  plain token (letters, digits, `.`, `_`, `-`, at most 128), or makes one (32 hex digits); it is in `g.request_id`,
  on every log line written while the request runs (the `request_id` field; "-" outside a request) and in the
  response's X-Request-ID header, so one id follows a request through nginx, gunicorn's access log
  (gunicorn.conf.py logs the header) and the app.
- **Log lines**: LOG_FORMAT=json (production's default) writes one JSON object a line (python-json-logger:
  time, level, logger, message, request_id, and the traceback when there is one); `text` (development)
  writes the same fields as a readable line.
- **Metrics** (METRICS_ENABLED, off by default): prometheus-flask-exporter counts requests and times them per
  route (`flask_http_request_total`, `flask_http_request_duration_seconds`, by url rule, method and status)
  at /metrics (METRICS_PATH). Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR to an empty
  folder (gunicorn.conf.py then cleans up after dead workers) and every worker's counts are added up.
  /metrics answers only the loopback (a Prometheus on the same host or the nginx in front, which keeps it
  off the public site) unless METRICS_TOKEN is set, in which case it wants `Authorization: Bearer <token>`.
"""

import hmac
import logging
import os
import re
import uuid
from functools import wraps

from flask import Flask, abort, g, has_request_context, request
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}", re.ASCII)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
_LOOPBACK = {"127.0.0.1", "::1"}


def current_request_id() -> str:
    """The id of the request being served, "-" outside a request."""
    if has_request_context():
        return getattr(g, "request_id", None) or "-"
    return "-"


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record (handlers keep every record: this filter never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, in the configured format, with the request id on every record."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_ocop", False)), None)
    if handler is None:
        for existing in list(root.handlers):  # a basicConfig() handler (pytest's own are subclasses: kept)
            if type(existing) is logging.StreamHandler:
                root.removeHandler(existing)
        handler = logging.StreamHandler()
        handler._ocop = True
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter(app.config.get("LOG_FORMAT") or "text"))
    root.setLevel(app.config.get("LOG_LEVEL") or logging.INFO)


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def take_request_id():
        sent = request.headers.get(HEADER, "")
        g.request_id = sent if _VALID_ID.fullmatch(sent) else uuid.uuid4().hex

    @app.after_request
    def return_request_id(response):
        response.headers[HEADER] = current_request_id()
        return response


def _metrics_guard(app: Flask):
    token = app.config.get("METRICS_TOKEN") or ""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if token:
                scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip(), token):
                    abort(404)
            elif request.remote_addr not in _LOOPBACK:
                abort(404)
            return view(*args, **kwargs)
        return guarded
    return decorator


def init_metrics(app: Flask) -> PrometheusMetrics | None:
    """/metrics when METRICS_ENABLED (see the module docstring); None otherwise."""
    if not app.config.get("METRICS_ENABLED"):
        return None
    options = {"path": app.config.get("METRICS_PATH") or "/metrics", "group_by": "url_rule",
               "metrics_decorator": _metrics_guard(app), "excluded_paths": ["^/static/", "^/media/"]}
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics = GunicornInternalPrometheusMetrics(app, **options)
    else:
        # One registry per app: a second app in the same process (the tests) gets its own counters.
        metrics = PrometheusMetrics(app, registry=CollectorRegistry(auto_describe=True), **options)
    metrics.info("ocop_market_info", "OCOP Market", environment=app.config.get("ENV_NAME", ""))
    return metrics


def init_app(app: Flask) -> None:
    configure_logging(app)
    init_request_ids(app)
    init_metrics(app)
