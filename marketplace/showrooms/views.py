"""Public showroom pages: the list of active showrooms (filter by commune) and the traceability page of a lot
(/lot/<public code>, the page its QR label points at). Also gives every template the showroom label functions
and the map link."""

import io

import segno
from flask import Blueprint, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace import geo
from marketplace.dates import today_vn
from marketplace.inputs import MAX_ID, arg_int
from marketplace.showrooms import labels, services, traceability
from marketplace.showrooms.models import Lot
from marketplace.urls import external_url

bp = Blueprint("showrooms", __name__)


map_url = services.map_url


@bp.app_context_processor
def _showroom_helpers() -> dict:
    return {"showroom_address": services.full_address, "showroom_map_url": map_url,
            "staff_role_label": labels.staff_role_label, "consignment_kind_label": labels.consignment_kind_label,
            "consignment_status_label": labels.consignment_status_label,
            "payment_method_label": labels.payment_method_label, "sale_status_label": labels.sale_status_label}


@bp.route("/showrooms")
def showroom_list():
    """Active showrooms with address, hours, phone and a map link; ?commune=<code> keeps one commune's."""
    commune = arg_int("commune", minimum=1, maximum=MAX_ID)
    if commune is not None and not geo.is_ward_in_province(commune, services.HANOI):
        commune = None
    return render_template("showrooms/list.html", showrooms=services.public_showrooms(commune),
                           communes=services.showroom_communes(), commune=commune)


def lot_url(lot: Lot) -> str:
    """The absolute URL of the lot's public page (from SITE_URL, never the Host header): what the QR holds."""
    return external_url("showrooms.lot_page", code=lot.public_code)


def lot_qr_svg(lot: Lot, scale: int = 3) -> Markup:
    """The QR of the lot's page as inline SVG (made here by segno; classes only, no style attribute)."""
    out = io.BytesIO()
    segno.make(lot_url(lot), error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2,
                                             title="QR", svgclass="qr-code")
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704 segno's own SVG: paths and a fixed title, no input text


#: What the lot page says for each effective certificate status.
VERDICTS = {"valid": "valid", "expired": "expired", "revoked": "revoked"}


@bp.get("/lot/<code>")
def lot_page(code: str):
    """Traceability of one lot: producer and commune, product and its OCOP certificate, dates, showrooms."""
    lot = traceability.lot_by_public_code(code)
    if lot is None:
        return render_template("errors/error.html", status=404, title=_("Lot not found"),
                               message=_("No lot has this code. Check the code on the pack, or scan its QR again.")), 404
    product, producer = lot.product, lot.product.producer
    certificate = traceability.lot_certificate(product.id)
    today = today_vn()
    verdict = VERDICTS.get(certificate.effective_status(today), "unverified") if certificate else "none"
    return render_template("showrooms/lot_page.html", lot=lot, product=product, producer=producer,
                           province=geo.province(producer.province_code), ward=geo.ward(producer.ward_code),
                           certificate=certificate, verdict=verdict, today=today,
                           receptions=traceability.receptions(lot.id), shop_public=producer.is_verified,
                           product_public=product.is_public(today))
