"""Demand board forms (Flask-WTF): the shape of input only; linkage.requests and linkage.offers check the
values and say what is wrong with each field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from marketplace import geo
from marketplace.catalog import categories
from marketplace.i18n import current_language
from marketplace.linkage.labels import buyer_kind_label
from marketplace.linkage.models import BuyerKind
from marketplace.orders.labels import PAYMENT_LABELS
from marketplace.orders.models import PaymentMethod


def group_choices(blank) -> list[SelectChoice]:
    """The 17 product groups of Decision 148, "1.4 Gia vị" style, in the page's language."""
    language = current_language()
    return [SelectChoice("", blank)] + [SelectChoice(group.code, f"{group.code} {group.name(language)}")
                                        for group in categories.groups()]


def province_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(str(p.code), p.short_name) for p in geo.provinces()]


class RequestForm(FlaskForm):
    buyer_kind = SelectField(_l("Who is buying"), validate_choice=False)
    organisation = StringField(_l("Business or organisation"), render_kw={"maxlength": 200,
                                                                          "autocomplete": "organization"})
    title = StringField(_l("What you want to buy"), render_kw={"maxlength": 200})
    details = TextAreaField(_l("Details (quality, packaging, certificates wanted…)"), render_kw={"maxlength": 2000, "rows": 4})
    group_code = SelectField(_l("Product group"), validate_choice=False)
    quantity = StringField(_l("Quantity"), render_kw={"inputmode": "numeric", "maxlength": 12})
    unit = StringField(_l("Unit"), render_kw={"maxlength": 60})
    target_price_vnd = StringField(_l("Target price per unit (đồng, optional)"),
                                   render_kw={"inputmode": "numeric", "maxlength": 16})
    delivery_province_code = SelectField(_l("Delivery province"), validate_choice=False)
    needed_by = DateField(_l("Needed by"), validators=[Optional()])
    contact_name = StringField(_l("Contact person"), render_kw={"maxlength": 120, "autocomplete": "name"})
    contact_phone = StringField(_l("Contact phone"), render_kw={"maxlength": 20, "autocomplete": "tel", "inputmode": "tel"})
    contact_email = EmailField(_l("Contact e-mail"), render_kw={"maxlength": 254, "autocomplete": "email"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.buyer_kind.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(kind.value, buyer_kind_label(kind)) for kind in BuyerKind]
        self.group_code.choices = group_choices(_l("Choose…"))
        self.delivery_province_code.choices = province_choices(_l("Choose…"))


class OfferForm(FlaskForm):
    unit_price_vnd = StringField(_l("Your price per unit (đồng)"), render_kw={"inputmode": "numeric", "maxlength": 16})
    quantity = StringField(_l("Quantity you can supply"), render_kw={"inputmode": "numeric", "maxlength": 12})
    lead_time_days = StringField(_l("Days to deliver after acceptance"), render_kw={"inputmode": "numeric", "maxlength": 3})
    product_id = SelectField(_l("Listed product offered"), validate_choice=False)
    message = TextAreaField(_l("Message to the buyer"), render_kw={"maxlength": 2000, "rows": 3})


class ButtonForm(FlaskForm):
    """A button-only form (CSRF token)."""


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the author reads it)"), render_kw={"maxlength": 500, "rows": 2})


class LinkageOrderForm(FlaskForm):
    full_name = StringField(_l("Recipient's full name"), render_kw={"maxlength": 120, "autocomplete": "name"})
    phone = StringField(_l("Mobile phone"), render_kw={"maxlength": 20, "autocomplete": "tel", "inputmode": "tel"})
    province_code = SelectField(_l("Province / city"), choices=[], validate_choice=False)
    ward_code = SelectField(_l("Commune / ward"), choices=[], validate_choice=False)
    street = StringField(_l("House number, street, hamlet"), render_kw={"maxlength": 255,
                                                                          "autocomplete": "street-address"})
    payment_method = RadioField(_l("Payment method"),
                                choices=[SelectChoice(m.value, PAYMENT_LABELS[m]) for m in PaymentMethod],
                                default=PaymentMethod.COD.value, validate_choice=False)
    token = HiddenField()
