"""Request and response schemas of the API (marshmallow): they validate the body and write the OpenAPI document.

Validation messages are lazy: they are written in the request's language (errors.api_language) when a value fails.
"""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from marketplace.showrooms.models import PaymentMethod
from marketplace.showrooms.sales import MAX_AMOUNT_VND, MAX_LINES, MAX_QUANTITY


def in_range(low: int, high: int) -> validate.Range:
    return validate.Range(min=low, max=high, error=_l("Must be from {min} to {max}."))



def one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=_l("Must be one of: {choices}."))


def length(low: int | None = None, high: int | None = None) -> validate.Length:
    if low is None:
        return validate.Length(max=high, error=_l("At most {max} long."))
    return validate.Length(min=low, max=high, error=_l("From {min} to {max} long."))


class WholeNumber(fields.Integer):
    """A JSON integer (never a string, a float with a fraction, or true/false)."""

    default_error_messages = {"invalid": _l("Not a whole number.")}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


_PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error=_l("Control characters are not allowed."))


class SaleLineIn(Schema):
    sku = fields.String(validate=[length(1, 64), _PRINTABLE],
                        metadata={"description": "The product's SKU (one of sku, barcode, product_id)."})
    barcode = fields.String(validate=validate.Regexp(r"^[0-9]{8,14}$", error=_l("A barcode is 8 to 14 digits.")),
                            metadata={"description": "The product's EAN-13 barcode."})
    product_id = WholeNumber(validate=in_range(1, 2**31 - 1))
    quantity = WholeNumber(required=True, validate=in_range(1, MAX_QUANTITY))
    unit_price = WholeNumber(required=True, validate=in_range(0, MAX_AMOUNT_VND),
                             metadata={"description": "The unit price charged, in đồng (must be the catalogue's)."})
    discount = WholeNumber(load_default=0, validate=in_range(0, MAX_AMOUNT_VND),
                           metadata={"description": "The line's discount in đồng."})

    @validates_schema
    def one_reference(self, data, **kwargs):
        given = [key for key in ("sku", "barcode", "product_id") if key in data]
        if len(given) != 1:
            raise ValidationError(_l("Give exactly one of sku, barcode or product_id."), "_schema")


class SaleIn(Schema):
    sale_id = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{8,64}$", error=_l("8 to 64 letters, digits, '-' or '_'.")),
        metadata={"description": "The till's own id of the sale: posting it again returns the same sale."})
    occurred_at = fields.AwareDateTime(required=True, metadata={"description": "When the sale was made "
                                                                              "(ISO 8601 with offset)."})
    payment_method = fields.String(required=True, validate=one_of([m.value for m in PaymentMethod]))
    cash_received = WholeNumber(validate=in_range(0, MAX_AMOUNT_VND),
                                metadata={"description": "Cash sales: what the customer gave (default: the total)."})
    einvoice_number = fields.String(load_default="", validate=[length(high=50), _PRINTABLE])
    showroom_id = WholeNumber(validate=in_range(1, 2**31 - 1),
                              metadata={"description": "Optional check: the token's showroom."})
    lines = fields.List(fields.Nested(SaleLineIn), required=True,
                        validate=length(1, MAX_LINES))


class LedgerEntryOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    sku = fields.String(allow_none=True)
    quantity = fields.Integer()
    unit_price = fields.Integer(attribute="unit_price_vnd")
    total = fields.Integer(attribute="total_vnd")
    payment_method = fields.String()
    occurred_at = fields.DateTime()


class SaleOut(Schema):
    sale_id = fields.String(attribute="client_id")
    number = fields.String()
    status = fields.String()
    showroom_id = fields.Integer()
    occurred_at = fields.DateTime()
    subtotal = fields.Integer(attribute="subtotal_vnd")
    discount = fields.Integer(attribute="discount_vnd")
    total = fields.Integer(attribute="total_vnd")
    einvoice_number = fields.String()


class SaleResult(Schema):
    sale = fields.Nested(SaleOut)
    ledger_entries = fields.List(fields.Nested(LedgerEntryOut))


class ErrorOut(Schema):
    error = fields.String(metadata={"description": "A stable code, e.g. unauthorized, validation_error."})
    message = fields.String()
    details = fields.Dict()
