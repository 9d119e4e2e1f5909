"""One way to show a query a page at a time: Flask-SQLAlchemy's `db.paginate`, the page number read by
`inputs.page_arg` (ASCII digits only), and one rule for a page past the last.

Screens pass the statement (selecting one model or one column) and their page size, and hand `page`,
`pages`, `total` and `items` of the result to the `pager` macro.
"""

from flask import abort
from flask_sqlalchemy.pagination import Pagination

from marketplace.extensions import db
from marketplace.inputs import page_arg


def paginate(statement, per_page: int, *, page: int | None = None, past_last: str = "last") -> Pagination:
    """The asked-for page of `statement` (`?page=` when `page` is None).

    A page past the last shows the last page (`past_last="last"`, for back-office lists whose filters
    shrink) or answers 404 (`past_last="404"`, for public pages that search engines crawl). An empty result
    is page 1 of 1.
    """
    page = page_arg() if page is None else max(page, 1)
    result = db.paginate(statement, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    last = max(result.pages, 1)
    if page > last:
        if past_last == "404":
            abort(404)
        result = db.paginate(statement, page=last, per_page=per_page, max_per_page=per_page, error_out=False)
    return result


def page_count(result: Pagination) -> int:
    """Pages for the pager: at least 1, also when nothing matched."""
    return max(result.pages, 1)
