"""Bulk import and export of a shop's listings as XLSX or CSV.

Import is all or nothing: every row is checked first (with the same rules as the product form) and the
errors are reported per row; only when no row is wrong are the products created or updated (matched by
SKU). Export writes the same columns, so an export can be edited and imported again.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import joinedload

from marketplace.catalog import products as listings
from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.stock import services as stock_services
from marketplace.text import nfc

COLUMNS = ("sku", "name", "description", "group_code", "set_code", "unit", "price_vnd", "barcode", "stock_quantity")
REQUIRED = ("sku", "name", "group_code", "unit", "price_vnd")
EXPORT_ONLY = ("status", "slug")
MAX_ROWS = 2000
#: Spreadsheet programs run cells starting with these as formulas; exported text gets a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(DomainError):
    """The file was not imported; `errors` lists what is wrong, row by row."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors), errors=errors)
        self.errors = errors


@dataclass
class ImportResult:
    created: int
    updated: int


def _field_label(name: str) -> str:
    return {
        "sku": _("SKU"), "name": _("name"), "description": _("description"), "group_code": _("group"),
        "set_code": _("product set"), "unit": _("unit"), "price_vnd": _("price"), "barcode": _("barcode"),
        "stock_quantity": _("stock quantity"),
    }.get(name, name)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value).strip()
    # Undo the quote export puts before formula-like text.
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        text = text[1:]
    return text


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number as the user sees it, values by column) from an XLSX or CSV file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _read_csv(data)
    else:
        raise ImportRefused([_("Upload an XLSX or CSV file.")])
    if not table:
        raise ImportRefused([_("The file is empty.")])
    header = [_cell_text(cell).lower() for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportRefused([_("The first row must name the columns; missing: %(columns)s.",
                               columns=", ".join(missing))])
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(table[1:], start=2):
        values = {header[i]: _cell_text(cell) for i, cell in enumerate(cells) if i < len(header) and header[i]}
        if not any(values.get(column) for column in COLUMNS):
            continue
        rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise ImportRefused([_("At most %(n)s rows can be imported at once.", n=MAX_ROWS)])
    if not rows:
        raise ImportRefused([_("The file has no product rows.")])
    return rows


#: An XLSX is a zip: refuse one that would unpack to more than this (a "zip bomb" spreadsheet).
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024


def _read_xlsx(data: bytes) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused([_("This file is not a readable XLSX spreadsheet.")]) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportRefused([_("This spreadsheet unpacks to more than %(mb)s MB; split it into smaller files.",
                               mb=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024))])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(list(row))
            if len(table) > MAX_ROWS + 1:
                break
        workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise ImportRefused([_("This file is not a readable XLSX spreadsheet.")]) from None
    return table


def _read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_("The CSV file must be saved as UTF-8.")]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)][: MAX_ROWS + 2]
    except csv.Error:
        raise ImportRefused([_("This file is not a readable CSV spreadsheet.")]) from None


def _existing_by_sku(producer_id: int) -> dict[str, Product]:
    return {product.sku: product for product in db.session.scalars(
        # With the producer: an updated product's search text includes the shop's name.
        sa.select(Product).where(Product.producer_id == producer_id).options(joinedload(Product.producer)))}


def import_rows(producer, rows: list[tuple[int, dict[str, str]]], *, actor) -> ImportResult:
    """Check every row, then create or update the products (by SKU); raises ImportRefused if any row is wrong."""
    existing = _existing_by_sku(producer.id)
    # The shop's SKUs are all read here: no SKU query per row, neither when checking nor when saving.
    sku_owners = {sku: product.id for sku, product in existing.items()}
    errors: list[str] = []
    seen: dict[str, int] = {}
    planned: list[tuple[int, dict[str, str], Product | None, int | None]] = []
    for number, values in rows:
        # Matched as the product rules store it (NFC): a SKU typed on a Mac still finds its product.
        sku = nfc(values.get("sku"))
        if sku and sku in seen:
            errors.append(_("Row %(row)s: the SKU %(sku)s is already used on row %(first)s.", row=number, sku=sku,
                            first=seen[sku]))
            continue
        seen[sku] = number
        product = existing.get(sku)
        try:
            listings.clean_product_fields(values, producer_id=producer.id, product_id=product.id if product else None,
                                        sku_owners=sku_owners)
        except listings.InvalidProduct as error:
            for field, message in error.errors.items():
                errors.append(_("Row %(row)s, %(column)s: %(message)s", row=number, column=_field_label(field),
                                message=message))
        quantity = None
        raw_quantity = values.get("stock_quantity", "")
        if raw_quantity != "":
            quantity = parse_int(raw_quantity, minimum=0, maximum=1_000_000_000)
            if quantity is None:
                errors.append(_("Row %(row)s, %(column)s: %(message)s", row=number,
                                column=_field_label("stock_quantity"),
                                message=_("The stock must be a whole number, zero or more.")))
        planned.append((number, values, product, quantity))
    if errors:
        raise ImportRefused(errors)
    created = updated = 0
    location = None
    for number, values, product, quantity in planned:
        if product is None:
            product = listings.create_product(producer, values, actor=actor, sku_owners=sku_owners)
            sku_owners[product.sku] = product.id
            created += 1
        else:
            listings.update_product(product, values, actor=actor, sku_owners=sku_owners)
            updated += 1
        if quantity is not None:
            location = location or stock_services.warehouse_for(producer)
            level = stock_services.level_for(product.id, location.id)
            stock_services.set_counted(level, quantity, reason=f"import row {number}", actor_id=actor.id)
    db.session.flush()
    return ImportResult(created, updated)


def template_rows() -> list[list]:
    """Headings and one example row."""
    return [list(COLUMNS), ["NM-40N-500", "Nước mắm cá cơm 40 độ đạm", "Ủ chượp 12 tháng trong thùng gỗ.", "1.4",
                            "1.4.1", "chai 500ml", "125000", "8938505974194", "50"]]


def export_rows(producer) -> list[list]:
    """Every product of the shop, with its warehouse stock, status and slug."""
    products = list(db.session.scalars(
        sa.select(Product).where(Product.producer_id == producer.id).order_by(Product.sku)))
    stock = stock_services.available_online([p.id for p in products])
    rows: list[list] = [[*COLUMNS, *EXPORT_ONLY]]
    for p in products:
        rows.append([p.sku, p.name, p.description, p.group_code, p.set_code or "", p.unit, p.price_vnd,
                     p.barcode or "", stock.get(p.id, 0), p.status.value, p.slug])
    return rows


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def download(rows: list[list], fmt: str, basename: str) -> Response:
    """The rows as an XLSX or CSV attachment (text that looks like a formula is quoted)."""
    rows = [[_safe(value) for value in row] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        body, mimetype = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "products"
        for row in rows:
            sheet.append(row)
        for cell in sheet["H"][1:]:
            cell.number_format = "@"
        buffer = io.BytesIO()
        workbook.save(buffer)
        body = buffer.getvalue()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    return response
