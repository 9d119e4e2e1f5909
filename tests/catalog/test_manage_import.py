"""Bulk import and export of a shop's listings (XLSX and CSV), all or nothing."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from marketplace.accounts.models import Role
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db
from marketplace.stock import services as stock_services
from marketplace.stock.models import StockLevel, StockMovement
from tests.factories import make_producer, make_product, make_user

HEADER = ["sku", "name", "description", "group_code", "set_code", "unit", "price_vnd", "barcode", "stock_quantity"]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def producer(login_as):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    return producer


def _import(client, data: bytes, name: str, lang="en"):
    return client.post(f"/manage/products/import?lang={lang}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _count(producer) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.producer_id == producer.id))


def test_templates_download_as_xlsx_and_csv(client, producer):
    """The template has the column headings and a valid example row."""
    xlsx = client.get("/manage/products/template.xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.mimetype
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [cell.value for cell in sheet[1]] == HEADER
    text = client.get("/manage/products/template.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADER)
    # The example row itself imports cleanly.
    assert _import(client, client.get("/manage/products/template.csv").data, "t.csv").status_code == 302


def test_xlsx_import_creates_drafts_with_stock(client, producer):
    """Good rows create draft products and set their warehouse stock (recorded as movements)."""
    data = _xlsx([HEADER,
                  ["CHE-1", "Chè Tân Cương", "Chè búp", "1.5", "1.5.1", "gói 200g", 150000, None, 40],
                  ["CHE-2", "Chè xanh", "", "1.5", "", "gói 100g", "80.000", "", ""]])
    response = _import(client, data, "catalogue.xlsx")
    assert response.status_code == 302
    assert _count(producer) == 2
    che = db.session.scalar(sa.select(Product).where(Product.sku == "CHE-1"))
    assert che.status == ProductStatus.DRAFT and che.price_vnd == 150000
    assert stock_services.available_online([che.id])[che.id] == 40
    movements = db.session.execute(
        sa.select(StockMovement.quantity_change, StockMovement.quantity_after, StockMovement.reason)
        .join(StockLevel, StockLevel.id == StockMovement.stock_level_id).where(StockLevel.product_id == che.id)).all()
    assert movements == [(40, 40, "import row 2")]
    assert "Imported: 2 new products, 0 updated." in client.get("/manage/products/?lang=en").get_data(as_text=True)


def test_any_wrong_row_imports_nothing_and_every_error_names_its_row(client, producer):
    """Row-level messages in the user's language; no product is created when one row is wrong."""
    data = _csv([HEADER,
                 ["A-1", "Bánh pía", "", "1.3", "", "hộp", "95000", "", ""],
                 ["A-2", "Kẹo dừa", "", "1.3", "", "hộp", "12,5", "", ""],
                 ["A-3", "", "", "9.9", "", "hộp", "1000", "123", "-4"],
                 ["A-1", "Trùng mã", "", "1.3", "", "hộp", "1000", "", ""]])
    response = _import(client, data, "bad.csv")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 3, price: The price must be a whole number of đồng." in text
    assert "Row 4, name: The name is required." in text
    assert "Row 4, group:" in text and "Row 4, barcode:" in text and "Row 4, stock quantity:" in text
    assert "Row 5: the SKU A-1 is already used on row 2." in text
    assert _count(producer) == 0


def test_row_errors_in_vietnamese(client, producer):
    """The same errors are written in Vietnamese for a Vietnamese page."""
    data = _csv([HEADER, ["A-2", "Kẹo dừa", "", "1.3", "", "hộp", "12,5", "", ""]])
    text = _import(client, data, "bad.csv", lang="vi").get_data(as_text=True)
    assert "Dòng 2" in text and "đồng" in text


def test_import_updates_existing_products_by_sku(client, producer):
    """A known SKU updates that product instead of creating a second one."""
    product = make_product("Tên cũ", producer=producer, sku="OLD-1", price_vnd=50000, stars=None, stock=0)
    data = _csv([HEADER, ["OLD-1", "Tên mới", "", "1.4", "", "chai", "60000", "", ""]])
    assert _import(client, data, "update.csv").status_code == 302
    assert _count(producer) == 1 and product.name == "Tên mới" and product.price_vnd == 60000
    assert "Imported: 0 new products, 1 updated." in client.get("/manage/products/?lang=en").get_data(as_text=True)


def test_not_a_spreadsheet_is_refused(client, producer):
    """A random file or a broken XLSX gives a clear message."""
    assert "Upload an XLSX or CSV file" in _import(client, b"\x00\x01", "x.bin").get_data(as_text=True)
    assert "not a readable XLSX" in _import(client, b"PK\x03\x04garbage", "x.xlsx").get_data(as_text=True)
    missing = _import(client, _csv([["name", "price_vnd"], ["A", "1"]]), "x.csv").get_data(as_text=True)
    assert "missing: sku, group_code, unit" in missing
    nothing = _import(client, b"", "empty.csv")
    assert nothing.status_code == 422 and "Choose an XLSX or CSV file." in nothing.get_data(as_text=True)
    assert _count(producer) == 0


def test_a_spreadsheet_that_unpacks_huge_is_refused(client, producer):
    """An XLSX whose parts unpack to more than 50 MB (a zip bomb) is refused with the reason; nothing imported."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"A" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    text = _import(client, buffer.getvalue(), "bomb.xlsx").get_data(as_text=True)
    assert "unpacks to more than 50 MB" in text
    assert _count(producer) == 0


def test_export_contains_the_whole_catalogue_and_quotes_formulas(client, producer):
    """Every product of the shop is exported; text that looks like a formula cannot run in a spreadsheet."""
    make_product("=HYPERLINK(\"http://evil\")", producer=producer, sku="F-1", stars=None, stock=3)
    make_product("Mật ong", producer=producer, sku="M-1", stars=None, stock=0, status=ProductStatus.ARCHIVED)
    make_product("Sản phẩm khác", sku="X-1")
    rows = list(csv.reader(io.StringIO(client.get("/manage/products/export.csv").data.decode("utf-8-sig"))))
    assert rows[0][:9] == HEADER
    skus = {row[0] for row in rows[1:]}
    assert skus == {"F-1", "M-1"}
    formula_row = next(row for row in rows if row[0] == "F-1")
    assert formula_row[1].startswith("'=") and formula_row[8] == "3"
    sheet = load_workbook(io.BytesIO(client.get("/manage/products/export.xlsx").data)).active
    assert sheet.max_row == 3


def test_import_reads_the_shops_skus_once_instead_of_a_query_per_row(client, producer, query_counter):
    """Checking and saving 30 rows (new and known SKUs) runs no SKU query per row: they were all read up front."""
    import re

    make_product("Sản phẩm cũ", producer=producer, sku="S-0", stars=None, stock=0)
    rows = [HEADER] + [[f"S-{n}", f"Sản phẩm {n}", "", "1.4", "", "chai", "1000", "", ""] for n in range(30)]
    with query_counter:
        response = _import(client, _csv(rows), "many.csv")
    assert response.status_code == 302
    assert _count(producer) == 30
    assert [s for s in query_counter.statements if re.search(r"products\.sku\s*=", s)] == []


def test_a_sku_typed_decomposed_updates_its_product(client, producer):
    """A SKU with accents saved decomposed (NFD, as macOS may) matches the stored NFC SKU: an update, not a clash."""
    import unicodedata

    product = make_product("Ấm chén", producer=producer, sku="ẤM-1", stars=None, stock=0)
    decomposed = unicodedata.normalize("NFD", "ẤM-1")
    assert decomposed != "ẤM-1"
    row = [decomposed, "Ấm chén men lam", "", "4.1", "", "bộ", "90000", "", ""]
    twice = _import(client, _csv([HEADER, row, ["ẤM-1", "Ấm chén lần hai", "", "4.1", "", "bộ", "90000", "", ""]]),
                    "twice.csv")
    assert twice.status_code == 422
    assert "Row 3: the SKU ẤM-1 is already used on row 2." in twice.get_data(as_text=True)
    assert _count(producer) == 1 and product.name == "Ấm chén"
    response = _import(client, _csv([HEADER, row]), "nfd.csv")
    assert response.status_code == 302
    assert _count(producer) == 1 and product.name == "Ấm chén men lam" and product.sku == "ẤM-1"
