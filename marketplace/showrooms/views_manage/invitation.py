"""Accepting a showroom staff invitation: create the account, or attach the signed-in one it was sent to."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.services import find_user_by_email
from marketplace.accounts.views import start_session
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.showrooms import invitations
from marketplace.showrooms.forms import ButtonForm, JoinShowroomForm


def invitation_accept(token: str):
    try:
        invitation = invitations.invitation_from_token(token)
    except invitations.InvalidInvitation as error:
        return render_template("showrooms/manage/invitation_invalid.html", message=error.message), 404
    showroom = invitation.showroom
    has_account = find_user_by_email(invitation.email) is not None
    if current_user.is_authenticated or has_account:
        # An existing account joins by accepting while signed in as that address.
        form = ButtonForm()
        if current_user.is_authenticated and form.validate_on_submit():
            try:
                invitations.accept_with_account(invitation, current_user)
            except DomainError as error:
                flash(error.message, "error")
            else:
                name, showroom_id = showroom.name, showroom.id
                db.session.commit()
                flash(_("You now work at %(showroom)s.", showroom=name), "success")
                return redirect(url_for(".showroom_stock", showroom_id=showroom_id))
        return render_template("showrooms/manage/invitation_accept.html", invitation=invitation, form=form,
                               existing=True, next_url=url_for(".invitation_accept", token=token))
    form = JoinShowroomForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept_with_new_account(invitation, full_name=form.full_name.data,
                                                       password=form.password.data, language=current_language())
        except DomainError as error:
            flash(error.message, "error")
        else:
            name, showroom_id = showroom.name, showroom.id
            start_session(user)
            db.session.commit()
            flash(_("Welcome to %(showroom)s.", showroom=name), "success")
            return redirect(url_for(".showroom_stock", showroom_id=showroom_id))
    return render_template("showrooms/manage/invitation_accept.html", invitation=invitation, form=form,
                           existing=False), 422 if form.errors else 200
