"""The program office's till-token screen: /admin/showrooms/<id>/tokens (create, shown once; revoke)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.api import tokens
from marketplace.extensions import db
from marketplace.showrooms.models import Showroom

bp = Blueprint("api_admin", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("Till name"), validators=[DataRequired(), Length(max=tokens.MAX_NAME)])


class RevokeForm(FlaskForm):
    """A button-only form (CSRF token)."""


def _showroom_or_404(showroom_id: int) -> Showroom:
    showroom = db.session.get(Showroom, showroom_id)
    if showroom is None:
        abort(404)
    return showroom


def _page(showroom: Showroom, form: TokenForm, new_token: str | None = None, status: int = 200):
    return render_template("api/admin/tokens.html", showroom=showroom, form=form, revoke=RevokeForm(formdata=None),
                           rows=tokens.tokens_of(showroom), new_token=new_token), status


@bp.route("/showrooms/<int:showroom_id>/tokens", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def token_list(showroom_id: int):
    showroom = _showroom_or_404(showroom_id)
    form = TokenForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page(showroom, form, status=400)
        try:
            row, secret = tokens.create_token(showroom, form.name.data, current_user)
        except tokens.TokenError as error:
            form.name.errors = [error.message]
            return _page(showroom, form, status=400)
        db.session.commit()
        # Shown in this response only: the page is never cached (/admin is no-store) and the token is not stored.
        flash(_("Till token “%(name)s” created. Copy it now: it is not shown again.", name=row.name), "success")
        return _page(showroom, TokenForm(formdata=None), new_token=secret)
    return _page(showroom, form)


@bp.route("/showrooms/<int:showroom_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def token_revoke(showroom_id: int, token_id: int):
    showroom = _showroom_or_404(showroom_id)
    row = tokens.get_token(showroom, token_id)
    if row is None:
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    tokens.revoke_token(row)
    db.session.commit()
    flash(_("Till token “%(name)s” revoked: the till can no longer post sales.", name=row.name), "success")
    return redirect(url_for("api_admin.token_list", showroom_id=showroom.id))
