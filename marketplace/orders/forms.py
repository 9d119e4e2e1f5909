"""Checkout form: the shape of the input only (orders.checkout validates the address and places the order)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField

from marketplace.orders.labels import PAYMENT_LABELS
from marketplace.orders.models import PaymentMethod


class CheckoutForm(FlaskForm):
    address_choice = RadioField(_l("Deliver to"), choices=[SelectChoice("new", _l("A new address"))], default="new",
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
