"""Domain errors raised by services, and the HTTP error pages.

Who is at fault decides the answer: bad input is the client's (400/404), a database that cannot be reached
or a transaction that lost a race is an outage (503 with Retry-After), anything else is a bug (a logged 500).
Error pages render without the database, and no log line carries a statement's parameters.
"""

import logging
import traceback
from contextlib import ExitStack

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import SecurityError

from marketplace.extensions import db
from marketplace.i18n import SUPPORTED

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the marketplace refused an action; the message is safe to show to the user."""

    def __init__(self, message: str = "", **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class PermissionDenied(DomainError):
    """The actor may not do this."""


#: PostgreSQL error classes that mean "try again": connection exceptions, insufficient resources, the
#: server shutting down or starting, serialisation failures, deadlocks, lock and statement timeouts.
_RETRYABLE_SQLSTATE_PREFIXES = ("08", "53", "57P")
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03", "57014"}
#: SQLite's equivalents: busy or locked database, file that cannot be opened, I/O error, full disk.
_RETRYABLE_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")


def is_outage(error: DBAPIError) -> bool:
    """True when the database could not serve the request (retry later), False for a bug in a statement.

    A lost connection, a server that refuses connections, a serialisation failure or a deadlock are
    outages; an IntegrityError, a DataError or a misspelt column are bugs.
    """
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_RETRYABLE_SQLSTATE_PREFIXES) or sqlstate in _RETRYABLE_SQLSTATES
    sqlite_name = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_name:
        return sqlite_name.startswith(_RETRYABLE_SQLITE)
    return True  # no error code: the driver could not reach the server at all


def describe(error: DBAPIError) -> str:
    """What went wrong, for the log, without the statement's parameters or the server's DETAIL line
    (which quotes row values): the driver's error class, its code and constraint, and the statement."""
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or "-"
    diag = getattr(orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) if diag is not None else None
    statement = " ".join((error.statement or "").split())[:500]
    return (f"{type(error).__name__}/{type(orig).__name__} (code {code}{', constraint ' + constraint if constraint else ''})"
            f" in {request.method} {request.path}: {statement}")


#: The codes of the JSON error bodies, by status.
API_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                   405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
                   422: "validation_error", 429: "rate_limited", 500: "server_error", 503: "unavailable"}


#: What an API error says when the view gave nothing more precise, by status.
API_ERROR_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Send a valid token."),
    403: _l("This is not allowed with these credentials."),
    404: _l("Nothing public has this address."),
    405: _l("This method is not allowed at this address."),
    413: _l("The request is larger than the allowed size."),
    415: _l("Send the body as application/json."),
    422: _l("The request is not valid: see details."),
    429: _l("Too many requests from this address. Please wait a moment and try again."),
    500: _l("An unexpected error happened. It has been logged; please try again."),
    503: _l("The service is briefly unavailable. Please try again in a moment."),
}

#: marshmallow's own messages (without placeholders) that the API's error details may carry, translated like
#: ours: listed here so that the catalogue holds them.
_LIBRARY_MESSAGES = (_l("Not a valid integer."), _l("Not a valid string."), _l("Not a valid boolean."),
                     _l("Not a valid number."), _l("Not a valid datetime."), _l("Not a valid list."),
                     _l("Unknown field."), _l("Missing data for required field."), _l("Field may not be null."),
                     _l("Invalid input type."), _l("Invalid value."))


def api_language() -> str:
    """The language of the API's messages: ?lang= first, as on the site, then the client's Accept-Language
    (its best of vi and en, q-values weighed), then Vietnamese, the site's default. No cookie: the API keeps
    no session."""
    asked = request.args.get("lang")
    if asked in SUPPORTED:
        return asked
    return request.accept_languages.best_match(SUPPORTED) or SUPPORTED[0]


def use_api_language() -> None:
    """A before_request of the API blueprints: the whole request speaks api_language(), so validators' and
    services' messages come out in the client's language (ended by end_api_language at teardown)."""
    stack = ExitStack()
    stack.enter_context(force_locale(api_language()))
    g.api_language_scope = stack


def end_api_language(_error=None) -> None:
    scope = g.pop("api_language_scope", None)
    if scope is not None:
        scope.close()


def _in_language(value, *, message: bool = True):
    """Messages in the current locale: lazy ones, and plain strings in lists (marshmallow's own messages, which
    are message ids); a string that a detail echoes (a SKU, a barcode) is left as it was sent."""
    if isinstance(value, dict):
        return {key: _in_language(item, message=False) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_in_language(item) for item in value]
    if isinstance(value, str):
        return _(value) if value and message else value
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)  # a lazy message


def api_error_response(status: int, code: str | None, message, details: dict | None = None):
    """The API's error body, {"error": code, "message": ..., "details": {...}}, with its status.

    The message and details may be lazy messages: they are given in api_language() (Content-Language says
    which), so an error raised before the request chose its language speaks it too."""
    language = api_language()
    with force_locale(language):
        body = {"error": code or API_ERROR_CODES.get(status, "error"),
                "message": _in_language(message or API_ERROR_MESSAGES.get(status, "")),
                "details": _in_language(details or {})}
    response = jsonify(body)
    response.status_code = status
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


_BARE_PAGE = ('<!doctype html><html><head><meta charset="utf-8"><title>{status} {title}</title></head>'
              "<body><h1>{status} {title}</h1><p>{message}</p></body></html>")


def _bare_page(status: int, title: str, message: str):
    """The page when the site's layout cannot be drawn (unknown host, a failing template)."""
    html = _BARE_PAGE.format(status=status, title=escape(title), message=escape(message))
    return make_response(html, status, {"Content-Type": "text/html; charset=utf-8"})


def register_error_handlers(app: Flask) -> None:
    """Show errors in the site's style (or as JSON for API clients)."""

    def render(status: int, title: str, message: str, *, offline: bool = False):
        """The error page; `offline` draws it without anything that may query the database (the
        signed-in user, the cart count, screens' context processors): only the template and the cookie."""
        if _is_api():  # an unknown /api/ URL, a NUL byte, an outage: the API's own error body
            return api_error_response(status, None, API_ERROR_MESSAGES.get(status, message))
        title, message = str(title), str(message)
        if _wants_json():
            response = jsonify(error=title, message=message)
            response.status_code = status
            return response
        context = {"status": status, "title": title, "message": message}
        try:
            if offline:
                template = app.jinja_env.get_template("errors/error.html")
                html = template.render(current_user=AnonymousUserMixin(), **context)
            else:
                html = render_template("errors/error.html", **context)
        except DBAPIError as failure:  # e.g. a 404 for a signed-in user while the database is down
            log.warning("the %s page could not be drawn with the site's layout: %s", status, describe(failure))
            return _bare_page(status, title, message)
        except Exception:
            log.exception("the %s page could not be drawn with the site's layout", status)
            return _bare_page(status, title, message)
        return make_response(html, status)

    @app.errorhandler(400)
    def bad_request(error):
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no links to build
            return _bare_page(400, "Bad request", "Unknown host.")
        return render(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def forbidden(error):
        return render(403, _("Not allowed"), _("You do not have permission to see this page."))

    @app.errorhandler(404)
    def not_found(error):
        return render(404, _("Page not found"), _("The page you asked for does not exist or is no longer available."))

    @app.errorhandler(NotFound)
    def domain_not_found(error):
        return not_found(error)

    @app.errorhandler(PermissionDenied)
    def domain_forbidden(error):
        return forbidden(error)

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render(405, _("Not allowed"), _("This action is not allowed here."))

    @app.errorhandler(413)
    def too_large(error):
        return render(413, _("File too large"), _("The upload is larger than the allowed size."))

    @app.errorhandler(429)
    def too_many(error):
        return render(429, _("Too many attempts"), _("Too many attempts. Please wait a moment and try again."))

    def unavailable():
        response = render(503, _("Temporarily unavailable"),
                          _("The service is briefly unavailable. Please try again in a moment."), offline=True)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error):
        _rollback()
        if is_outage(error):
            log.warning("database unavailable: %s", describe(error))
            return unavailable()
        # A bug: the traceback without the exception's text (it quotes values), and the statement alone.
        log.error("database error: %s\n%s", describe(error), "".join(traceback.format_tb(error.__traceback__)))
        return server_error(error)

    @app.errorhandler(PoolTimeout)
    def database_busy(error):
        log.warning("no database connection free in time in %s %s", request.method, request.path)
        _rollback()
        return unavailable()

    @app.teardown_appcontext
    def end_session_after_an_outage(_error=None):
        """End the request's session before Flask-SQLAlchemy does (teardowns run last-registered first): when
        the server dropped the connection (a restart), its closing ROLLBACK fails, and raised from a teardown
        that turns an answered request into gunicorn's bare 500. The connection is thrown away instead."""
        try:
            db.session.remove()
        except DBAPIError as failure:
            log.warning("database connection lost at the end of a request (%s): discarded",
                        type(failure.orig).__name__)
            db.session().invalidate()  # closes the session, dropping its connections without a ROLLBACK
            db.session.remove()

    @app.errorhandler(500)
    def server_error(error):
        return render(500, _("Something went wrong"), _("An unexpected error happened. It has been logged; please try again."))


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the pool replaces it on the next checkout
        log.debug("rollback after database error failed", exc_info=True)
