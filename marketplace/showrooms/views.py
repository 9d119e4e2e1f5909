"""Public showroom pages: the list of active showrooms (filter by commune). Also gives every template the
showroom label functions and the map link."""

from flask import Blueprint, render_template

from marketplace import geo
from marketplace.inputs import MAX_ID, arg_int
from marketplace.showrooms import labels, services
from marketplace.showrooms.models import Showroom

bp = Blueprint("showrooms", __name__)


def map_url(showroom: Showroom) -> str:
    """A link out to OpenStreetMap at the showroom's point (no tiles are loaded by our pages); '' without one."""
    if showroom.latitude is None or showroom.longitude is None:
        return ""
    lat, lon = f"{showroom.latitude:.6f}", f"{showroom.longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


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
