"""Checkout form: the shape of the input only (orders.checkout validates the address and places the order)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.orders.labels import CANCEL_REASON_LABELS, PAYMENT_LABELS
from marketplace.orders.models import PaymentMethod


class CheckoutForm(FlaskForm):
    address_choice = RadioField(_l("Deliver to"), choices=[SelectChoice("new", _l("Use another address"))], default="new",
                                validate_choice=False)
    full_name = StringField(_l("Recipient's full name"), render_kw={"maxlength": 120, "autocomplete": "name"})
    phone = StringField(_l("Mobile phone"), render_kw={"maxlength": 20, "autocomplete": "tel", "inputmode": "tel"})
    province_code = SelectField(_l("Province / city"), choices=[], validate_choice=False)
    ward_code = SelectField(_l("Commune / ward"), choices=[], validate_choice=False)
    street = StringField(_l("House number, street, hamlet"), render_kw={"maxlength": 255,
                                                                          "autocomplete": "street-address"})
    save_address = BooleanField(_l("Save this address for next time"), default=True)
    payment_method = RadioField(_l("Payment method"), choices=[SelectChoice(m.value, PAYMENT_LABELS[m]) for m in PaymentMethod],
                                default=PaymentMethod.COD.value, validate_choice=False)
    token = HiddenField()
    cart_signature = HiddenField()


class CancelOrderForm(FlaskForm):
    """The buyer's cancel page: which shops' parts, why (from the list), and in their own words if they like.
    orders.lifecycle.buyer_cancel_reason checks the reason; the view fills `parts` with the cancellable parts."""

    parts = SelectMultipleField(_l("Cancel these parts of the order"), choices=[], coerce=str,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                validators=[InputRequired(_l("Choose at least one shop's part to cancel."))])
    reason = RadioField(_l("Why do you cancel?"), choices=[SelectChoice(code.value, label)
                                                           for code, label in CANCEL_REASON_LABELS.items()],
                        validators=[InputRequired(_l("Please choose why you cancel."))])
    note = TextAreaField(_l("In your own words (optional; required for another reason)"),
                         validators=[Optional(), Length(max=500)], render_kw={"maxlength": 500, "rows": 3})


class GuestCheckoutForm(CheckoutForm):
    """The checkout of a shopper without an account: the address form plus an e-mail for the order's link."""

    email = EmailField(_l("E-mail"), render_kw={"maxlength": 254, "autocomplete": "email", "inputmode": "email",
                                                 "spellcheck": "false"})
