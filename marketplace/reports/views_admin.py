"""The program office's analytics under /admin/analytics (administrators only, read-only): sales by channel
and over time, by province (with a map and the province-to-province flows), by product group, star level
and producer type, and the program's targets; every table as CSV and XLSX with the page's filters."""

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, render_template, request
from flask_babel import gettext as _

from marketplace import exports, geo
from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.reports import analytics, province_map, summary, targets

bp = Blueprint("reports_admin", __name__)
log = logging.getLogger(__name__)


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every screen here is for administrators only."""
    return None


def _has_demo_data() -> bool:
    """True when the illustrative demo producers are loaded (their sales are invented)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Producer.is_demo))))


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list]


def _catch_up() -> None:
    """Fold new ledger entries into the summary before reading (the figures are exact either way: this only
    keeps the part read straight from the ledger small). Products whose attributes changed are moved by the
    same refresh (or cron's); until then the figures that need them read the product-level rows."""
    if summary.pending_entries() == 0:
        return
    if summary.refresh_summary() is None:
        db.session.rollback()
        return
    db.session.commit()


def _filters() -> analytics.Filters:
    filters = analytics.parse_filters(request.args)
    for message in filters.errors:
        flash(message, "error")
    return filters


def _common(filters: analytics.Filters) -> dict:
    showrooms = analytics.showroom_choices()
    return {
        "filters": filters, "export_args": filters.as_args(), "granularities": analytics.GRANULARITIES,
        "channel_options": analytics.channel_options(showrooms), "group_options": analytics.group_options(),
        "province_options": [(place.code, place.short_name) for place in geo.provinces()],
        "star_options": analytics.STARS, "demo_data": _has_demo_data(),
    }


def _figure_rows(rows: list[analytics.Row], *, orders: bool = True) -> list[list]:
    if orders:
        return [[row.label, row.units, row.revenue_vnd, row.orders or 0] for row in rows]
    return [[row.label, row.units, row.revenue_vnd] for row in rows]


def _figure_headers(first: str, *, orders: bool = True) -> list[str]:
    headers = [first, _("Units"), _("Revenue (VND)")]
    return headers + [_("Orders")] if orders else headers


def _overview_tables(filters: analytics.Filters) -> dict[str, Table]:
    channels = analytics.by_channel(filters)
    growth = analytics.growth(filters, analytics.sum_rows(channels))
    previous = _("Previous period %(start)s to %(end)s", start=growth.previous_from.strftime("%d/%m/%Y"),
                 end=growth.previous_to.strftime("%d/%m/%Y"))
    timeline = [row for row in analytics.timeline(filters) if not row.is_empty]
    return {
        "totals": Table(_("Totals and growth"), [_("Figure"), _("This period"), previous, _("Change")], [
            [_("Revenue"), growth.current.revenue_vnd, growth.previous.revenue_vnd,
             _percent(growth.revenue_percent)],
            [_("Units"), growth.current.units, growth.previous.units, _percent(growth.units_percent)],
            [_("Orders"), growth.current.orders or 0, growth.previous.orders or 0, _percent(growth.orders_percent)],
        ]),
        "channels": Table(_("By channel"), _figure_headers(_("Channel")), _figure_rows(channels)),
        "timeline": Table(_("Over time"), _figure_headers(str(analytics.GRANULARITIES[filters.granularity])),
                          _figure_rows(timeline)),
        "top_products": Table(_("Top products"), _figure_headers(_("Product"), orders=False),
                              _figure_rows(analytics.top_products(filters), orders=False)),
        "top_producers": Table(_("Top producers"), _figure_headers(_("Producer")),
                               _figure_rows(analytics.top_producers(filters))),
    }


def _province_tables(filters: analytics.Filters) -> dict[str, Table]:
    producers, buyers, flows = analytics.province_figures(filters)
    return {
        "producer_provinces": Table(_("By producer province"), _figure_headers(_("Producer province")),
                                    _figure_rows(producers)),
        "buyer_provinces": Table(_("By buyer province"), _figure_headers(_("Buyer province")), _figure_rows(buyers)),
        "flows": Table(_("From province to province"),
                       [_("Producer province"), _("Buyer province"), _("Units"), _("Revenue (VND)"), _("Orders")],
                       [[flow.from_label, flow.to_label, flow.units, flow.revenue_vnd, flow.orders] for flow in flows]),
    }


def _product_tables(filters: analytics.Filters) -> dict[str, Table]:
    groups, stars, types = analytics.product_figures(filters)
    return {
        "groups": Table(_("By product group"), _figure_headers(_("Product group"), orders=False),
                        _figure_rows(groups, orders=False)),
        "stars": Table(_("By star level"), _figure_headers(_("Star level"), orders=False),
                       _figure_rows(stars, orders=False)),
        "producer_types": Table(_("By producer type"), _figure_headers(_("Producer type")), _figure_rows(types)),
    }


def _target_tables() -> dict[str, Table]:
    return {
        "targets": Table(_("Program targets"), [_("Target"), _("Program target"), _("Platform"), _("Met"), _("Rule")],
                         [[t.label, t.target, t.actual or _("Not recorded"), _met(t.met), t.rule]
                          for t in targets.program_targets()]),
        "province_counts": Table(_("Producers per province"),
                                 [_("Province"), _("Verified producers"), _("Listed products (3 stars or more)"),
                                  _("Open showrooms")],
                                 [[p.name, p.producers, p.listed_products, p.showrooms]
                                  for p in targets.producers_per_province()]),
        "expiring": Table(_("Certificates expiring in the next %(days)s days", days=targets.EXPIRY_WINDOW_DAYS),
                          [_("Product"), _("Producer"), _("Province"), _("Stars"), _("Decision number"),
                           _("Valid until"), _("Days left")],
                          [[c.product_name, c.producer_name, c.province, c.star_level, c.decision_number,
                            c.valid_until.strftime("%d/%m/%Y"), c.days_left] for c in targets.expiring_certificates()]),
    }


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}".replace(".", ",") + "\xa0%"


def _met(met: bool | None) -> str:
    if met is None:
        return "—"
    return _("Yes") if met else _("Not yet")


#: Which page builds each exportable table.
PAGES = {
    "overview": (_overview_tables, ("totals", "channels", "timeline", "top_products", "top_producers")),
    "provinces": (_province_tables, ("producer_provinces", "buyer_provinces", "flows")),
    "products": (_product_tables, ("groups", "stars", "producer_types")),
    "targets": (lambda _filters: _target_tables(), ("targets", "province_counts", "expiring")),
}


@bp.get("")
def overview():
    """Totals and growth, sales by channel and over time, top products and producers."""
    _catch_up()
    filters = _filters()
    channels = analytics.by_channel(filters)
    growth = analytics.growth(filters, analytics.sum_rows(channels))
    timeline = analytics.timeline(filters)
    return render_template(
        "reports/admin/overview.html", growth=growth, timeline=timeline,
        timeline_rows=[row for row in timeline if not row.is_empty], channels=channels,
        top_products=analytics.top_products(filters), top_producers=analytics.top_producers(filters),
        **_common(filters))


@bp.get("/provinces")
def provinces():
    """Sales by producer and buyer province, a map of one of them, and the flows between provinces."""
    _catch_up()
    filters = _filters()
    producers, buyers, flows = analytics.province_figures(filters)
    side = request.args.get("map", "producer")
    if side not in ("producer", "buyer"):
        flash(_("Unknown map; the map shows producer provinces."), "error")
        side = "producer"
    rows = producers if side == "producer" else buyers
    values = {int(row.key): row.revenue_vnd for row in rows if row.key}
    return render_template(
        "reports/admin/provinces.html", producer_rows=producers, buyer_rows=buyers, flows=flows,
        map_side=side, map_rows=rows, tiles=province_map.tiles(values), legend=province_map.legend(values),
        map_columns=province_map.COLUMNS, map_rows_count=province_map.ROWS, **_common(filters))


@bp.get("/products")
def products():
    """Sales by product group, star level and producer type."""
    _catch_up()
    filters = _filters()
    groups, stars, types = analytics.product_figures(filters)
    return render_template("reports/admin/products.html", groups=groups, stars=stars, types=types,
                           **_common(filters))


@bp.get("/targets")
def targets_page():
    """The program's targets next to the platform's figures, producers per province, expiring certificates."""
    return render_template("reports/admin/targets.html", targets=targets.program_targets(), demo_data=_has_demo_data(),
                           provinces=targets.producers_per_province(),
                           expiring=targets.expiring_certificates(), window=targets.EXPIRY_WINDOW_DAYS)


@bp.get("/export/<table>.<fmt>")
def export(table: str, fmt: str):
    """One table of an analytics page as CSV or XLSX, with the same filters as the page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    builder = next((build for build, names in PAGES.values() if table in names), None)
    if builder is None:
        abort(404)
    _catch_up()
    filters = analytics.parse_filters(request.args)
    found = builder(filters)[table]
    filename = f"ocop-{table.replace('_', '-')}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.{fmt}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(found.headers, found.rows), exports.CSV_MIMETYPE
    else:
        body, mimetype = exports.to_xlsx(found.title, found.headers, found.rows), exports.XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
