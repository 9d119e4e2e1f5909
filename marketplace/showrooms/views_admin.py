"""The program office's showroom screens under /admin/showrooms: create, edit, open/close, and staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from marketplace import geo
from marketplace.accounts.models import Role, User
from marketplace.accounts.policies import roles_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms import invitations, services
from marketplace.showrooms.forms import ButtonForm, ShowroomForm, StaffInviteForm, parse_coordinate
from marketplace.showrooms.models import Showroom

bp = Blueprint("showrooms_admin", __name__)


def _showroom_or_404(showroom_id: int) -> Showroom:
    showroom = db.session.get(Showroom, showroom_id)
    if showroom is None:
        abort(404)
    return showroom


def _form(showroom: Showroom | None = None, *, posted: bool | None = None) -> ShowroomForm:
    """The showroom form: what was posted, or else the showroom's values (a new one's defaults)."""
    posted = request.method == "POST" if posted is None else posted
    form = ShowroomForm() if posted else ShowroomForm(formdata=None, obj=showroom)
    form.ward_code.choices = [SelectChoice(0, _("Choose…"))] + [SelectChoice(w.code, w.name)
                                                                  for w in geo.wards(services.HANOI)]
    if not posted and showroom is not None:
        form.latitude.data = "" if showroom.latitude is None else f"{showroom.latitude:.6f}"
        form.longitude.data = "" if showroom.longitude is None else f"{showroom.longitude:.6f}"
    if not posted and showroom is None:
        form.commission_rate_bp.data = 1000
    return form


def _details(form: ShowroomForm) -> services.ShowroomDetails | None:
    """The parsed details, or None (with the field errors set) when a coordinate is not a number."""
    latitude, longitude = parse_coordinate(form.latitude.data), parse_coordinate(form.longitude.data)
    bad = False
    for field, value in ((form.latitude, latitude), (form.longitude, longitude)):
        if (field.data or "").strip() and value is None:
            field.errors = [_("Write the coordinate as a decimal number, e.g. 21.0285.")]
            bad = True
    if bad:
        return None
    return services.ShowroomDetails(
        name=form.name.data or "", ward_code=form.ward_code.data or None, street=form.street.data or "",
        opening_hours=form.opening_hours.data or "", phone=form.phone.data or "", latitude=latitude,
        longitude=longitude, commission_rate_bp=form.commission_rate_bp.data,
        max_discount_bp=form.max_discount_bp.data or 0)


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        getattr(form, name).errors = [message]


@bp.route("")
@roles_required(Role.ADMIN)
def showroom_list():
    """Every showroom, active first."""
    return render_template("showrooms/admin/showroom_list.html", showrooms=services.all_showrooms())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def showroom_new():
    form = _form()
    if form.validate_on_submit():
        details = _details(form)
        if details is not None:
            try:
                showroom = services.create_showroom(details)
            except services.InvalidShowroom as error:
                _show_errors(form, error.errors)
            else:
                db.session.commit()
                flash(_("Showroom %(name)s created.", name=showroom.name), "success")
                return redirect(url_for(".showroom_detail", showroom_id=showroom.id))
    status = 422 if request.method == "POST" else 200
    return render_template("showrooms/admin/showroom_form.html", form=form, showroom=None), status


@bp.route("/<int:showroom_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def showroom_detail(showroom_id: int):
    """Edit a showroom; its staff, invitations, and the invitation form."""
    showroom = _showroom_or_404(showroom_id)
    form = _form(showroom)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            details = _details(form)
            if details is not None:
                try:
                    services.update_showroom(showroom, details)
                except services.InvalidShowroom as error:
                    _show_errors(form, error.errors)
                else:
                    db.session.commit()
                    flash(_("Showroom saved."), "success")
                    return redirect(url_for(".showroom_detail", showroom_id=showroom.id))
    return _detail_page(showroom, form=form, invite=StaffInviteForm(formdata=None)), status


def _detail_page(showroom: Showroom, *, form: ShowroomForm, invite: StaffInviteForm):
    return render_template("showrooms/admin/showroom_form.html", showroom=showroom, form=form, invite=invite,
                           members=services.members(showroom), button=ButtonForm(),
                           invitations=invitations.showroom_invitations(showroom))


@bp.route("/<int:showroom_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def showroom_active(showroom_id: int):
    """Close (deactivate) or reopen a showroom."""
    showroom = _showroom_or_404(showroom_id)
    if ButtonForm().validate_on_submit():
        services.set_active(showroom, not showroom.is_active)
        db.session.commit()
        flash(_("The showroom is open again.") if showroom.is_active else _("The showroom is closed."), "success")
    return redirect(url_for(".showroom_detail", showroom_id=showroom_id))


@bp.route("/<int:showroom_id>/staff", methods=["POST"])
@roles_required(Role.ADMIN)
def staff_invite(showroom_id: int):
    """Invite a manager or clerk by e-mail."""
    showroom = _showroom_or_404(showroom_id)
    invite = StaffInviteForm()
    if invite.validate_on_submit():
        try:
            invitations.invite_staff(showroom, invite.email.data, invite.role.data, actor=current_user)
        except DomainError as error:
            invite.email.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=invite.email.data), "success")
            return redirect(url_for(".showroom_detail", showroom_id=showroom.id))
    return _detail_page(showroom, form=_form(showroom, posted=False), invite=invite), 422


@bp.route("/<int:showroom_id>/staff/<int:user_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def staff_remove(showroom_id: int, user_id: int):
    """Take someone off the showroom's staff."""
    showroom = _showroom_or_404(showroom_id)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            services.remove_member(showroom, user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("%(name)s no longer works at this showroom.", name=user.full_name), "success")
    return redirect(url_for(".showroom_detail", showroom_id=showroom_id))
