"""Domain errors raised by services, and the HTTP error pages."""

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError

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


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    """Show errors in the site's style (or as JSON for API clients)."""

    def render(status: int, title: str, message: str):
        if _wants_json():
            response = jsonify(error=title, message=message)
        else:
            response = make_response(render_template("errors/error.html", status=status, title=title, message=message))
        response.status_code = status
        return response

    @app.errorhandler(400)
    def bad_request(error):
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

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        log.warning("database unavailable: %s", error)
        from marketplace.extensions import db

        try:
            db.session.rollback()
        except Exception:  # the connection may be gone; the pool replaces it on the next checkout
            log.debug("rollback after database error failed", exc_info=True)
        response = render(503, _("Temporarily unavailable"), _("The service is briefly unavailable. Please try again in a moment."))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(500)
    def server_error(error):
        return render(500, _("Something went wrong"), _("An unexpected error happened. It has been logged; please try again."))
