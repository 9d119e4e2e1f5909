"""POST /api/v1/showroom-sales: an existing till posts a completed sale, authenticated by its showroom's token.

The sale goes through the same service as the app's own till (showrooms.sales.complete_sale) with the till's
sale id as the client id: 201 with the sale and its ledger entries when it is recorded, 200 with the same body
when that sale id was recorded before (the body of a repeat is not compared). Errors are
{"error": code, "message": ..., "details": {...}}:
400 bad_request (not JSON), 401 unauthorized (no, unknown or revoked token), 403 forbidden (another
showroom, or a closed one), 404 unknown_product, 409 out_of_stock, 422 validation_error / invalid_barcode /
price_mismatch / sale_refused. Nothing is written when a sale is refused. No cookie is read or set.
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from marketplace.api import tokens
from marketplace.api.schemas import ErrorOut, SaleIn, SaleResult
from marketplace.catalog.models import Product
from marketplace.catalog.services import is_valid_ean13
from marketplace.dates import utcnow
from marketplace.errors import API_ERROR_CODES, api_error_response, end_api_language, use_api_language
from marketplace.extensions import csrf, db, limiter
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import sales
from marketplace.showrooms.models import PaymentMethod, PosSale, Showroom

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="The till API for showrooms.")
csrf.exempt(blp)

RATE_LIMIT = "120 per minute"


def _rate_limit() -> str:
    return current_app.config.get("API_TILL_RATE_LIMIT") or RATE_LIMIT
#: How far in the future a till's clock may be.
CLOCK_SKEW = timedelta(minutes=10)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message: str, details: dict | None = None):
    response = api_error_response(status, code, message, details)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ocop-till"'
    return response


_HTTP_CODES = {code: name for code, name in API_ERROR_CODES.items() if 400 <= code < 500}


@blp.errorhandler(ApiError)
def api_error(error: ApiError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.details)


def http_error(error: HTTPException):
    """Every HTTP error raised in the blueprint (webargs' 422 included) as the API's error body."""
    db.session.rollback()
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details = {}
    message = None  # the status's own message (errors.API_ERROR_MESSAGES), in the client's language
    if "messages" in data:  # webargs: the body did not match the schema
        details = data["messages"].get("json", data["messages"])
        message = _l("The body does not match the schema: see details.") if status == 422 else _l("The body is not JSON.")
    return error_response(status, _HTTP_CODES.get(status, "error"), message, details)


# By code: Flask looks for a handler of the code (the app's HTML/JSON pages) before one of the class.
for _code in (*_HTTP_CODES, 500):
    blp.register_error_handler(_code, http_error)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _rate_key() -> str:
    """Per token (hashed, never the secret itself); per address without one."""
    token = _bearer()
    if token:
        return "till:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "till-ip:" + (request.remote_addr or "")


blp.before_request(use_api_language)
blp.teardown_request(end_api_language)


@blp.before_request
def authenticate():
    row = tokens.authenticate(_bearer())
    if row is None:
        raise ApiError(401, "unauthorized", _l("Send a valid till token: Authorization: Bearer <token>."))
    g.till_token = row
    if request.method == "POST" and not request.is_json:
        raise ApiError(400, "bad_request", _l("Send the body as application/json."))


@blp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _resolve(showroom: Showroom, lines: list[dict]) -> list[sales.LineInput]:
    """The lines with product ids, each product held by this showroom and sold at the catalogue's price."""
    by_id: dict[int, Product] = {}
    for index, line in enumerate(lines):
        if "barcode" in line:
            code = line["barcode"]
            if not is_valid_ean13(code):
                raise ApiError(422, "invalid_barcode",
                               _l("%(code)s is not a valid EAN-13 barcode (wrong length or check digit).", code=code),
                               line=index, barcode=code)
            where = Product.barcode == code
            reference = {"barcode": code}
        elif "sku" in line:
            where = sa.func.lower(Product.sku) == line["sku"].lower()
            reference = {"sku": line["sku"]}
        else:
            where = Product.id == line["product_id"]
            reference = {"product_id": line["product_id"]}
        found = list(db.session.scalars(sa.select(Product.id).where(where).limit(10)))
        held = sales.held_products(showroom, found)
        if not held:
            raise ApiError(404, "unknown_product", _l("No such product is sold in this showroom."),
                           line=index, **reference)
        if len(held) > 1:
            raise ApiError(422, "ambiguous_product", _l("Several products have this SKU: send the barcode or id."),
                           line=index, **reference)
        product = next(iter(held.values()))
        if line["unit_price"] != product.price_vnd:
            raise ApiError(422, "price_mismatch", _l("The unit price is not the catalogue's price for this product."),
                           line=index, unit_price=line["unit_price"], catalogue_price=product.price_vnd)
        by_id[index] = product
    return [sales.LineInput(product_id=by_id[i].id, quantity=line["quantity"], discount_vnd=line["discount"])
            for i, line in enumerate(lines)]


def _result(sale: PosSale) -> dict:
    entries = list(db.session.scalars(sa.select(SaleEntry).where(SaleEntry.reference == sales.sale_reference(sale))
                                      .order_by(SaleEntry.id)))
    return {"sale": sale, "ledger_entries": entries}


@blp.route("/showroom-sales", methods=["POST"])
@limiter.limit(_rate_limit, key_func=_rate_key)
@blp.arguments(SaleIn)
@blp.response(201, SaleResult, description="The sale was recorded.")
@blp.alt_response(200, schema=SaleResult, description="This sale id was recorded before: the same sale.")
@blp.alt_response(401, schema=ErrorOut, description="No, unknown or revoked till token.")
@blp.alt_response(403, schema=ErrorOut, description="The token's showroom is another one, or closed.")
@blp.alt_response(404, schema=ErrorOut, description="A product is not sold in this showroom.")
@blp.alt_response(409, schema=ErrorOut, description="Not enough units left: resolve the sale by hand.")
@blp.alt_response(422, schema=ErrorOut, description="The body is not a valid sale.")
@blp.doc(security=[{"tillToken": []}])
def post_sale(body: dict):
    """Record a sale made at a showroom's till (idempotent by the till's sale id)."""
    token = g.till_token
    showroom = db.session.get(Showroom, token.showroom_id)
    if "showroom_id" in body and body["showroom_id"] != showroom.id:
        raise ApiError(403, "forbidden", _l("This token belongs to another showroom."), showroom_id=body["showroom_id"])
    existing = sales.find_sale(showroom, body["sale_id"])
    if existing is not None:
        db.session.commit()  # the token's last use
        return _result(existing), 200
    if not showroom.is_active:
        raise ApiError(403, "showroom_closed", _l("This showroom is closed: it records no new sales."))
    if body["occurred_at"] > utcnow() + CLOCK_SKEW:
        raise ApiError(422, "validation_error", _l("The sale cannot have happened in the future."),
                       occurred_at=[_l("Later than now: check the till's clock.")])
    lines = _resolve(showroom, body["lines"])
    method = body["payment_method"]
    cash = body.get("cash_received")
    if method == PaymentMethod.CASH and cash is None:
        cash = sum(line["quantity"] * line["unit_price"] - line["discount"] for line in body["lines"])
    payment = sales.PaymentInput(method=method, cash_received_vnd=cash, einvoice_number=body["einvoice_number"])
    try:
        sale = sales.complete_sale(showroom, lines, payment, body["sale_id"], None,
                                   occurred_at=body["occurred_at"])
    except sales.SaleConflict as error:
        raise ApiError(409, "out_of_stock", error.message) from None
    except sales.SaleError as error:
        raise ApiError(422, "sale_refused", error.message) from None
    db.session.commit()
    # Two posts of one sale id at the very same moment record one sale; both may answer 201 with it.
    return _result(sale), 201
