"""The producer's own statements (what it was paid or owes per period, per channel and showroom, and what is
not settled yet), and a showroom manager's view of the same statements cut to their showroom: what the
showroom owes each producer."""

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.dates import parse_date, period_bounds
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.settlements import exports, fees, labels, services
from marketplace.showrooms import services as showroom_services
from marketplace.showrooms.models import Showroom, StaffRole

bp = Blueprint("settlements_manage", __name__)


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_list():
    """The producer's statements, newest first, and the sales not settled yet."""
    producer = producer_scope(required=True)
    statements = services.producer_statements(producer.id)
    unsettled_count, unsettled_vnd = services.unsettled_total(producer.id)
    return render_template("settlements/statement_list.html", producer=producer, statements=statements,
                           unsettled_count=unsettled_count, unsettled_vnd=unsettled_vnd,
                           commission_rate_bp=fees.commission_rate_for(producer))


@bp.get("/<int:statement_id>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_detail(statement_id: int):
    """One of the producer's statements (404 for any other producer's, so ids cannot be probed)."""
    statement = services.statement_for(current_user, statement_id)
    return render_template(
        "settlements/statement_detail.html", statement=statement, entries=(entries := services.statement_entries(statement)),
        collectors=services.entry_collectors(entries),
        admin=False, view=labels.PRODUCER_VIEW, balances=services.statement_balances(statement),
        marketplace_sections=services.marketplace_sections(statement), bank_reference="", error=None,
        void_reason="", void_error=None,
        period_start_utc=period_bounds(statement.period_start, statement.period_end)[0],
    )


def xlsx_response(content: bytes, filename: str) -> Response:
    """An XLSX download under this file name."""
    return Response(content, mimetype=exports.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<int:statement_id>.xlsx")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_export(statement_id: int):
    """The statement as a spreadsheet: its sections, products and who owes whom."""
    statement = services.statement_for(current_user, statement_id)
    rows = exports.statement_rows(statement, statement.sections, view=labels.PRODUCER_VIEW,
                                  balances=services.statement_balances(statement))
    return xlsx_response(exports.to_xlsx(f"#{statement.id}", rows), f"statement-{statement.id}.xlsx")


def managed_showroom(showroom_id: int) -> Showroom:
    """A showroom whose settlements the user may read: admins any, its managers theirs (403 for its clerks,
    404 for anyone else, so other showrooms' ids cannot be probed)."""
    showroom = db.session.get(Showroom, showroom_id)
    if showroom is None:
        abort(404)
    if current_user.role == Role.ADMIN:
        return showroom
    member = showroom_services.membership(current_user, showroom.id)
    if member is None:
        abort(404)
    if member.role != StaffRole.MANAGER:
        abort(403)
    return showroom


def _period_args() -> tuple[str, str, date | None, date | None]:
    typed_start = request.args.get("from", "")[:20]
    typed_end = request.args.get("to", "")[:20]
    return typed_start, typed_end, parse_date(typed_start), parse_date(typed_end)


@bp.get("/showroom/<int:showroom_id>")
@roles_required(Role.SHOWROOM_STAFF, Role.ADMIN)
def showroom_statements(showroom_id: int):
    """What the showroom owes each producer, statement by statement (optionally for a period)."""
    showroom = managed_showroom(showroom_id)
    typed_start, typed_end, period_start, period_end = _period_args()
    found = services.showroom_statements(showroom.id, period_start=period_start, period_end=period_end)
    bad_dates = bool(typed_start and period_start is None) or bool(typed_end and period_end is None)
    return render_template(
        "settlements/showroom_statements.html", showroom=showroom, found=found, typed_start=typed_start,
        typed_end=typed_end, bad_dates=bad_dates, total_owed=sum(item.showroom_owes_vnd for item in found),
        total_net=sum(item.net_sales_vnd for item in found),
        total_commission=sum(item.commission_vnd for item in found),
    ), 422 if bad_dates else 200


def _showroom_statement(showroom_id: int, statement_id: int):
    showroom = managed_showroom(showroom_id)
    try:
        return showroom, services.showroom_statement(showroom.id, statement_id)
    except NotFound:
        abort(404)


@bp.get("/showroom/<int:showroom_id>/<int:statement_id>")
@roles_required(Role.SHOWROOM_STAFF, Role.ADMIN)
def showroom_statement(showroom_id: int, statement_id: int):
    """One producer's statement, only this showroom's sections: a printable page."""
    showroom, found = _showroom_statement(showroom_id, statement_id)
    return render_template("settlements/showroom_statement.html", showroom=showroom, found=found,
                           view=labels.SHOWROOM_VIEW)


@bp.get("/showroom/<int:showroom_id>/<int:statement_id>.xlsx")
@roles_required(Role.SHOWROOM_STAFF, Role.ADMIN)
def showroom_statement_export(showroom_id: int, statement_id: int):
    """The same as a spreadsheet."""
    showroom, found = _showroom_statement(showroom_id, statement_id)
    rows = exports.statement_rows(found.statement, found.sections, view=labels.SHOWROOM_VIEW,
                                  balances=[(showroom.name, found.showroom_owes_vnd)])
    return xlsx_response(exports.to_xlsx(f"#{found.statement.id}", rows),
                         f"statement-{found.statement.id}-{showroom.slug}.xlsx")
