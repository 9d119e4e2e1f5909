"""The program office's demand signals at /admin/signals: missed searches, products often out of stock,
carts not bought, for every producer; each table as CSV or XLSX for the same period."""

from flask import Blueprint, abort, flash, render_template, request

from marketplace import exports
from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.signals import queries, tables

bp = Blueprint("signals_admin", __name__)


def _table(name: str, period: queries.Period):
    if name == "searches":
        return tables.searches_table(queries.missed_searches(period))
    if name == "wanted":
        return tables.wanted_table(queries.most_wanted(period))
    if name == "out_of_stock":
        return tables.out_of_stock_table(queries.out_of_stock(period), with_producer=True)
    return tables.carts_table(queries.carts_not_bought(period), with_producer=True)


@bp.get("")
@roles_required(Role.ADMIN)
def signals_page():
    """What buyers look for and do not find, for the whole marketplace, over a period."""
    period = queries.parse_period(request.args)
    for message in period.errors:
        flash(message, "error")
    return render_template(
        "signals/admin/signals.html", period=period, searches=queries.missed_searches(period),
        wanted=queries.most_wanted(period), group_label=queries.group_label,
        out_of_stock=queries.out_of_stock(period), carts=queries.carts_not_bought(period),
        export_args=period.as_args(), export_endpoint="signals_admin.signals_export")


@bp.get("/export/<table>.<fmt>")
@roles_required(Role.ADMIN)
def signals_export(table: str, fmt: str):
    """One demand-signal table as CSV or XLSX, for the same period as the page."""
    if table not in tables.TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    period = queries.parse_period(request.args)
    title, headers, rows = _table(table, period)
    return exports.send_table(title, headers, rows, fmt=fmt,
                      filename=f"demand-{table}-{period.date_from.isoformat()}-{period.date_to.isoformat()}")
