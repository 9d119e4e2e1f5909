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
# Access log to stdout for the service manager's journal.
accesslog = "-"

_default_headers = _gunicorn_http.Response.default_headers


def _headers_without_banner(response):
    """gunicorn writes `Server: gunicorn` itself, with no setting to turn it off: drop that one line."""
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


_gunicorn_http.Response.default_headers = _headers_without_banner
