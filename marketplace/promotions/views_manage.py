"""A producer's trade fairs at /manage/fairs: the fairs open for sign-up, its own sign-ups and their status."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.promotions import fairs, participation
from marketplace.promotions.forms import SignupForm
from marketplace.promotions.models import TradeFair

bp = Blueprint("promotions_manage", __name__)


def _fair(fair_id: int) -> TradeFair:
    fair = db.session.get(TradeFair, fair_id)
    if fair is None or fair.is_hidden:
        abort(404)
    return fair


@bp.get("")
@roles_required(Role.PRODUCER)
def fair_list():
    """Fairs to come with the producer's sign-up (or a form to sign up) and the office's answer."""
    producer = producer_scope(required=True)
    today = today_vn()
    listed = fairs.upcoming(today)
    mine = {fair.id: participation.participation_of(fair, producer) for fair in listed}
    reasons = {fair_id: next((e.reason for e in reversed(participation.events_of(entry)) if e.reason), None)
               for fair_id, entry in mine.items() if entry is not None}
    return render_template("promotions/manage/fair_list.html", producer=producer, fairs=listed, mine=mine,
                           reasons=reasons, today=today, form=SignupForm(), place_label=fairs.place_label)


@bp.post("/<int:fair_id>/signup")
@roles_required(Role.PRODUCER)
def fair_signup(fair_id: int):
    """Ask for a place at a fair."""
    producer = producer_scope(required=True)
    fair = _fair(fair_id)
    form = SignupForm()
    if not form.validate_on_submit():
        flash(_("Your message is too long (500 characters at most)."), "error")
        return redirect(url_for(".fair_list"))
    try:
        participation.sign_up(fair, producer, actor=current_user, note=form.note.data or "", today=today_vn())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Signed up. The program office will approve or decline your place."), "success")
    return redirect(url_for(".fair_list"))


@bp.post("/<int:fair_id>/withdraw")
@roles_required(Role.PRODUCER)
def fair_withdraw(fair_id: int):
    """Give up the producer's place or request."""
    producer = producer_scope(required=True)
    fair = _fair(fair_id)
    entry = participation.participation_of(fair, producer)
    if entry is None or not SignupForm().validate_on_submit():
        abort(404 if entry is None else 400)
    try:
        participation.withdraw(entry, actor=current_user, today=today_vn(), fair=fair)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("You have withdrawn from this fair."), "success")
    return redirect(url_for(".fair_list"))
