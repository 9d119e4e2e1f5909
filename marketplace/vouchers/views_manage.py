"""A producer's own voucher screens under /manage/vouchers: codes for its shop, whose cost it bears.

A member sees and changes only its own producer's codes (another producer's id answers 404); the program
office opens a producer's screens with ?producer=<id>.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, roles_required
from marketplace.backoffice import acting_producer, producer_scope
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.vouchers import services
from marketplace.vouchers.forms import ButtonForm, VoucherForm, fill_choices
from marketplace.vouchers.models import CostBearer
from marketplace.vouchers.status import VoucherStatus

bp = Blueprint("vouchers_manage", __name__)
PER_PAGE = 50


def _scope_args(producer) -> dict:
    """?producer=<id> for the program office, nothing for the producer's own members."""
    return {} if current_user.role == Role.PRODUCER else {"producer": producer.id}


def _own_voucher_or_404(voucher_id: int, producer):
    """One of the producer's own codes (borne by it); a platform code for its shop is the office's to change."""
    try:
        voucher = services.voucher_for(voucher_id, producer_id=producer.id)
    except NotFound:
        abort(404)
    if voucher.bearer != CostBearer.PRODUCER:
        abort(404)
    return voucher


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def voucher_list():
    """The shop's vouchers, newest first, with their uses left."""
    producer = producer_scope(required=True)
    result = paginate(services.vouchers_statement(producer.id), PER_PAGE)
    return render_template("vouchers/manage/voucher_list.html", producer=producer, vouchers=result.items,
                           page=result.page, pages=page_count(result), button=ButtonForm(),
                           scope=_scope_args(producer), status_endpoint="vouchers_manage.voucher_status",
                           status_args=_scope_args(producer), detail_endpoint=None,
                           can_change=lambda voucher: voucher.bearer == CostBearer.PRODUCER)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.PRODUCER, Role.ADMIN)
def voucher_new():
    """A new code for the shop's products, whose discount the producer bears."""
    producer = acting_producer(may=can_manage_producer)
    form = VoucherForm()
    fill_choices(form)
    if request.method == "GET":
        form.kind.data, form.per_user_limit.data = "percent", "1"
    if form.validate_on_submit():
        try:
            voucher = services.create_voucher(form.data, actor=current_user, producer=producer)
        except services.InvalidVoucher as error:
            for name, message in error.errors.items():
                getattr(form, name).errors = [message]
        else:
            db.session.commit()
            flash(_("The voucher %(code)s was created.", code=voucher.code), "success")
            return redirect(url_for(".voucher_list", **_scope_args(producer)))
    status = 422 if request.method == "POST" else 200
    return render_template("vouchers/manage/voucher_form.html", form=form, producer=producer,
                           scope=_scope_args(producer)), status


@bp.post("/<int:voucher_id>/status")
@roles_required(Role.PRODUCER, Role.ADMIN)
def voucher_status(voucher_id: int):
    """Pause one of the shop's active vouchers, or resume it."""
    producer = acting_producer(may=can_manage_producer)
    voucher = _own_voucher_or_404(voucher_id, producer)
    if not ButtonForm().validate_on_submit():
        abort(400)
    new = VoucherStatus.PAUSED if voucher.status == VoucherStatus.ACTIVE else VoucherStatus.ACTIVE
    try:
        services.change_voucher_status(voucher, new, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The voucher %(code)s is paused.", code=voucher.code) if new == VoucherStatus.PAUSED
              else _("The voucher %(code)s can be used again.", code=voucher.code), "success")
    return redirect(url_for(".voucher_list", **_scope_args(producer)))
