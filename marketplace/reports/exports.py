"""The figures tables as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese) and XLSX."""

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

#: Text a spreadsheet would run as a formula if a cell started with it (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Numbers as they are; text starting like a formula gets a leading apostrophe so it stays text."""
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
    """A one-sheet workbook: bold header row, numbers stored as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    # Sheet titles are at most 31 characters and may not contain []:*?/\ .
    sheet.title = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet1"
    sheet.append([str(header) for header in headers])
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
