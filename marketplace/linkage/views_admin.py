"""The program office's demand board screens under /admin/demand: every request (hide with a reason,
restore) and every linkage."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.linkage import queries, requests
from marketplace.linkage.forms import ButtonForm, HideForm
from marketplace.linkage.models import DemandRequest
from marketplace.linkage.status import RequestStatus
from marketplace.pagination import page_count, paginate

bp = Blueprint("linkage_admin", __name__)
PAGE_SIZE = 30


def _status_arg() -> RequestStatus | None:
    try:
        return RequestStatus(request.args.get("status", ""))
    except ValueError:
        return None


@bp.get("")
@roles_required(Role.ADMIN)
def request_list():
    """Every request, newest first, by status; each can be hidden (with a reason) or restored."""
    status = _status_arg()
    result = paginate(queries.admin_requests(status=status), PAGE_SIZE)
    return render_template("linkage/admin/request_list.html", result=result, pages=page_count(result), status=status,
                           statuses=list(RequestStatus), hide_form=HideForm(formdata=None), button=ButtonForm())


def _request_or_404(request_id: int) -> DemandRequest:
    demand = db.session.get(DemandRequest, request_id)
    if demand is None:
        abort(404)
    return demand


@bp.post("/<int:request_id>/hide")
@roles_required(Role.ADMIN)
def request_hide(request_id: int):
    """Hide a request (spam, abuse) with a reason its author reads."""
    demand = _request_or_404(request_id)
    form = HideForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        requests.hide_request(demand, actor=current_user, reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The request is hidden."), "success")
    return redirect(url_for("linkage_admin.request_list", status=request.args.get("status") or None))


@bp.post("/<int:request_id>/restore")
@roles_required(Role.ADMIN)
def request_restore(request_id: int):
    """Show a hidden request again (it expires instead when its date has passed)."""
    demand = _request_or_404(request_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        requests.restore_request(demand, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The request is shown again."), "success")
    return redirect(url_for("linkage_admin.request_list", status=request.args.get("status") or None))


@bp.get("/linkages")
@roles_required(Role.ADMIN)
def linkage_list():
    """Every linkage recorded, newest first, with its value and whether it became an order."""
    result = paginate(queries.linkages(), PAGE_SIZE)
    return render_template("linkage/admin/linkage_list.html", result=result, pages=page_count(result))
