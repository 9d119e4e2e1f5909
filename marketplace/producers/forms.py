"""Forms of the producer area: the shape of the input only (rules live in producers.services, verification and invitations)."""

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from marketplace import geo, old_provinces
from marketplace.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from marketplace.inputs import parse_int
from marketplace.producers.labels import TYPE_LABELS


def _optional_int(value):
    """A place code from a select (None when empty, -1, which no place has, when not a number)."""
    if value in (None, "", "None"):
        return None
    number = parse_int(value, minimum=0)
    return -1 if number is None else number


class LegalDetailsForm(FlaskForm):
    name = StringField(_l("Shop name (shown to buyers)"), validators=[InputRequired(), Length(max=200)])
    legal_name = StringField(_l("Legal name (as registered)"), validators=[InputRequired(), Length(max=255)])
    type = SelectField(_l("Type of OCOP subject"), choices=[SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()],
                       validators=[InputRequired()])
    registration_number = StringField(_l("Business or cooperative registration number"),
                                      validators=[InputRequired(), Length(max=40)])
    tax_code = StringField(_l("Tax code"), validators=[Optional(), Length(max=20)])
    representative = StringField(_l("Legal representative"), validators=[InputRequired(), Length(max=120)])
    province_code = SelectField(_l("Province"), coerce=_optional_int, validators=[InputRequired()])
    ward_code = SelectField(_l("Commune or ward"), coerce=_optional_int, validators=[Optional()])
    address = StringField(_l("Address (street, village)"), validators=[InputRequired(), Length(max=255)])
    phone = StringField(_l("Phone"), validators=[InputRequired(), Length(min=8, max=20)])
    contact_email = EmailField(_l("Shop contact e-mail"), validators=[Optional(), Email(), Length(max=254)])

    def fill_places(self) -> None:
        """Province choices, and the communes of the chosen province."""
        self.province_code.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(p.code, p.name) for p in geo.provinces()
        ]
        chosen = self.province_code.data if isinstance(self.province_code.data, int) else None
        self.ward_code.choices = [SelectChoice("", _l("Choose after the province…"))] + [
            SelectChoice(w.code, w.name) for w in geo.wards(chosen)
        ]


class ProducerSignupForm(LegalDetailsForm):
    old_province_code = SelectField(_l("Province before July 2025"), coerce=_optional_int, validators=[Optional()])
    full_name = StringField(_l("Your full name"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(_l("Your e-mail (your login)"), validators=[InputRequired(), Email(), Length(max=254)])

    def fill_places(self) -> None:
        """As LegalDetailsForm, and the old provinces that merged into the chosen province (the same list
        for every province is in old_province_choices(), for the page's script)."""
        super().fill_places()
        chosen = self.province_code.data if isinstance(self.province_code.data, int) else None
        parts = old_provinces.parts_of(chosen)
        first = _l("Choose…") if parts else _l("Choose after the province…")
        self.old_province_code.choices = [SelectChoice("", first)] + [SelectChoice(p.code, p.name) for p in parts]


def old_province_choices() -> str:
    """JSON: for each of the 34 provinces, the old provinces [code, name] it was made of (one when it did not
    merge), which the sign-up page's script offers when the province changes. A plain string, so that the
    form escapes it into its attribute."""
    return json.dumps({place.code: [(part.code, part.name) for part in old_provinces.parts_of(place.code)]
                       for place in geo.provinces()}, ensure_ascii=False, separators=(",", ":"))


class JoinPasswordForm(FlaskForm):
    """The second step of a producer's sign-up, reached from the e-mailed link: choose the password."""

    password = PasswordField(_l("Password (at least %(n)s characters)", n=PASSWORD_MIN_LENGTH),
                             validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)])
    password_again = PasswordField(_l("Password again"), validators=[
        InputRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ShopProfileForm(FlaskForm):
    story = TextAreaField(_l("Your story (plain text)"), validators=[Optional(), Length(max=10000)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    contact_email = EmailField(_l("Shop contact e-mail"), validators=[Optional(), Email(), Length(max=254)])
    shipping_fee = StringField(_l("Shipping fee per order (đồng)"), validators=[InputRequired(), Length(max=20)])
    free_shipping_threshold = StringField(_l("Free shipping from (đồng, empty for never)"),
                                          validators=[Optional(), Length(max=20)])
    old_province_code = SelectField(_l("Province before July 2025"), coerce=_optional_int, validators=[Optional()])
    logo = FileField(_l("Logo (JPEG, PNG or WebP)"))
    cover = FileField(_l("Cover picture (JPEG, PNG or WebP)"))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail of the person to invite"), validators=[InputRequired(), Email(), Length(max=254)])


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(_l("Your full name"), validators=[InputRequired(), Length(max=120)])
    password = PasswordField(_l("Password (at least %(n)s characters)", n=PASSWORD_MIN_LENGTH),
                             validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)])
    password_again = PasswordField(_l("Password again"), validators=[
        InputRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (sent to the producer)"), validators=[InputRequired(), Length(max=2000)])


class ConfirmForm(FlaskForm):
    """A button-only form (CSRF token)."""


def fill_old_provinces(form: ShopProfileForm, province_code: int) -> bool:
    """Offer the old provinces that merged into the shop's province; False when it did not merge (nothing
    to choose: the old province follows from the new one)."""
    parts = old_provinces.parts_of(province_code)
    form.old_province_code.choices = [SelectChoice("", _l("Choose…"))] + [SelectChoice(p.code, p.name) for p in parts]
    return len(parts) > 1
