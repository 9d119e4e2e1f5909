"""The voucher forms (Flask-WTF: CSRF and what was typed); the rules are in services.create_voucher."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from marketplace.vouchers.labels import bearer_label, kind_label
from marketplace.vouchers.models import CODE_MAX_LENGTH, CostBearer, VoucherKind


class VoucherForm(FlaskForm):
    """A new voucher. `bearer` and `producer_id` are removed for a producer (its own shop, its own cost)."""

    code = StringField(_l("Code (what buyers type)"), validators=[Length(max=CODE_MAX_LENGTH + 8)])
    title = StringField(_l("Short description shown to buyers"), validators=[Optional(), Length(max=200)])
    kind = RadioField(_l("Discount"), choices=[], validate_choice=False)
    percent = StringField(_l("Percentage (1-100)"), validators=[Optional(), Length(max=8)])
    amount = StringField(_l("Amount off (đồng)"), validators=[Optional(), Length(max=24)])
    max_discount = StringField(_l("At most (đồng, empty for no cap)"), validators=[Optional(), Length(max=24)])
    min_order = StringField(_l("Minimum order of eligible products (đồng, empty for none)"),
                            validators=[Optional(), Length(max=24)])
    valid_from = StringField(_l("First day (Vietnam time)"), validators=[Optional(), Length(max=10)],
                             render_kw={"type": "date"})
    valid_until = StringField(_l("Last day (included)"), validators=[Optional(), Length(max=10)],
                              render_kw={"type": "date"})
    total_limit = StringField(_l("Uses in all (empty for no limit)"), validators=[Optional(), Length(max=12)])
    per_user_limit = StringField(_l("Uses per buyer (empty for no limit)"), validators=[Optional(), Length(max=12)])
    first_order_only = BooleanField(_l("Only for a buyer's first order"))
    bearer = RadioField(_l("Who bears the discount"), choices=[], validate_choice=False)
    producer_id = SelectField(_l("Only for the products of"), choices=[], validate_choice=False)
    campaign_id = SelectField(_l("Only for the products of the campaign"), choices=[], validate_choice=False)
    product_skus = TextAreaField(_l("Only for these products (SKUs, one per line; empty for all)"),
                                 validators=[Optional(), Length(max=6000)])


class ButtonForm(FlaskForm):
    """A button-only form (CSRF token)."""


def fill_choices(form: VoucherForm, *, producers=None, campaigns=()) -> None:
    """The radio and select choices; with `producers` (the program office) also bearer, producer and campaign."""
    form.kind.choices = [(kind.value, kind_label(kind)) for kind in VoucherKind]
    if producers is None:
        del form.bearer
        del form.producer_id
        del form.campaign_id
        return
    form.campaign_id.choices = [("", _l("Any product"))] + [(str(c.id), c.title) for c in campaigns]
    form.bearer.choices = [(bearer.value, bearer_label(bearer)) for bearer in CostBearer]
    form.producer_id.choices = [("", _l("Every shop"))] + [(str(p.id), p.name) for p in producers]
