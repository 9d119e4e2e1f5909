"""What every GET endpoint of the read API shares: its blueprint class, pages, ETags, caching and error bodies.

- Pages: `?page=` and `?page_size=` (flask-smorest's pagination, 1..100); the answer's body is the page's list,
  its headers say where it is: `X-Pagination` (JSON: total, total_pages, first_page, last_page, page,
  previous_page, next_page) and an RFC 8288 `Link` header (first, prev, next, last; absolute URLs on SITE_URL,
  never the request's Host). A page past the last is a 404; an empty list is page 1 of 0.
- ETags: flask-smorest hashes the dumped body (and X-Pagination); a GET whose If-None-Match holds it gets 304
  with the same ETag and no body. Answers may be stored but must be revalidated (`Cache-Control: no-cache`).
- Errors: {"error": code, "message": ..., "details": {...}} (the till endpoint's shape): 404 not_found,
  422 validation_error (details name the query arguments), 429 rate_limited; unknown /api/ URLs and
  outages (503) get the same shape from the app's handlers (marketplace.errors). Messages, the details'
  included, are in Vietnamese or English: `?lang=` as on the site, else the client's `Accept-Language`, else
  Vietnamese (errors.api_language; the answer's `Content-Language` says which).
- No session: nothing here reads or sets a cookie. Reads are rate limited per address (API_READ_RATE_LIMIT).
"""

import json
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from flask_smorest.exceptions import NotModified
from flask_smorest.pagination import PaginationParameters
from werkzeug.exceptions import HTTPException, TooManyRequests
from werkzeug.http import quote_etag

from marketplace.errors import API_ERROR_CODES, api_error_response, end_api_language, use_api_language
from marketplace.extensions import db, limiter
from marketplace.urls import site_url

PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
RATE_LIMIT = "600 per minute"


class PageNotFound(Exception):
    """The page asked for is past the last one."""

    def __init__(self, page: int, last: int | None = None):
        super().__init__(page, last)
        self.page, self.last = page, last

    @property
    def message(self):
        if self.last is None:
            return _l("Page %(page)s is past the last page.", page=self.page)
        return _l("Page %(page)s is past the last page (%(last)s).", page=self.page, last=self.last)


class _NotModified(NotModified):
    """flask-smorest's 304, carrying the ETag that matched (a 304 repeats the ETag, RFC 9110 15.4.5)."""

    def __init__(self, etag: str):
        super().__init__()
        self.etag = etag


class ReadBlueprint(Blueprint):
    """flask-smorest's Blueprint with a Link header beside X-Pagination, and the ETag kept on a 304."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": PAGE_SIZE, "max_page_size": MAX_PAGE_SIZE}

    def _check_not_modified(self, etag):
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and etag in request.if_none_match:
            raise _NotModified(etag)

    def _set_pagination_metadata(self, page_params: PaginationParameters, result, headers):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        metadata = json.loads(headers[self.PAGINATION_HEADER_NAME])
        links = [(metadata.get(key), rel) for key, rel in (("first_page", "first"), ("previous_page", "prev"),
                                                           ("next_page", "next"), ("last_page", "last"))]
        value = ", ".join(f'<{page_url(page, page_params.page_size)}>; rel="{rel}"' for page, rel in links if page)
        if value:
            headers["Link"] = value
        return result, headers


    def _document_pagination_metadata(self, spec, resp_doc):
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": "RFC 8288 links to the first, prev, next and last pages (absolute URLs).",
            "schema": {"type": "string"}}


def page_url(page: int, page_size: int) -> str:
    """This list's URL at another page (the same filters), on the configured site."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key not in ("page", "page_size")]
    args += [("page", str(page)), ("page_size", str(page_size))]
    return f"{site_url()}{request.path}?{urlencode(args)}"


def paged(items_or_total, page_params: PaginationParameters):
    """Check the page against the total (PageNotFound past the last) and note the total for the headers."""
    total = items_or_total if isinstance(items_or_total, int) else len(items_or_total)
    last = max(1, -(-total // page_params.page_size))
    if page_params.page > last:
        raise PageNotFound(page_params.page, last)
    page_params.item_count = total
    return total


def page_of(items: list, page_params: PaginationParameters) -> list:
    """One page of a short list already in memory (showrooms, campaigns)."""
    paged(items, page_params)
    return items[page_params.first_item:page_params.last_item + 1]


def page_of_statement(statement: sa.Select, page_params: PaginationParameters) -> list:
    """One page of an ordered SELECT of one entity or column: counted first, so a page past the last (even
    page 10**18, whose offset no database takes) is a 404 before any row is read."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    paged(total or 0, page_params)
    rows = db.session.scalars(statement.limit(page_params.page_size).offset(page_params.first_item))
    return list(rows.unique())


def _rate_limit() -> str:
    return current_app.config.get("API_READ_RATE_LIMIT") or RATE_LIMIT


_CODES = {code: API_ERROR_CODES[code] for code in (400, 404, 405, 422, 429, 500)}


def _page_not_found(error: PageNotFound):
    details = {"page": error.page} if error.last is None else {"page": error.page, "last_page": error.last}
    return api_error_response(404, "not_found", error.message, details)


def _not_modified(error: _NotModified):
    response = current_app.response_class(status=304)
    response.headers["ETag"] = quote_etag(error.etag)
    return response


def _http_error(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or {}
    if messages:  # webargs: a query argument did not match the schema
        details = messages.get("query", messages)
        return api_error_response(422, "validation_error", _l("A query argument is not valid: see details."), details)
    return api_error_response(status, _CODES.get(status, "error"), own_description(error))


def _revalidate(response):
    if response.status_code in (200, 304):
        response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept-Encoding")
    return response


def own_description(error: HTTPException):
    """What the view said when it aborted (not_found's message), or nothing: werkzeug's and the limiter's
    English descriptions give way to the API's own message for the status (errors.API_ERROR_MESSAGES)."""
    description = error.description
    if description is None or description == type(error).description or isinstance(error, TooManyRequests):
        return None
    return description


def install(blueprint: ReadBlueprint) -> ReadBlueprint:
    """The read blueprint's language, rate limit, error bodies, 304s and caching headers."""
    blueprint.before_request(use_api_language)
    blueprint.teardown_request(end_api_language)
    limiter.limit(_rate_limit)(blueprint)
    blueprint.register_error_handler(PageNotFound, _page_not_found)
    blueprint.register_error_handler(_NotModified, _not_modified)
    # By code: Flask looks for a handler of the code (the app's pages) before one of the class.
    for code in _CODES:
        blueprint.register_error_handler(code, _http_error)
    blueprint.after_request(_revalidate)
    return blueprint


#: What a 404 of each kind of thing says.
NOT_FOUND = {
    "product": _l("No public product has this address."),
    "producer": _l("No verified producer has this address."),
    "showroom": _l("No open showroom has this address."),
    "certificate": _l("No public certificate has this number."),
    "campaign": _l("No campaign shown today has this address."),
    "demand request": _l("No open demand request has this number."),
}


def not_found(what: str):
    """A 404 with the API's body (raised from a view), saying what was not found."""
    abort(404, description=NOT_FOUND[what])
