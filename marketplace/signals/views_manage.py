"""A producer's demand signals at /manage/signals: "what buyers look for that nobody offers" in its own
product groups (searches that found nothing), and its own products often out of stock or left in carts.

Only the producer's own figures: out-of-stock and cart rows are filtered by its id in the queries, so
another producer's are never read. Missed searches are the buyers' words, not any producer's figures.
"""

from flask import Blueprint, abort, flash, render_template, request

from marketplace import exports
from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.catalog import categories
from marketplace.signals import queries, tables

bp = Blueprint("signals_manage", __name__)


def _searches(producer, period: queries.Period, show_all: bool):
    if show_all:
        return queries.missed_searches(period)
    return queries.missed_searches(period, related=queries.group_words(queries.producer_groups(producer.id)))


def _table(name: str, producer, period: queries.Period, show_all: bool):
    if name == "searches":
        return tables.searches_table(_searches(producer, period, show_all))
    if name == "wanted":
        return tables.wanted_table(queries.most_wanted(period, group_codes=queries.producer_groups(producer.id)))
    if name == "out_of_stock":
        return tables.out_of_stock_table(queries.out_of_stock(period, producer_id=producer.id), with_producer=False)
    return tables.carts_table(queries.carts_not_bought(period, producer_id=producer.id), with_producer=False)


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def signals_page():
    """What buyers look for in the producer's groups and found nowhere; its own stock-outs and unbought carts."""
    producer = producer_scope(required=True)
    period = queries.parse_period(request.args)
    for message in period.errors:
        flash(message, "error")
    show_all = request.args.get("searches") == "all"
    named = {"producer": str(producer.id)} if request.args.get("producer") else {}
    hidden = dict(named, **({"searches": "all"} if show_all else {}))
    return render_template(
        "signals/manage/signals.html", producer=producer, period=period, show_all=show_all,
        groups=[group for code in queries.producer_groups(producer.id) if (group := categories.get(code))],
        searches=_searches(producer, period, show_all), group_label=queries.group_label,
        wanted=queries.most_wanted(period, group_codes=queries.producer_groups(producer.id)),
        out_of_stock=queries.out_of_stock(period, producer_id=producer.id),
        carts=queries.carts_not_bought(period, producer_id=producer.id),
        hidden=hidden, base_args=dict(period.as_args(), **named), export_args=dict(period.as_args(), **hidden),
        export_endpoint="signals_manage.signals_export")


@bp.get("/export/<table>.<fmt>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def signals_export(table: str, fmt: str):
    """One of the producer's demand-signal tables as CSV or XLSX, for the same period and choice as the page."""
    if table not in tables.TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    producer = producer_scope(required=True)
    period = queries.parse_period(request.args)
    title, headers, rows = _table(table, producer, period, request.args.get("searches") == "all")
    return exports.send_table(title, headers, rows, fmt=fmt, filename=(
        f"{producer.slug}-demand-{table}-{period.date_from.isoformat()}-{period.date_to.isoformat()}"))
