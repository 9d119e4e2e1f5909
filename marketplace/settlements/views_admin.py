"""The program office's statements: list, build one for a producer and a period, see it, mark it paid."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.dates import parse_date, period_bounds, today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, arg_int, parse_int
from marketplace.pagination import page_count, paginate
from marketplace.producers.models import Producer
from marketplace.settlements import exports, labels, services
from marketplace.settlements.models import Statement, StatementStatus

bp = Blueprint("settlements_admin", __name__)

PAGE_SIZE = 50


def last_full_month(today: date | None = None) -> tuple[date, date]:
    """The first and last day of the month before this one."""
    today = today or today_vn()
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _producers() -> list[Producer]:
    return list(db.session.scalars(sa.select(Producer).order_by(Producer.name)))


@bp.get("")
@roles_required(Role.ADMIN)
def statement_list():
    """Every statement, newest period first, optionally for one producer or one status."""
    query = sa.select(Statement).options(joinedload(Statement.producer))
    producer_id = arg_int("producer", minimum=1, maximum=MAX_ID)
    status = request.args.get("status", "")
    if producer_id is not None:
        query = query.where(Statement.producer_id == producer_id)
    if status in {s.value for s in StatementStatus}:
        query = query.where(Statement.status == StatementStatus(status))
    result = paginate(query.order_by(Statement.period_end.desc(), Statement.id.desc()), PAGE_SIZE)
    args = {key: value for key, value in {"producer": producer_id, "status": status}.items() if value}
    return render_template("settlements/admin/statement_list.html", statements=result.items, producers=_producers(),
                           producer_id=producer_id, status=status, page=result.page, pages=page_count(result),
                           args=args)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def statement_new():
    """Build a statement: choose the producer and a finished period (last month by default)."""
    start, end = last_full_month()
    form = {"producer": request.values.get("producer", ""), "period_start": start.isoformat(),
            "period_end": end.isoformat()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form.update({key: request.form.get(key, "")[:20] for key in ("producer", "period_start", "period_end")})
        producer_id = parse_int(form["producer"], minimum=1, maximum=MAX_ID)
        producer = db.session.get(Producer, producer_id) if producer_id else None
        period_start, period_end = parse_date(form["period_start"]), parse_date(form["period_end"])
        if producer is None:
            errors["producer"] = _("Choose a producer.")
        if period_start is None:
            errors["period_start"] = _("Enter the first day of the period (dd/mm/yyyy).")
        if period_end is None:
            errors["period_end"] = _("Enter the last day of the period (dd/mm/yyyy).")
        if not errors:
            try:
                statement = services.build_statement(producer, period_start, period_end, actor=current_user)
            except DomainError as error:
                db.session.rollback()
                errors["form"] = error.message
            else:
                db.session.commit()
                flash(_("Statement #%(id)s was created.", id=statement.id), "success")
                return redirect(url_for(".statement_detail", statement_id=statement.id))
    status = 422 if errors else 200
    return render_template("settlements/admin/statement_new.html", form=form, errors=errors,
                           producers=_producers()), status


def _render_detail(statement: Statement, *, bank_reference: str = "", error: str | None = None,
                   void_reason: str = "", void_error: str | None = None, status: int = 200):
    return render_template(
        "settlements/statement_detail.html", statement=statement, entries=(entries := services.statement_entries(statement)),
        collectors=services.entry_collectors(entries),
        admin=True, view=labels.OFFICE_VIEW, balances=services.statement_balances(statement),
        marketplace_sections=services.marketplace_sections(statement), bank_reference=bank_reference, error=error, void_reason=void_reason, void_error=void_error,
        max_void_reason=services.MAX_VOID_REASON, period_start_utc=period_bounds(
            statement.period_start, statement.period_end)[0],
    ), status


@bp.get("/<int:statement_id>")
@roles_required(Role.ADMIN)
def statement_detail(statement_id: int):
    """A statement's figures and every ledger entry it settles."""
    return _render_detail(services.statement_for(current_user, statement_id))


@bp.get("/<int:statement_id>.xlsx")
@roles_required(Role.ADMIN)
def statement_export(statement_id: int):
    """The statement as a spreadsheet: its sections, products and who owes whom."""
    statement = services.statement_for(current_user, statement_id)
    rows = exports.statement_rows(statement, statement.sections, view=labels.OFFICE_VIEW,
                                  balances=services.statement_balances(statement))
    return Response(exports.to_xlsx(f"#{statement.id}", rows), mimetype=exports.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="statement-{statement.id}.xlsx"'})


def _change(statement_id: int, change, typed: str, *, typed_key: str, error_key: str, done: str):
    """Apply a status change to a statement and go back to it; a refusal re-shows the page with the text
    the admin typed (under typed_key) and the reason (under error_key), and changes nothing."""
    statement = services.statement_for(current_user, statement_id)
    try:
        change(statement, typed, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _render_detail(services.statement_for(current_user, statement_id), status=409,
                              **{typed_key: typed, error_key: error.message})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".statement_detail", statement_id=statement_id))


@bp.post("/<int:statement_id>/paid")
@roles_required(Role.ADMIN)
def statement_mark_paid(statement_id: int):
    """Record the bank transfer that paid the statement out (once)."""
    return _change(statement_id, services.mark_paid, request.form.get("bank_reference", "")[:300],
                   typed_key="bank_reference", error_key="error",
                   done=_("Statement #%(id)s is marked paid.", id=statement_id))


@bp.post("/<int:statement_id>/void")
@roles_required(Role.ADMIN)
def statement_void(statement_id: int):
    """Void an open statement built by mistake, with a reason; its sales go to the producer's next statement."""
    return _change(statement_id, services.void_statement, request.form.get("reason", "")[:1000],
                   typed_key="void_reason", error_key="void_error",
                   done=_("Statement #%(id)s is void; its sales will be settled by the next statement.",
                          id=statement_id))
