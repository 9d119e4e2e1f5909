"""The demand-signal tables as (title, headers, rows), exactly as the pages show them: the exports write these."""

from flask_babel import gettext as _
from flask_babel import pgettext

from marketplace.i18n import current_language, format_datetime
from marketplace.signals import queries

#: The exportable tables, by the name used in their URL.
TABLES = ("searches", "wanted", "out_of_stock", "carts")


def searches_table(rows: list[queries.MissedSearch]) -> tuple[str, list[str], list[list]]:
    return (_("Searches that found nothing"),
            [_("Search"), _("Searches"), _("First seen"), _("Last seen"), _("Buyer provinces")],
            [[row.query, row.count, format_datetime(row.first_seen), format_datetime(row.last_seen),
              row.provinces_text] for row in rows])


def out_of_stock_table(rows: list[queries.OutOfStockRow], *, with_producer: bool) -> tuple[str, list[str], list[list]]:
    headers = [_("Product"), *([_("Producer")] if with_producer else []), _("Times out of stock"),
               _("Days out of stock"), _("Out of stock now")]
    return (_("Products often out of stock"), headers,
            [[row.product_name, *([row.producer_name] if with_producer else []), row.times_out, row.days_out,
              pgettext("out of stock now", "Yes") if row.out_now else pgettext("out of stock now", "No")] for row in rows])


def carts_table(rows: list[queries.CartRow], *, with_producer: bool) -> tuple[str, list[str], list[list]]:
    headers = [_("Product"), *([_("Producer")] if with_producer else []), _("Times added to a cart"),
               _("Units added"), _("Signed-in buyers"), _("Bought afterwards"), _("Not bought"),
               _("Guest additions")]
    return (_("Added to carts but not bought"), headers,
            [[row.product_name, *([row.producer_name] if with_producer else []), row.additions, row.units,
              row.buyers, row.bought, row.not_bought, row.guest_additions] for row in rows])


def wanted_table(rows) -> tuple[str, list[str], list[list]]:
    language = current_language()
    return (_("Most wanted on the demand board"), [_("Requested"), _("Product group"), _("Requests"), _("Last posted")],
            [[row.folded_text, queries.group_label(row.group_code, language), row.count,
              format_datetime(row.last_posted_at)] for row in rows])
