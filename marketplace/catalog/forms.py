"""Forms for producers managing their listings: the shape of the input (rules live in catalog.products, catalog.certificates)."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.catalog import categories
from marketplace.catalog.certificates import KIND_LABELS, LEVEL_LABELS
from marketplace.inputs import WholeNumberField


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (plain text)"), validators=[Optional(), Length(max=20000)])
    group_code = SelectField(_l("OCOP product group"), validators=[InputRequired()])
    set_code = SelectField(_l("OCOP product set"), validators=[Optional()])
    unit = StringField(_l("Selling unit (e.g. chai 500ml)"), validators=[InputRequired(), Length(max=60)])
    price_vnd = StringField(_l("Price (đồng)"), validators=[InputRequired(), Length(max=20)])
    sku = StringField(_l("SKU (your product code)"), validators=[InputRequired(), Length(max=64)])
    barcode = StringField(_l("EAN-13 barcode"), validators=[Optional(), Length(max=20)])

    def fill_choices(self) -> None:
        """The category tree of Decision 148 in the page language."""
        language = _language()
        self.group_code.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(group.code, f"{group.code} {group.name(language)}") for group in categories.groups()
        ]
        self.set_code.choices = [SelectChoice("", _l("(none)"))] + [
            SelectChoice(item.code, f"{item.code} {item.name(language)}") for item in categories.product_sets()
        ]


class ImageForm(FlaskForm):
    image = FileField(_l("Picture (JPEG, PNG or WebP, at most 8 MB)"))
    alt = StringField(_l("Short description of the picture"), validators=[Optional(), Length(max=200)])




class CertificateForm(FlaskForm):
    star_level = SelectField(_l("Stars"), choices=[SelectChoice(str(n), f"{n} ★") for n in (3, 4, 5)],
                             validators=[InputRequired()])
    score = WholeNumberField(_l("Score (out of 100)"), validators=[InputRequired(), NumberRange(0, 100)])
    is_potential_five_star = BooleanField(_l("Potential 5 stars (scored 90 or more, shown as 4 stars)"))
    decision_number = StringField(_l("Decision number"), validators=[InputRequired(), Length(max=60)])
    decision_date = DateField(_l("Decision date"), validators=[InputRequired()])
    valid_until = DateField(_l("Valid until (empty: 36 months after the decision)"), validators=[Optional()])
    issuing_level = SelectField(_l("Issued by"), choices=[SelectChoice(k.value, v) for k, v in LEVEL_LABELS.items()],
                                validators=[InputRequired()])
    authority = StringField(_l("Issuing authority as printed"), validators=[InputRequired(), Length(max=200)])
    issuing_province_name = StringField(_l("Province name as printed (old names are fine)"),
                                        validators=[Optional(), Length(max=100)])
    criteria_version = StringField(_l("Criteria (legal version)"), default="148/QĐ-TTg",
                                   validators=[Optional(), Length(max=40)])
    evaluation_kind = SelectField(_l("Kind of evaluation"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
                                  validators=[InputRequired()])
    legacy_group = StringField(_l("Product group printed on an old certificate (2018-2020)"),
                               validators=[Optional(), Length(max=120)])
    scan = FileField(_l("Scan of the decision (PDF or picture, at most 8 MB)"))


class StockForm(FlaskForm):
    mode = SelectField(_l("Change"), choices=[SelectChoice("adjust", _l("Add or remove units")),
                                              SelectChoice("count", _l("Set the counted quantity"))])
    quantity = WholeNumberField(_l("Units (negative to remove)"),
                                validators=[InputRequired(), NumberRange(-1_000_000_000, 1_000_000_000)])
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=200)])
    low_stock_threshold = WholeNumberField(_l("Low-stock alert at"),
                                           validators=[Optional(), NumberRange(min=0, max=1_000_000)])


class ThresholdForm(FlaskForm):
    low_stock_threshold = WholeNumberField(_l("Low-stock alert at (empty: no alert)"),
                                       validators=[Optional(), NumberRange(min=0, max=1_000_000)])


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (XLSX or CSV)"))
