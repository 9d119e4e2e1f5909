"""The till close of a showroom (managers only): the list of closes, the close form for the shift now open, the
printable close report and the recount (a correction referencing the close, never an edit)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.showrooms import closes
from marketplace.showrooms.forms import ButtonForm
from marketplace.showrooms.models import Showroom, TillClose
from marketplace.showrooms.views_manage.loaders import staff_showroom


def _amount(name: str) -> int | None:
    return parse_int(request.form.get(name, ""), minimum=0, maximum=closes.MAX_CASH_VND, grouped=True)


def _close_or_404(showroom: Showroom, close_id: int) -> TillClose:
    close = closes.get_close(showroom, close_id)
    if close is None:
        abort(404)
    return close


def close_list(showroom_id: int):
    showroom = staff_showroom(showroom_id, manager=True)
    return render_template("showrooms/manage/close_list.html", showroom=showroom, manager=True,
                           closes=closes.closes_of(showroom), effective_count=closes.effective_count,
                           shift=closes.current_shift(showroom))


def close_new(showroom_id: int):
    """The open shift's takings and the count form; POST records the close and shows its report."""
    showroom = staff_showroom(showroom_id, manager=True)
    form = ButtonForm()
    errors = []
    if request.method == "POST":
        if not form.validate_on_submit():
            errors.append(_("The form expired. Please try again."))
        else:
            try:
                close = closes.close_shift(showroom, _amount("opening_float"), _amount("counted_cash"),
                                           request.form.get("note", ""), current_user)
            except DomainError as error:
                db.session.rollback()
                errors.append(error.message)
            else:
                db.session.commit()
                flash(_("The shift is closed."), "success")
                return redirect(url_for(".close_report", showroom_id=showroom.id, close_id=close.id))
    return render_template("showrooms/manage/close_form.html", showroom=showroom, manager=True, form=form,
                           errors=errors, shift=closes.current_shift(showroom)), 422 if errors else 200


def close_report(showroom_id: int, close_id: int):
    showroom = staff_showroom(showroom_id, manager=True)
    close = _close_or_404(showroom, close_id)
    return render_template("showrooms/manage/close_report.html", showroom=showroom, manager=True, close=close,
                           form=ButtonForm(), effective=closes.effective_count(close))


def close_correct(showroom_id: int, close_id: int):
    """A recount of a closed shift's cash: recorded as a correction, the close stays as it was."""
    showroom = staff_showroom(showroom_id, manager=True)
    close = _close_or_404(showroom, close_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
    else:
        try:
            closes.correct_close(close, _amount("counted_cash"), request.form.get("note", ""), current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The correction is recorded."), "success")
    return redirect(url_for(".close_report", showroom_id=showroom.id, close_id=close.id))
