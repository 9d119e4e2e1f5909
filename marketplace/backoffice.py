"""The back office shell that every producer and program-office screen shares.

- whose data a screen shows (`producer_scope`: a member's own producer, or the producer an admin names
  with ?producer=<id>);
- the links between the order, statement and figures screens, and the query arguments they carry;
- the `rate_bp` filter for commission rates.

Domain screens live in their packages (`views_manage.py` for the producer's back office under /manage,
`views_admin.py` for the program office under /admin); they import this module, never each other.
"""

from flask import Flask, abort, request
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.producers.models import Producer


def _named_producer_id() -> int | None:
    """The ?producer=<id> an admin named (None when absent); 404 when it is not an id."""
    raw = request.values.get("producer", "").strip()
    if not raw:
        return None
    producer_id = parse_int(raw, minimum=1)
    if producer_id is None:
        abort(404)
    return producer_id


def producer_scope(*, required: bool = False) -> Producer | None:
    """The producer whose data the signed-in user is looking at.

    A producer member always sees its own producer (a ?producer= naming another one is ignored). An admin
    names one with ?producer=<id> (404 when unknown); without it, None means "all producers", or a 404
    when the page needs one producer (`required`).
    """
    if current_user.role == Role.PRODUCER:
        producer = db.session.get(Producer, current_user.producer_id)
        if producer is None:
            abort(404)
        return producer
    producer_id = _named_producer_id()
    if producer_id is None:
        if required:
            abort(404)
        return None
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    return producer


def manage_links() -> list[tuple[str, str]]:
    """The sibling pages linked at the top of the order, statement and figures screens."""
    links = [("orders_manage.order_list", _("Orders")), ("settlements_manage.statement_list", _("Statements")),
             ("reports_manage.figures_page", _("Sales figures"))]
    if current_user.role == Role.ADMIN:
        links = [link for link in links if link[0] == "orders_manage.order_list"]
        links.append(("settlements_admin.statement_list", _("Statements")))
    return links


def manage_context() -> dict:
    """Template values the order, statement and figures screens use (their blueprints register it)."""
    if not current_user.is_authenticated:
        return {}
    args = {}
    if current_user.role == Role.ADMIN:
        producer_id = parse_int(request.args.get("producer", ""), minimum=1)
        if producer_id is not None:
            args["producer"] = str(producer_id)
    return {"manage_links": manage_links(), "manage_link_args": args}


def format_rate_bp(rate_bp: int | None) -> str:
    """1000 basis points -> '10 %', 750 -> '7,5 %' (Vietnamese decimal comma, no-break space)."""
    if rate_bp is None:
        return ""
    whole, rest = divmod(int(rate_bp), 100)
    text = str(whole) if rest == 0 else f"{whole},{rest:02d}".rstrip("0")
    return f"{text}\xa0%"


def init_app(app: Flask) -> None:
    """Register the back office's template filter."""
    app.jinja_env.filters["rate_bp"] = format_rate_bp
