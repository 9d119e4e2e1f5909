"""What people read for statements, in both languages: the status (one label function for the enum), the
sections (channel, showroom, who collected the money) and every balance worded as who owes whom, never as a
bare signed amount."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext

from marketplace.i18n import format_date
from marketplace.ledger.models import LINKAGE_CHANNEL, SHOWROOM_CHANNEL
from marketplace.money import format_vnd
from marketplace.settlements.models import Collector, Statement, StatementSection, StatementStatus


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


#: Who reads a statement: the producer itself, the program office, or a showroom's manager.
PRODUCER_VIEW, OFFICE_VIEW, SHOWROOM_VIEW = "producer", "office", "showroom"


def section_title(section: StatementSection) -> str:
    """The channel, and the showroom for a showroom section: "Showroom · Điểm OCOP Hoàn Kiếm"."""
    if section.channel == SHOWROOM_CHANNEL:
        return _("Showroom · %(showroom)s", showroom=section.showroom_name or _("unknown showroom"))
    if section.channel == LINKAGE_CHANNEL:
        return _("Supply-demand linkage orders")
    return _("Online sales")


def section_name(section: StatementSection) -> str:
    """The title and, shortly, how it was paid: "Online sales · cash on delivery"."""
    collector = Collector(section.collected_by)
    if collector == Collector.SHOWROOM:
        how = _("paid at the counter")
    elif collector == Collector.PRODUCER:
        how = _("cash on delivery")
    elif section.channel == SHOWROOM_CHANNEL:
        how = _("paid online, picked up")
    else:
        how = _("paid online")
    return f"{section_title(section)} · {how}"


def collector_label(section: StatementSection) -> str:
    """Who received the buyers' money for the section's sales, in words."""
    collector = Collector(section.collected_by)
    if collector == Collector.SHOWROOM:
        return _("Paid at the showroom's counter: the showroom collected the money.")
    if collector == Collector.PRODUCER:
        return _("Cash on delivery: the producer collected the money itself.")
    if section.channel == SHOWROOM_CHANNEL:
        return _("Ordered and paid online, picked up at the showroom: OCOP Market collected the money.")
    return _("Paid online (card, VietQR): OCOP Market collected the money.")


def owed_label(amount_vnd: int, *, view: str, showroom: str | None = None, producer: str = "") -> str:
    """Who owes whom, in words, between the producer and OCOP Market (showroom None) or a showroom.

    amount_vnd > 0: the other party pays the producer; < 0: the producer owes it. `view` says who reads it
    (PRODUCER_VIEW: "you"; OFFICE_VIEW: "the producer"; SHOWROOM_VIEW: "your showroom", and `producer` by name).
    """
    amount = format_vnd(abs(amount_vnd))
    if view == PRODUCER_VIEW:
        if showroom is None:
            return balance_label(amount_vnd, producer_view=True) if amount_vnd else _(
                "Nothing is owed between you and OCOP Market")
        if amount_vnd > 0:
            return _("%(showroom)s pays you %(amount)s", showroom=showroom, amount=amount)
        if amount_vnd < 0:
            return _("You owe %(showroom)s %(amount)s", showroom=showroom, amount=amount)
        return _("Nothing is owed between you and %(showroom)s", showroom=showroom)
    if view == SHOWROOM_VIEW:
        if showroom is None:
            if amount_vnd > 0:
                return _("OCOP Market pays %(producer)s %(amount)s", producer=producer, amount=amount)
            if amount_vnd < 0:
                return _("%(producer)s owes OCOP Market %(amount)s", producer=producer, amount=amount)
            return _("Nothing is owed between %(producer)s and OCOP Market", producer=producer)
        if amount_vnd > 0:
            return _("Your showroom pays %(producer)s %(amount)s", producer=producer, amount=amount)
        if amount_vnd < 0:
            return _("%(producer)s owes your showroom %(amount)s", producer=producer, amount=amount)
        return _("Nothing is owed between your showroom and %(producer)s", producer=producer)
    if showroom is None:
        if amount_vnd > 0:
            return _("OCOP Market pays the producer %(amount)s", amount=amount)
        if amount_vnd < 0:
            return _("The producer owes OCOP Market %(amount)s", amount=amount)
        return _("Nothing is owed between the producer and OCOP Market")
    if amount_vnd > 0:
        return _("%(showroom)s pays the producer %(amount)s", showroom=showroom, amount=amount)
    if amount_vnd < 0:
        return _("The producer owes %(showroom)s %(amount)s", showroom=showroom, amount=amount)
    return _("Nothing is owed between the producer and %(showroom)s", showroom=showroom)


def section_owed_label(section: StatementSection, *, view: str, producer: str = "") -> str:
    """The section's amount due as who owes whom: the showroom for till money, OCOP Market otherwise."""
    showroom = (section.showroom_name or _("unknown showroom")) if section.collected_by == Collector.SHOWROOM else None
    return owed_label(section.due_vnd, view=view, showroom=showroom, producer=producer)


def showrooms_owed_label(amount_vnd: int, *, producer_view: bool) -> str:
    """The showrooms' total, for a list row: "The showrooms pay you 170.000 ₫" / "You owe the showrooms ..."."""
    amount = format_vnd(abs(amount_vnd))
    if producer_view:
        return (_("The showrooms pay you %(amount)s", amount=amount) if amount_vnd >= 0
                else _("You owe the showrooms %(amount)s", amount=amount))
    return (_("The showrooms pay the producer %(amount)s", amount=amount) if amount_vnd >= 0
            else _("The producer owes the showrooms %(amount)s", amount=amount))


def entry_collector_label(collector: Collector | str) -> str:
    """Who received the money of a ledger entry (services.entry_collectors): "Collected by the showroom" etc."""
    collector = Collector(collector)
    if collector == Collector.SHOWROOM:
        return _("Collected by the showroom")
    if collector == Collector.PRODUCER:
        return _("Collected by the producer")
    return _("Collected by the marketplace")


@dataclass(frozen=True)
class DiscountLine:
    """One voucher line of a section: what it says, the amount, and how it counts in the section's amount due
    ("minus", "plus", or "none" when it is shown but changes nothing)."""

    text: str
    amount_vnd: int
    effect: str

    @property
    def amount_text(self) -> str:
        amount = format_vnd(abs(self.amount_vnd))
        if self.effect == "none":
            return f"− {amount}" if self.amount_vnd < 0 else amount
        minus = (self.effect == "minus") == (self.amount_vnd > 0)
        return f"− {amount}" if minus else f"+ {amount}"


def section_discount_lines(section: StatementSection, *, view: str, producer: str = "") -> list[DiscountLine]:
    """The section's voucher discounts, by who bears them and what that means for the money (the rule in
    settlements.services): "Vouchers you bear, off what OCOP Market collected − 10.000 ₫" etc."""
    you = view == PRODUCER_VIEW
    collector = Collector(section.collected_by)
    lines = []
    if section.producer_discounts_vnd:
        if collector == Collector.MARKETPLACE:
            text = (_("Vouchers you bear, off what OCOP Market collected") if you else
                    _("Vouchers %(producer)s bears, off what OCOP Market collected", producer=producer))
            effect = "minus"
        elif collector == Collector.PRODUCER:
            text = (_("Vouchers you bear: the buyers paid you that much less in cash, nothing more is deducted")
                    if you else _("Vouchers %(producer)s bears: the buyers paid it that much less in cash, nothing"
                                  " more is deducted", producer=producer))
            effect = "none"
        else:
            text = (_("Vouchers you bear: the showroom collected that much less") if you else
                    _("Vouchers %(producer)s bears: the showroom collected that much less", producer=producer))
            effect = "minus"
        lines.append(DiscountLine(text, section.producer_discounts_vnd, effect))
    if section.platform_discounts_vnd:
        if collector == Collector.MARKETPLACE:
            text = (_("Vouchers OCOP Market bears: not taken from you") if you else
                    _("Vouchers OCOP Market bears: not taken from %(producer)s", producer=producer))
            effect = "none"
        elif collector == Collector.PRODUCER:
            text = (_("Vouchers OCOP Market bears: the buyers paid you that much less in cash, so OCOP Market pays"
                      " it to you") if you else
                    _("Vouchers OCOP Market bears: the buyers paid %(producer)s that much less in cash, so OCOP"
                      " Market pays it back", producer=producer))
            effect = "plus"
        else:
            text = (_("Vouchers OCOP Market bears: the showroom collected that much less, OCOP Market pays it to"
                      " you instead") if you else
                    _("Vouchers OCOP Market bears: the showroom collected that much less, OCOP Market pays it to"
                      " %(producer)s instead", producer=producer))
            effect = "minus"
        lines.append(DiscountLine(text, section.platform_discounts_vnd, effect))
    return lines
