"""The till screens: the POS page, lookup and sale JSON endpoints (bad input changes nothing), receipt,
e-invoice number, the day's sales with void (managers only), exports, staff isolation, the discount setting."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots
from marketplace.showrooms.models import PosSale, Showroom, StaffRole
from tests.factories import make_product, make_user
from tests.showrooms.helpers import deliver, make_showroom, make_staff
from tests.showrooms.test_views import SHOWROOM_FORM


@pytest.fixture()
def till(app):
    showroom = make_showroom()
    showroom.max_discount_bp = 1000
    product = make_product("Tương Cự Đà", price_vnd=45000, barcode="8934563138165", sku="TCD-1", unit="chai 500ml")
    deliver(showroom, product, 5, lot="A1", best_before=date(2027, 3, 1))
    return showroom, product


def _sale(product, client_id="till-0000001", quantity=2, **extra):
    body = {"client_id": client_id, "method": "cash", "cash_received": 100000, "discount": 0,
            "lines": [{"product_id": product.id, "quantity": quantity}]}
    body.update(extra)
    return body


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_clerk_sells_and_the_same_post_again_is_one_sale(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    page = client.get(f"/manage/showrooms/{showroom.id}/pos")
    assert page.status_code == 200 and "pos.js" in page.get_data(as_text=True)
    assert "JavaScript" in page.get_data(as_text=True)
    url = f"/manage/showrooms/{showroom.id}/pos/sales"
    first = client.post(url, json=_sale(product))
    assert first.status_code == 201
    body = first.get_json()["sale"]
    assert (body["total"], body["change"]) == (90000, 10000)
    again = client.post(url, json=_sale(product))
    assert again.status_code == 200 and again.get_json()["sale"]["id"] == body["id"]
    assert _count(PosSale) == 1 and _count(SaleEntry) == 1
    receipt = client.get(body["receipt_url"]).get_data(as_text=True)
    assert "Tương Cự Đà" in receipt and body["number"] in receipt
    day = client.get(f"/manage/showrooms/{showroom.id}/pos/today").get_data(as_text=True)
    assert body["number"] in day and 'name="reason"' not in day  # clerks see no void button


def test_bank_transfer_returns_a_vietqr_code(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    response = client.post(f"/manage/showrooms/{showroom.id}/pos/sales",
                           json=_sale(product, method="bank_transfer", cash_received=None))
    assert response.status_code == 201 and "<svg" in response.get_json()["sale"]["qr_svg"]


@pytest.mark.parametrize("quantity", [0, -1, 10**9, "abc", "²", None, 1.5])
def test_bad_quantities_get_a_message_and_change_nothing(client, login_as, till, quantity):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    response = client.post(f"/manage/showrooms/{showroom.id}/pos/sales", json=_sale(product, quantity=quantity))
    assert response.status_code == 422 and response.get_json()["error"]
    assert _count(PosSale) == 0 and _count(SaleEntry) == 0
    assert lots.level_quantity(product.id, showroom.location_id) == 5


def test_stock_gone_is_a_conflict(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    response = client.post(f"/manage/showrooms/{showroom.id}/pos/sales", json=_sale(product, quantity=6,
                                                                                   cash_received=500000))
    assert response.status_code == 409 and response.get_json()["conflict"]
    assert "Tương Cự Đà" in response.get_json()["error"] and _count(PosSale) == 0


def test_over_the_discount_limit_is_refused(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    response = client.post(f"/manage/showrooms/{showroom.id}/pos/sales", json=_sale(product, discount=9001))
    assert response.status_code == 422 and _count(PosSale) == 0
    assert client.post(f"/manage/showrooms/{showroom.id}/pos/sales",
                       json=_sale(product, discount=9000)).status_code == 201


@pytest.mark.parametrize("q,message", [("8934563138166", "số kiểm tra"), ("4006381333931", "không bán sản phẩm nào có mã vạch"),
                                       ("123456789", "số kiểm tra")])
def test_lookup_bad_barcodes_get_a_clear_message(client, login_as, till, q, message):
    showroom, _product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    response = client.get(f"/manage/showrooms/{showroom.id}/pos/lookup", query_string={"q": q})
    assert response.status_code == 422 and message in response.get_json()["error"]


def test_lookup_finds_by_barcode_and_words_without_accents(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    for q in ("8934563138165", "tuong cu da", "TCD-1"):
        items = client.get(f"/manage/showrooms/{showroom.id}/pos/lookup", query_string={"q": q}).get_json()["items"]
        assert [item["id"] for item in items] == [product.id]


def test_staff_of_another_showroom_get_404(client, login_as, till):
    showroom, product = till
    other = make_showroom()
    login_as(make_staff(other, StaffRole.MANAGER))
    assert client.get(f"/manage/showrooms/{showroom.id}/pos").status_code == 404
    assert client.post(f"/manage/showrooms/{showroom.id}/pos/sales", json=_sale(product)).status_code == 404
    assert client.get(f"/manage/showrooms/{showroom.id}/pos/lookup?q=tuong").status_code == 404
    assert _count(PosSale) == 0


def test_clerk_cannot_void_and_manager_voids_with_a_reason(client, login_as, till):
    showroom, product = till
    clerk, manager = make_staff(showroom, StaffRole.CLERK), make_staff(showroom, StaffRole.MANAGER)
    login_as(clerk)
    sale_id = client.post(f"/manage/showrooms/{showroom.id}/pos/sales", json=_sale(product)).get_json()["sale"]["id"]
    void_url = f"/manage/showrooms/{showroom.id}/pos/sales/{sale_id}/void"
    assert client.post(void_url, data={"reason": "x"}).status_code == 403
    login_as(manager)
    client.post(void_url, data={"reason": ""})
    assert db.session.get(PosSale, sale_id).status == "completed"
    client.post(void_url, data={"reason": "Khách trả lại"})
    assert db.session.get(PosSale, sale_id).status == "voided"
    assert lots.level_quantity(product.id, showroom.location_id) == 5
    assert db.session.scalar(sa.select(sa.func.sum(SaleEntry.quantity))) == 0


def test_einvoice_number_and_exports(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    sale = client.post(f"/manage/showrooms/{showroom.id}/pos/sales", json=_sale(product)).get_json()["sale"]
    client.post(sale["receipt_url"], data={"einvoice_number": "=1C26TAA-0000123"})
    csv_text = client.get(f"/manage/showrooms/{showroom.id}/pos/today.csv").get_data().decode("utf-8-sig")
    header, row = csv_text.strip().splitlines()
    assert header.count(",") == 9
    assert sale["number"] in row and "Tương Cự Đà" in row and "'=1C26TAA-0000123" in row and "45000" in row
    xlsx = client.get(f"/manage/showrooms/{showroom.id}/pos/today.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 1).value == sale["number"] and sheet.cell(2, 5).value == 2
    assert client.get(f"/manage/showrooms/{showroom.id}/pos/today.pdf").status_code == 404


@pytest.mark.parametrize("value,saved", [("500", 500), ("", 0), ("²", None), ("10001", None), ("-1", None)])
def test_admin_sets_the_discount_limit(client, login_as, value, saved):
    login_as(make_user(role=Role.ADMIN))
    response = client.post("/admin/showrooms/new", data={**SHOWROOM_FORM, "max_discount_bp": value})
    showroom = db.session.scalar(sa.select(Showroom).where(Showroom.name == SHOWROOM_FORM["name"]))
    if saved is None:
        assert response.status_code == 422 and showroom is None
    else:
        assert response.status_code == 302 and showroom.max_discount_bp == saved
