"""gunicorn's settings for production (gunicorn reads ./gunicorn.conf.py by itself): gunicorn wsgi:app

Behind nginx: bind to the loopback, and send no `Server: gunicorn` banner (nginx adds its own headers;
the version of the app server is nobody's business).
"""

import os

from gunicorn.http import wsgi as _gunicorn_http

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Kill a worker stuck longer than this on one request (seconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Access log to stdout for the service manager's journal, each line with the request's id (the X-Request-ID
# the app answers with: nginx's, or the app's own; see marketplace/observability.py) and its time in ms.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

_default_headers = _gunicorn_http.Response.default_headers


def _headers_without_banner(response):
    """gunicorn writes `Server: gunicorn` itself, with no setting to turn it off: drop that one line."""
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


_gunicorn_http.Response.default_headers = _headers_without_banner


def child_exit(server, worker):
    """With METRICS_ENABLED under several workers (PROMETHEUS_MULTIPROC_DIR set): drop a dead worker's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
