"""Showroom forms (Flask-WTF): the shape of input only. Consignment lines are read by the views with parse_int."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from marketplace.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from marketplace.inputs import WholeNumberField
from marketplace.showrooms.labels import staff_role_label
from marketplace.showrooms.models import StaffRole

_COORDINATE = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,8})?", re.ASCII)


def parse_coordinate(text: str | None) -> float | None:
    """A latitude or longitude as typed ("21.0285"), or None when empty or not one."""
    text = (text or "").strip().replace(",", ".")
    return float(text) if _COORDINATE.fullmatch(text) else None


class ShowroomForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    ward_code = SelectField(_l("Commune or ward (Hà Nội)"), coerce=int, validators=[InputRequired()])
    street = StringField(_l("Street address"), validators=[InputRequired(), Length(max=255)])
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    latitude = StringField(_l("Latitude (e.g. 21.0285)"), validators=[Optional(), Length(max=20)])
    longitude = StringField(_l("Longitude (e.g. 105.8542)"), validators=[Optional(), Length(max=20)])
    commission_rate_bp = WholeNumberField(_l("Commission kept by the showroom (basis points, 1000 = 10 %)"),
                                          validators=[InputRequired()])
    max_discount_bp = WholeNumberField(_l("Largest discount at the till (basis points of a sale, 1000 = 10 %; "
                                          "0 = none)"), validators=[Optional()])


def _roles():
    return [SelectChoice(role.value, staff_role_label(role)) for role in StaffRole]


class StaffInviteForm(FlaskForm):
    email = EmailField(_l("E-mail of the person to invite"), validators=[InputRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _roles()


class JoinShowroomForm(FlaskForm):
    full_name = StringField(_l("Your full name"), validators=[InputRequired(), Length(max=120)])
    password = PasswordField(_l("Password (at least %(n)s characters)", n=PASSWORD_MIN_LENGTH),
                             validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)])
    password_again = PasswordField(_l("Password again"), validators=[
        InputRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ButtonForm(FlaskForm):
    """A button-only form (CSRF token)."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=255)])
