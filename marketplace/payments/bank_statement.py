"""The bank statement import: an admin uploads the account's CSV statement (date, amount, description);
each line whose description carries an order code and whose amount is the order's total marks that
bank-transfer order paid (once, through fulfil_order)."""

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from marketplace.money import InvalidAmount, parse_vnd
from marketplace.orders.models import PaymentMethod
from marketplace.orders.queries import order_by_number
from marketplace.payments.fulfilment import awaits_payment, fulfil_order
from marketplace.payments.records import PaymentRefused

_ORDER_CODE = re.compile(r"OC[\s\-_.]?(\d{4})[\s\-_.]?(\d{6})", re.IGNORECASE)


@dataclass
class StatementLine:
    line_number: int
    date: str
    amount: str
    description: str
    order_number: str | None = None
    outcome: str = ""


@dataclass
class StatementReport:
    matched: list[StatementLine] = field(default_factory=list)
    unmatched: list[StatementLine] = field(default_factory=list)


MAX_STATEMENT_LINES = 5000


def import_bank_statement(text: str, *, actor) -> StatementReport:
    """Match statement lines (date, amount, description) to bank-transfer orders by order code and exact amount."""
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise PaymentRefused(_("The file is empty."))
    header = [cell.strip().lower() for cell in rows[0]]
    if header[:3] != ["date", "amount", "description"]:
        raise PaymentRefused(_("The first line must be the columns: date, amount, description."))
    if len(rows) - 1 > MAX_STATEMENT_LINES:
        raise PaymentRefused(_("At most %(count)s lines per file.", count=MAX_STATEMENT_LINES))
    report = StatementReport()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = (row + ["", "", ""])[:3]
        line = StatementLine(number, row[0].strip()[:40], row[1].strip()[:40], row[2].strip()[:300])
        _match_line(line, actor)
        (report.matched if line.outcome == "matched" else report.unmatched).append(line)
    return report


def _match_line(line: StatementLine, actor) -> None:
    try:
        amount = parse_vnd(line.amount.replace("+", ""))
    except InvalidAmount:
        line.outcome = _("amount not understood")
        return
    found = _ORDER_CODE.search(line.description)
    if not found:
        line.outcome = _("no order code in the description")
        return
    line.order_number = f"OC-{found.group(1)}-{found.group(2)}"
    order = order_by_number(line.order_number)
    if order is None or order.payment_method != PaymentMethod.VIETQR:
        line.outcome = _("no bank-transfer order with this code")
        return
    if amount != order.total_vnd:
        line.outcome = _("amount differs from the order total (%(total)s)", total=order.total_vnd)
        return
    if not awaits_payment(order):
        line.outcome = _("order already paid or cancelled")
        return
    if fulfil_order(order, provider="vietqr", amount_vnd=amount, external_id=f"statement:{line.date}:{line.line_number}",
                    actor=actor):
        line.outcome = "matched"
    else:
        line.outcome = _("order already paid or cancelled")
