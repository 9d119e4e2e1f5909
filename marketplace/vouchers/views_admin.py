"""The program office's voucher screens under /admin/vouchers: list (uses left), create, detail, edit the terms,
pause/resume."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.producers.models import Producer
from marketplace.promotions.models import Campaign
from marketplace.vouchers import services
from marketplace.vouchers.forms import ButtonForm, VoucherForm, fill_choices
from marketplace.vouchers.status import VoucherStatus

bp = Blueprint("vouchers_admin", __name__)
PER_PAGE = 50


def _voucher_or_404(voucher_id: int):
    try:
        return services.voucher_for(voucher_id)
    except NotFound:
        abort(404)


@bp.get("")
@roles_required(Role.ADMIN)
def voucher_list():
    """Every voucher, newest first, with its uses left."""
    result = paginate(services.vouchers_statement(), PER_PAGE)
    return render_template("vouchers/admin/voucher_list.html", vouchers=result.items, page=result.page,
                           pages=page_count(result), button=ButtonForm(), can_change=lambda voucher: True,
                           status_endpoint="vouchers_admin.voucher_status", status_args={},
                           detail_endpoint="vouchers_admin.voucher_detail")


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def voucher_new():
    """Create a voucher: platform-borne for any shop, or producer-borne for one producer."""
    form = VoucherForm()
    producers = list(db.session.scalars(sa.select(Producer).order_by(Producer.name)))
    fill_choices(form, producers=producers,
                 campaigns=db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc())).all())
    if request.method == "GET":
        form.kind.data, form.bearer.data, form.per_user_limit.data = "percent", "platform", "1"
    if form.validate_on_submit():
        try:
            voucher = services.create_voucher(form.data, actor=current_user)
        except services.InvalidVoucher as error:
            for name, message in error.errors.items():
                getattr(form, name).errors = [message]
        else:
            db.session.commit()
            flash(_("The voucher %(code)s was created.", code=voucher.code), "success")
            return redirect(url_for(".voucher_detail", voucher_id=voucher.id))
    status = 422 if request.method == "POST" else 200
    return render_template("vouchers/admin/voucher_form.html", form=form), status


@bp.get("/<int:voucher_id>")
@roles_required(Role.ADMIN)
def voucher_detail(voucher_id: int):
    """A voucher's terms, uses and status history."""
    voucher = _voucher_or_404(voucher_id)
    return render_template("vouchers/admin/voucher_detail.html", voucher=voucher,
                           events=services.events_for(voucher), button=ButtonForm())


@bp.route("/<int:voucher_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def voucher_edit(voucher_id: int):
    """Change a voucher's description, value, minimum, dates and limits (code and kind only until it is used)."""
    voucher = _voucher_or_404(voucher_id)
    used = services.times_used(voucher)
    form = VoucherForm(data=services.edit_form_data(voucher) if request.method == "GET" else None)
    fill_choices(form)
    del form.product_skus
    if form.validate_on_submit():
        try:
            services.update_voucher(voucher, form.data, actor=current_user)
        except services.InvalidVoucher as error:
            # Refused before any write: the page shows what was typed, each error on its field.
            for name, message in error.errors.items():
                getattr(form, name).errors = [message]
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The voucher %(code)s was saved.", code=voucher.code), "success")
            return redirect(url_for(".voucher_detail", voucher_id=voucher.id))
    status = 422 if request.method == "POST" else 200
    return render_template("vouchers/admin/voucher_edit.html", form=form, voucher=voucher, used=used,
                           button=ButtonForm()), status


@bp.post("/<int:voucher_id>/status")
@roles_required(Role.ADMIN)
def voucher_status(voucher_id: int):
    """Pause an active voucher or resume a paused one."""
    voucher = _voucher_or_404(voucher_id)
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
    if request.form.get("back") == "list":
        return redirect(url_for(".voucher_list"))
    if request.form.get("back") == "edit":
        return redirect(url_for(".voucher_edit", voucher_id=voucher.id))
    return redirect(url_for(".voucher_detail", voucher_id=voucher.id))
