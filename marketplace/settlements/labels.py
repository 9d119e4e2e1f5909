"""What people read for statements, in both languages: the status (one label function for the enum) and the
balance worded as who owes whom, never as a bare signed amount."""

from flask_babel import gettext as _
from flask_babel import pgettext

from marketplace.i18n import format_date
from marketplace.money import format_vnd
from marketplace.settlements.models import Statement, StatementStatus


def statement_status_label(status: StatementStatus | str, *, owed_by_producer: bool = False) -> str:
    """The status alone ("Not paid out", "Paid", "Void"); a statement the producer owes is collected, not paid out."""
    status = StatementStatus(status)
    if status == StatementStatus.OPEN:
        return _("Not collected yet") if owed_by_producer else _("Not paid out")
    if status == StatementStatus.PAID:
        return pgettext("statement", "Collected") if owed_by_producer else pgettext("statement", "Paid")
    return _("Void")


def statement_state(statement: Statement) -> str:
    """The status of one statement with its date where it has one ("Paid 05/12/2026")."""
    owed = statement.net_payable_vnd < 0
    if statement.is_paid:
        day = format_date(statement.paid_at)
        return _("Collected %(date)s", date=day) if owed else _("Paid %(date)s", date=day)
    return statement_status_label(statement.status, owed_by_producer=owed)


def balance_label(amount_vnd: int, *, producer_view: bool) -> str:
    """Who owes whom, in words: "OCOP Market pays you 29.000 ₫" / "You owe OCOP Market 29.000 ₫"."""
    amount = format_vnd(abs(amount_vnd))
    if producer_view:
        return (_("OCOP Market pays you %(amount)s", amount=amount) if amount_vnd >= 0
                else _("You owe OCOP Market %(amount)s", amount=amount))
    return (_("Pay the producer %(amount)s", amount=amount) if amount_vnd >= 0
            else _("The producer owes %(amount)s", amount=amount))


def balance_heading(amount_vnd: int, *, producer_view: bool) -> str:
    """The same words without the amount, for a table row whose cell shows it."""
    if producer_view:
        return _("OCOP Market pays you") if amount_vnd >= 0 else _("You owe OCOP Market")
    return _("Net payable to the producer") if amount_vnd >= 0 else _("Net owed by the producer")
