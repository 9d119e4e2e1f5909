"""The day's till sales as the rows an e-invoice provider imports (one row per sale line), as CSV and XLSX.

Columns: sale number, date/time (Vietnam), item name, unit, quantity, unit price, discount, amount, payment
method, e-invoice number. Voided sales are left out (they were never a sale).
"""

import csv
import io
from collections.abc import Callable

from flask_babel import gettext as _
from openpyxl import Workbook

from marketplace.dates import VIETNAM
from marketplace.showrooms.models import PosSale
from marketplace.showrooms.status import PosSaleStatus

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    """Text that a spreadsheet would run as a formula stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    return [_("Sale number"), _("Date and time"), _("Item name"), _("Unit"), _("Quantity"), _("Unit price (VND)"),
            _("Discount (VND)"), _("Amount (VND)"), _("Payment method"), _("E-invoice number")]


def rows(sales: list[PosSale], method_label: Callable[[str], str]) -> list[list]:
    out = []
    for sale in sorted(sales, key=lambda s: (s.occurred_at, s.id)):
        if sale.status != PosSaleStatus.COMPLETED:
            continue
        when = sale.occurred_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
        for line in sale.lines:
            out.append([sale.number, when, line.product_name, line.unit, line.quantity, line.unit_price_vnd,
                        line.discount_vnd, line.total_vnd, method_label(sale.payment_method), sale.einvoice_number])
    return out


def to_csv(table: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers())
    for row in table:
        writer.writerow([_safe(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "POS"
    sheet.append(headers())
    for row in table:
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
