"""POST /api/v1/showroom-sales: till tokens (missing, wrong, revoked), idempotency, validation (nothing changes),
showroom isolation, and the OpenAPI document."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.api import tokens
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots
from marketplace.showrooms.models import PosSale
from marketplace.stock.models import StockMovement
from tests.factories import make_product, make_user
from tests.showrooms.helpers import deliver, make_showroom

URL = "/api/v1/showroom-sales"


@pytest.fixture()
def till(app):
    showroom = make_showroom()
    product = make_product("Tương Cự Đà", price_vnd=45000, barcode="8934563138165", sku="TCD-1")
    deliver(showroom, product, 5, lot="A1", best_before=date(2027, 3, 1))
    _row, secret = tokens.create_token(showroom, "Quầy 1", make_user())
    db.session.commit()
    return showroom, product, secret


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def _body(sale_id="till-sale-0001", **line):
    body_line = {"sku": "TCD-1", "quantity": 2, "unit_price": 45000}
    body_line.update(line)
    return {"sale_id": sale_id, "occurred_at": "2026-12-01T09:30:00+07:00", "payment_method": "cash",
            "lines": [body_line]}


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _unchanged(showroom, product):
    assert _count(PosSale) == 0 and _count(SaleEntry) == 0
    assert lots.lot_total(product.id, showroom.location_id) == 5


def test_a_sale_is_recorded_once_and_a_repeat_answers_the_same(client, till):
    showroom, product, secret = till
    first = client.post(URL, json=_body(), headers=_auth(secret))
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["sale"]["number"].startswith("BL-") and body["sale"]["total"] == 90000
    assert body["sale"]["showroom_id"] == showroom.id and body["sale"]["sale_id"] == "till-sale-0001"
    assert [(e["quantity"], e["unit_price"], e["total"]) for e in body["ledger_entries"]] == [(2, 45000, 90000)]
    assert "Set-Cookie" not in first.headers and first.headers["Cache-Control"] == "no-store"
    again = client.post(URL, json=_body(), headers=_auth(secret))
    assert again.status_code == 200 and again.get_json() == body
    assert _count(PosSale) == 1 and _count(SaleEntry) == 1
    assert lots.lot_total(product.id, showroom.location_id) == 3
    entry = db.session.scalars(sa.select(SaleEntry)).one()
    assert entry.channel == "showroom" and entry.location_id == showroom.location_id


def test_barcode_and_product_id_find_the_product(client, till):
    _showroom, product, secret = till
    line = {"barcode": "8934563138165", "quantity": 1, "unit_price": 45000}
    body = _body("till-sale-0002")
    body["lines"] = [line]
    assert client.post(URL, json=body, headers=_auth(secret)).status_code == 201
    body = _body("till-sale-0003")
    body["lines"] = [{"product_id": product.id, "quantity": 1, "unit_price": 45000}]
    assert client.post(URL, json=body, headers=_auth(secret)).status_code == 201


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer ocop_till_wrong"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}])
def test_no_or_wrong_token_is_401(client, till, headers):
    showroom, product, _secret = till
    response = client.post(URL, json=_body(), headers=headers)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    _unchanged(showroom, product)


def test_a_revoked_token_is_401(client, till):
    showroom, product, secret = till
    row = db.session.scalars(sa.select(tokens.TillToken)).one()
    tokens.revoke_token(row)
    db.session.commit()
    response = client.post(URL, json=_body(), headers=_auth(secret))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    _unchanged(showroom, product)


def test_the_last_use_is_noted(client, till):
    _showroom, _product, secret = till
    client.post(URL, json=_body(), headers=_auth(secret))
    assert db.session.scalars(sa.select(tokens.TillToken)).one().last_used_at is not None


@pytest.mark.parametrize(("line", "field"), [
    ({"quantity": 0}, "quantity"), ({"quantity": -1}, "quantity"), ({"quantity": 10**9}, "quantity"),
    ({"quantity": "2"}, "quantity"), ({"quantity": "²"}, "quantity"), ({"quantity": 2.5}, "quantity"),
    ({"quantity": True}, "quantity"), ({"unit_price": -5}, "unit_price"), ({"discount": "x"}, "discount"),
])
def test_bad_lines_get_a_clear_error_and_change_nothing(client, till, line, field):
    showroom, product, secret = till
    response = client.post(URL, json=_body(**line), headers=_auth(secret))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_error" and body["message"]
    assert field in body["details"]["lines"]["0"]
    _unchanged(showroom, product)


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"sku": "NOPE-1"}, 404, "unknown_product"),
    ({"sku": None, "barcode": "8934563138166"}, 422, "invalid_barcode"),
    ({"sku": None, "barcode": "8934563138172"}, 404, "unknown_product"),
    ({"unit_price": 40000}, 422, "price_mismatch"),
    ({"quantity": 6}, 409, "out_of_stock"),
])
def test_products_prices_and_stock_are_checked(client, till, change, status, code):
    showroom, product, secret = till
    body = _body()
    body["lines"][0].update(change)
    body["lines"][0] = {k: v for k, v in body["lines"][0].items() if v is not None}
    response = client.post(URL, json=body, headers=_auth(secret))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == code and response.get_json()["message"]
    _unchanged(showroom, product)


@pytest.mark.parametrize("body", [
    {"sale_id": "short", "occurred_at": "2026-12-01T09:30:00+07:00", "payment_method": "cash", "lines": []},
    {"sale_id": "till-sale-0001", "occurred_at": "2026-12-01T09:30:00", "payment_method": "cash",
     "lines": [{"sku": "TCD-1", "quantity": 1, "unit_price": 45000}]},
    {"sale_id": "till-sale-0001", "occurred_at": "2026-12-01T09:30:00+07:00", "payment_method": "cheque",
     "lines": [{"sku": "TCD-1", "quantity": 1, "unit_price": 45000}]},
    {"sale_id": "till-sale-0001", "occurred_at": "2026-12-01T09:30:00+07:00", "payment_method": "card",
     "lines": [{"sku": "TCD-1", "barcode": "8934563138165", "quantity": 1, "unit_price": 45000}]},
    {"sale_id": "till-sale-0001", "occurred_at": "2999-12-01T09:30:00+07:00", "payment_method": "card",
     "lines": [{"sku": "TCD-1", "quantity": 1, "unit_price": 45000}]},
    [1, 2, 3],
])
def test_bad_bodies_are_422(client, till, body):
    showroom, product, secret = till
    response = client.post(URL, json=body, headers=_auth(secret))
    assert response.status_code == 422 and response.get_json()["error"] == "validation_error"
    _unchanged(showroom, product)


def test_a_body_that_is_not_json_is_400(client, till):
    showroom, product, secret = till
    for data, content_type in (("{not json", "application/json"), ("sale_id=1", "application/x-www-form-urlencoded")):
        response = client.post(URL, data=data, headers={**_auth(secret), "Content-Type": content_type})
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    _unchanged(showroom, product)


def test_a_token_of_showroom_a_cannot_sell_in_b(client, till):
    showroom_a, product_a, secret_a = till
    showroom_b = make_showroom()
    product_b = make_product("Chè Tân Cương", price_vnd=120000, sku="CHE-1")
    deliver(showroom_b, product_b, 4, lot="B1")
    db.session.commit()
    body = _body(sku="CHE-1", unit_price=120000)
    response = client.post(URL, json=body, headers=_auth(secret_a))
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_product"
    body = _body()
    body["showroom_id"] = showroom_b.id
    response = client.post(URL, json=body, headers=_auth(secret_a))
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    _unchanged(showroom_a, product_a)
    assert lots.lot_total(product_b.id, showroom_b.location_id) == 4


def test_a_closed_showroom_records_no_sale(client, till):
    showroom, product, secret = till
    showroom.is_active = False
    db.session.commit()
    response = client.post(URL, json=_body(), headers=_auth(secret))
    assert response.status_code == 403 and response.get_json()["error"] == "showroom_closed"
    _unchanged(showroom, product)


def test_other_methods_and_unknown_paths_answer_json(client, till):
    _showroom, _product, secret = till
    response = client.get(URL, headers=_auth(secret))
    # Routing errors happen before the API's blueprint is known: the app's JSON error body for /api/ paths.
    assert response.status_code == 405 and response.get_json()["error"]
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]


def test_the_openapi_document_lists_the_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["version"] == "v1" and spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/v1/showroom-sales"]["post"]
    assert {"200", "201", "401", "409", "422"} <= set(operation["responses"])
    assert operation["security"] == [{"tillToken": []}]
    assert spec["components"]["securitySchemes"]["tillToken"]["scheme"] == "bearer"
    assert "Set-Cookie" not in response.headers


def test_a_stock_movement_names_the_sale(client, till):
    _showroom, _product, secret = till
    number = client.post(URL, json=_body(), headers=_auth(secret)).get_json()["sale"]["number"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement)
                             .where(StockMovement.reference == f"pos:{number}")) == 1


def test_posting_is_rate_limited_per_token(app, client, till):
    showroom, _product, secret = till
    _row, other = tokens.create_token(showroom, "Quầy 2", None)
    db.session.commit()
    app.config["API_TILL_RATE_LIMIT"] = "2 per minute"
    answers = [client.post(URL, json=_body(f"till-sale-100{n}", quantity=1), headers=_auth(secret)).status_code
               for n in range(3)]
    assert answers == [201, 201, 429]
    limited = client.post(URL, json=_body("till-sale-2000", quantity=1), headers=_auth(secret))
    assert limited.get_json()["error"] == "rate_limited"
    assert client.post(URL, json=_body("till-sale-3000", quantity=1), headers=_auth(other)).status_code == 201
    assert _count(PosSale) == 3
