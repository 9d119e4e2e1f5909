"""Forms of campaigns, fairs and fair sign-ups: the shape of the input (rules live in the services)."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from marketplace import geo
from marketplace.catalog import categories
from marketplace.inputs import parse_int
from marketplace.promotions.labels import SELECTION_LABELS


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


def optional_code(value):
    """'' -> None, digits -> int (anything else: None, and the service says the choice is missing)."""
    return parse_int(value, minimum=0) if value not in (None, "") else None


def province_choices(empty_label) -> list:
    return [SelectChoice("", empty_label)] + [SelectChoice(str(place.code), place.name) for place in geo.provinces()]


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=160)])
    slug = StringField(_l("Address (empty: made from the title)"), validators=[Optional(), Length(max=100)])
    summary = StringField(_l("One line for the home page and link previews"), validators=[Optional(), Length(max=300)])
    story = TextAreaField(_l("Story (plain text)"), validators=[Optional(), Length(max=20000)])
    banner = FileField(_l("Banner picture (JPEG, PNG or WebP, at most 8 MB; wide, e.g. 1600×600)"))
    starts_on = DateField(_l("First day on the home page"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    selection = RadioField(_l("Products"), choices=[SelectChoice(kind.value, label)
                                                    for kind, label in SELECTION_LABELS.items()],
                           default="chosen", validators=[InputRequired()])
    products_text = TextAreaField(_l("Chosen products: the address of each product page, one per line"),
                                  validators=[Optional(), Length(max=20000)])
    rule_star_level = SelectField(_l("Rule: stars"), validators=[Optional()])
    rule_province_code = SelectField(_l("Rule: producer's province"), validators=[Optional()])
    rule_group_code = SelectField(_l("Rule: product group"), validators=[Optional()])
    is_hidden = BooleanField(_l("Hidden (not shown even between its dates)"))

    def fill_choices(self) -> None:
        language = _language()
        self.rule_star_level.choices = [SelectChoice("", _l("Any (3 to 5 stars)"))] + [
            SelectChoice(str(n), f"{n} ★") for n in (3, 4, 5)]
        self.rule_province_code.choices = province_choices(_l("Any province"))
        self.rule_group_code.choices = [SelectChoice("", _l("Any group"))] + [
            SelectChoice(group.code, f"{group.code} {group.name(language)}") for group in categories.groups()]


class FairForm(FlaskForm):
    name = StringField(_l("Fair name"), validators=[InputRequired(), Length(max=160)])
    slug = StringField(_l("Address (empty: made from the name)"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("Description (plain text)"), validators=[Optional(), Length(max=20000)])
    province_code = SelectField(_l("Province"), validators=[InputRequired()])
    ward_code = SelectField(_l("Commune"), validators=[Optional()])
    venue = StringField(_l("Venue and street address"), validators=[Optional(), Length(max=255)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    signup_until = DateField(_l("Producers may sign up until (empty: the first day)"), validators=[Optional()])
    is_hidden = BooleanField(_l("Hidden (not on the calendar)"))

    def fill_choices(self) -> None:
        self.province_code.choices = province_choices(_l("Choose…"))
        province = optional_code(self.province_code.data)
        self.ward_code.choices = [SelectChoice("", _l("(none)"))] + [
            SelectChoice(str(place.code), place.name) for place in geo.wards(province)] if province else [
            SelectChoice("", _l("(none)"))]


class SignupForm(FlaskForm):
    note = TextAreaField(_l("What you will show (for the program office)"), validators=[Optional(), Length(max=500)])


class DecisionForm(FlaskForm):
    reason = StringField(_l("Reason (shown to the producer)"), validators=[Optional(), Length(max=500)])
