"""Numbers typed or sent in a URL are read from ASCII digits only: odd digits give a message or a 404, never a 500.

`"²".isdigit()` and `"①".isdigit()` are True but `int()` refuses them; `int("１２")` accepts full-width digits;
a 30-digit number overflows a database integer. Each input that takes a number is tried with all of them.
"""

import csv
import io

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.money import InvalidAmount, parse_vnd
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import place

ODD = ["²", "①", "１２", "-1", "9" * 30]


@pytest.mark.parametrize("text", ODD + ["٣", "𝟙", "1e3", "0x10", "1_000", " ", "\x00"])
def test_parse_int_refuses_anything_but_ascii_digits_within_a_bigint(text):
    """None for every odd value (-1 is a number, refused here by the minimum)."""
    assert parse_int(text, minimum=0) is None


@pytest.mark.parametrize("text", ODD + ["1²", "１２.０００", "12,5", "+5"])
def test_parse_vnd_refuses_odd_digits_and_huge_amounts(text):
    with pytest.raises(InvalidAmount):
        parse_vnd(text)


def test_parse_vnd_still_reads_prices_as_people_type_them():
    assert [parse_vnd(t) for t in ("125000", "125.000", "125.000 ₫", "125,000", "0", "25.000đ")] == \
        [125000, 125000, 125000, 125000, 0, 25000]


# --- the shopper's cart -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ODD)
def test_cart_add_with_an_odd_quantity_says_so(client, value):
    product = make_product()
    response = client.post("/cart/add?lang=en", data={"product_id": str(product.id), "quantity": value})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The quantity must be" in text or "You can buy at most" in text


@pytest.mark.parametrize("value", ODD)
def test_cart_add_with_an_odd_product_id_says_so(client, value):
    response = client.post("/cart/add?lang=en", data={"product_id": value, "quantity": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ODD)
def test_cart_update_with_odd_numbers_gives_a_message(client, login_as, value):
    product = make_product()
    login_as(make_user())
    assert client.post("/cart/add", data={"product_id": str(product.id), "quantity": "1"}).status_code == 302
    for data in ({"product_id": str(product.id), "quantity": value}, {"product_id": value, "quantity": "1"}):
        response = client.post("/cart/update?lang=en", data=data)
        assert response.status_code in (302, 400, 422), data
    remove = client.post("/cart/remove", data={"product_id": value})
    assert remove.status_code in (302, 400)


@pytest.mark.parametrize("value", ODD)
def test_checkout_wards_with_an_odd_province_is_refused(client, value):
    assert client.get("/checkout/wards", query_string={"province": value}).status_code in (400, 404)


# --- back-office query arguments ----------------------------------------------------------------------------------

@pytest.fixture
def member(login_as):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    return producer


@pytest.fixture
def admin(login_as):
    return login_as(make_user(role=Role.ADMIN))


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("path", ["/manage/orders", "/manage/statements", "/manage/figures"])
def test_member_pages_with_an_odd_page_or_producer_are_fine(client, member, path, value):
    for args in ({"page": value}, {"producer": value}):
        assert client.get(path, query_string=args).status_code == 200, args


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("path", ["/manage/orders", "/manage/statements", "/manage/figures",
                                  "/manage/figures/export/products.csv", "/admin/statements",
                                  "/manage/products/", "/manage/products/export.csv"])
def test_admin_pages_with_an_odd_producer_answer_404_or_ignore_it(client, admin, path, value):
    response = client.get(path, query_string={"producer": value, "page": value})
    assert response.status_code in (200, 404), response.status_code


@pytest.mark.parametrize("value", ODD)
def test_admin_new_statement_with_an_odd_producer_asks_for_one(client, admin, value):
    response = client.post("/admin/statements/new?lang=en", data={
        "producer": value, "period_start": "2026-10-01", "period_end": "2026-10-31"})
    assert response.status_code == 422
    assert "Choose a producer." in response.get_data(as_text=True)


# --- producer forms -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ODD)
def test_profile_with_odd_shipping_numbers_is_refused(client, member, value):
    for field in ("shipping_fee", "free_shipping_threshold"):
        data = {"story": "", "phone": "0900000000", "contact_email": "", "shipping_fee": "25000",
                "free_shipping_threshold": ""}
        data[field] = value
        response = client.post("/manage/profile?lang=en", data=data)
        assert response.status_code == 422, field
        text = response.get_data(as_text=True)
        assert "whole number of đồng" in text or "longer than 20 characters" in text
    assert member.shipping_fee_vnd == 30000


@pytest.mark.parametrize("value", ODD)
def test_product_form_with_an_odd_price_is_refused(client, member, value):
    response = client.post("/manage/products/new?lang=en", data={
        "name": "Chè", "group_code": "1.5", "unit": "gói", "price_vnd": value, "sku": "CHE-9"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "The price must be" in text or "longer than 20 characters" in text


@pytest.mark.parametrize("value", ODD)
def test_legal_details_with_an_odd_province_is_refused(client, member, value):
    response = client.post("/manage/details?lang=en", data={
        "name": "HTX", "legal_name": "HTX", "type": "cooperative", "registration_number": "0100000001",
        "representative": "An", "province_code": value, "ward_code": value, "address": "Thôn 1",
        "phone": "0900000000"})
    assert response.status_code in (200, 422)


def test_a_barcode_of_odd_digits_is_refused(client, member):
    response = client.post("/manage/products/new?lang=en", data={
        "name": "Chè", "group_code": "1.5", "unit": "gói", "price_vnd": "1000", "sku": "CHE-9", "barcode": "²" * 13})
    assert response.status_code == 200
    assert "barcode" in response.get_data(as_text=True).lower()


# --- spreadsheets -------------------------------------------------------------------------------------------------

def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("value", ODD)
def test_product_import_with_odd_cells_names_the_row(client, member, value):
    header = ["sku", "name", "description", "group_code", "set_code", "unit", "price_vnd", "barcode",
              "stock_quantity"]
    rows = [header, ["A-1", "Bánh", "", "1.3", "", "hộp", value, "", ""],
            ["A-2", "Kẹo", "", "1.3", "", "hộp", "1000", "", value]]
    response = client.post("/manage/products/import?lang=en",
                           data={"file": (io.BytesIO(_csv(rows)), "odd.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Row 2, price:" in text and "Row 3, stock quantity:" in text


@pytest.mark.parametrize("value", ODD)
def test_bank_statement_with_an_odd_amount_reports_the_line(client, admin, value):
    order = place(make_user(), [make_product(price_vnd=100000)], method="vietqr")
    db.session.commit()
    text = f"date,amount,description\n2026-11-28,{value},{order.number}\n"
    response = client.post("/payments/admin/bank-transfers/import?lang=en",
                           data={"statement": (io.BytesIO(text.encode()), "statement.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "amount not understood" in page or "amount differs" in page


@pytest.mark.parametrize("value", ODD[:3] + ["9" * 30])
def test_stock_form_with_odd_units_is_refused(client, member, value):
    product = make_product(producer=member, stock=5)
    response = client.post(f"/manage/products/{product.id}/stock?lang=en",
                           data={"mode": "adjust", "quantity": value, "reason": "count"})
    assert response.status_code in (200, 422)
    assert "Stock updated" not in response.get_data(as_text=True)


def test_shop_and_order_pages_read_page_numbers_from_ascii_digits(client, member):
    make_product(producer=member)
    for value in ODD:
        assert client.get("/manage/orders", query_string={"page": value}).status_code == 200
        assert client.get(f"/shops/{member.slug}", query_string={"page": value}).status_code == 200
