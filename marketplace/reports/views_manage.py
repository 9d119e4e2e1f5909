"""The producer's sales figures at /manage/figures: charts and tables from the ledger, CSV and XLSX exports."""

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_babel import gettext as _

from marketplace import exports
from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.reports import figures

bp = Blueprint("reports_manage", __name__)

#: The exportable tables, by the name used in their URL.
TABLES = ("timeline", "products", "channels", "provinces", "low_stock")


def _table(name: str, producer_id: int, filters: figures.FigureFilters) -> tuple[str, list[str], list[list]]:
    """(title, headers, rows) of one figures table, exactly as the page shows it."""
    money_headers = [_("Units"), _("Revenue (VND)")]
    if name == "low_stock":
        rows = figures.low_stock(producer_id)
        return (_("Low stock"), [_("Product"), _("SKU"), _("Location"), _("Quantity"), _("Alert threshold")],
                [[row.product_name, row.sku or "", row.location_name, row.quantity, row.threshold] for row in rows])
    if name == "timeline":
        rows = figures.timeline(producer_id, filters)
        title, first = _("Revenue over time"), figures.GRANULARITIES[filters.granularity]
    elif name == "products":
        rows = figures.by_product(producer_id, filters)
        title, first = _("By product"), _("Product")
    elif name == "channels":
        rows = figures.by_channel(producer_id, filters)
        title, first = _("By channel"), _("Channel")
    else:
        rows = figures.by_province(producer_id, filters)
        title, first = _("By buyer province"), _("Province")
    return str(title), [str(first), *map(str, money_headers)], [[row.label, row.units, row.revenue_vnd] for row in rows]


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def figures_page():
    """Revenue and units by period, product, channel and province; top products; low stock."""
    producer = producer_scope(required=True)
    filters = figures.parse_filters(request.args)
    for message in filters.errors:
        flash(message, "error")
    timeline = figures.timeline(producer.id, filters)
    products = figures.by_product(producer.id, filters)
    total = figures.totals(timeline)
    return render_template(
        "reports/figures.html", producer=producer, filters=filters, timeline=timeline, products=products,
        top=figures.best_sellers(products),
        channels=figures.by_channel(producer.id, filters), provinces=figures.by_province(producer.id, filters),
        low_stock=figures.low_stock(producer.id), total=total, growth=figures.growth(producer.id, filters, total),
        granularities=figures.GRANULARITIES,
        export_args=dict(filters.as_args(), **({"producer": str(producer.id)} if request.args.get("producer") else {})),
    )


@bp.get("/export/<table>.<fmt>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def figures_export(table: str, fmt: str):
    """One figures table as CSV or XLSX, for the same period as the page."""
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    producer = producer_scope(required=True)
    filters = figures.parse_filters(request.args)
    title, headers, rows = _table(table, producer.id, filters)
    filename = f"{producer.slug}-{table}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.{fmt}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(headers, rows), exports.CSV_MIMETYPE
    else:
        body, mimetype = exports.to_xlsx(title, headers, rows), exports.XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
