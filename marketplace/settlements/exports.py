"""A statement as an XLSX workbook with the same sections and numbers as its page (openpyxl).

Amounts are numbers (whole đồng), never formatted text, so a spreadsheet can add them; who owes whom is a
sentence in the first column next to the amount (always positive), as on the page. Text that a spreadsheet
would run as a formula (names typed by people) is written with a leading apostrophe.
"""

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from marketplace.i18n import format_date
from marketplace.settlements import labels
from marketplace.settlements.models import Statement, StatementSection

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Text a spreadsheet would run as a formula if a cell started with it (formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Rate(int):
    """A commission rate in basis points, written as a percentage cell."""


def safe_cell(value):
    """Numbers as they are; text starting like a formula gets a leading apostrophe so it stays text."""
    if isinstance(value, _Rate):
        return int(value) / 10000
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _section_rows(section: StatementSection, *, view: str, producer: str) -> list[tuple[list, bool]]:
    rows: list[tuple[list, bool]] = [
        ([labels.section_title(section)], True),
        ([labels.collector_label(section)], False),
        ([_("Product"), _("SKU"), _("Units sold"), _("Units returned"), _("Sales (VND)"), _("Refunds (VND)"),
          _("Net (VND)")], True),
    ]
    for line in section.lines:
        rows.append(([line.product_name, line.sku, line.units_sold, line.units_returned, line.sales_vnd,
                      line.refunds_vnd, line.net_sales_vnd], False))
    rows += [
        ([_("Net sales"), "", section.units_sold, section.units_returned, section.sales_vnd, section.refunds_vnd,
          section.net_sales_vnd], True),
        ([_("Commission (rate in column F)"), "", "", "", "", _Rate(section.commission_rate_bp),
          section.commission_vnd], False),
        *(([line.text, "", "", "", "", "", line.amount_vnd], False)
          for line in labels.section_discount_lines(section, view=view, producer=producer)),
        ([labels.section_owed_label(section, view=view, producer=producer), "", "", "", "", "", abs(section.due_vnd)],
         True),
        ([], False),
    ]
    return rows


def statement_rows(statement: Statement, sections: list[StatementSection], *, view: str,
                   balances: list[tuple[str | None, int]]) -> list[tuple[list, bool]]:
    """(row, bold) pairs: the statement's heading, who owes whom, then each section with its products.

    `balances` are the page's "who owes whom" lines: (showroom name, or None for OCOP Market; amount)."""
    producer = statement.producer.name
    rows: list[tuple[list, bool]] = [
        ([_("Statement #%(id)s", id=statement.id), producer], True),
        ([_("Period"), f"{format_date(statement.period_start)} – {format_date(statement.period_end)}"], False),
        ([_("Status"), labels.statement_state(statement)], False),
        ([], False),
        ([_("Who owes whom")], True),
    ]
    for showroom, amount in balances:
        rows.append(([labels.owed_label(amount, view=view, showroom=showroom, producer=producer), "", "", "",
                      "", "", abs(amount)], False))
    rows.append(([], False))
    for section in sections:
        rows += _section_rows(section, view=view, producer=producer)
    return rows


def to_xlsx(title: str, rows: list[tuple[list, bool]]) -> bytes:
    """One sheet: the rows as given, bold where asked, columns wide enough to read."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet1"
    for row, bold in rows:
        sheet.append([safe_cell(value) for value in row])
        for value, cell in zip(row, sheet[sheet.max_row], strict=False):
            if isinstance(value, _Rate):
                cell.number_format = "0.00%"
            if bold:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 60
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
