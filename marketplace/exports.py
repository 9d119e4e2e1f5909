"""Tables as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese) and XLSX, safe against
formula injection: a cell starting like a formula ("=", "+", "-", "@", tab, carriage return) is written with a
leading apostrophe and stays text. Shared by the producer's figures, the program analytics and the demand signals.
"""

import csv
import io
from collections.abc import Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Numbers as they are; text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """One header row then the rows, comma-separated, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(str(header)) for header in headers])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """A one-sheet workbook: bold header row, numbers stored as numbers, text never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet1"
    sheet.append([safe_cell(str(header)) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def send_table(title: str, headers: Sequence[str], rows: Sequence[Sequence], *, fmt: str, filename: str) -> Response:
    """One table as a CSV or XLSX download (never cached: the figures are not public)."""
    if fmt == "csv":
        body, mimetype = to_csv(headers, rows), CSV_MIMETYPE
    else:
        body, mimetype = to_xlsx(title, headers, rows), XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}.{fmt}"', "Cache-Control": "private, no-store"})
