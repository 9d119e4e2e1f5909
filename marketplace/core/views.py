"""Health check and site-wide pages."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from flask_babel import gettext as _

from marketplace import storage
from marketplace.accounts.policies import safe_next
from marketplace.extensions import db, limiter

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 with a JSON body when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True)


@bp.get("/language/<code>")
def set_language(code: str):
    """Switch language and go back to the page the visitor was on (same-site paths only)."""
    target = safe_next(request.args.get("next"))
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}lang={code if code in ('vi', 'en') else 'vi'}")


@bp.get("/about/demo-data")
def demo_data():
    """Explains that the catalogue shown is illustrative."""
    return render_template("core/demo_data.html")


@dataclass(frozen=True)
class Operator:
    """Who runs the shop: the legal notice of the footer and of the contact page."""

    name: str
    address: str
    registration: str
    hotline: str
    email: str
    #: True when no OPERATOR_NAME is configured and the details are the illustrative ones below.
    illustrative: bool


@bp.app_template_global()
def site_operator() -> Operator:
    """The configured operator, or illustrative details (labelled so on every page) when none is set. A template
    global, so even the error page drawn without the database (errors.py, offline) has the footer."""
    config = current_app.config
    if config.get("OPERATOR_NAME"):
        return Operator(config["OPERATOR_NAME"], config.get("OPERATOR_ADDRESS", ""),
                        config.get("OPERATOR_REGISTRATION", ""), config.get("OPERATOR_HOTLINE", ""),
                        config.get("OPERATOR_EMAIL", ""), illustrative=False)
    return Operator(_("OCOP Market Illustrative Company Limited"), _("No. 1 Tràng Tiền, Hoàn Kiếm ward, Hà Nội"),
                    _("Enterprise code 0100000000, issued by the Hà Nội Department of Finance on 01/01/2025"),
                    "1900 0000", "hotro@ocop.example", illustrative=True)


@bp.get("/about/ocop-stars")
def ocop_stars():
    """What the OCOP stars on a product mean (linked from every star badge)."""
    return render_template("core/ocop_stars.html")


@bp.get("/about/contact")
def contact():
    """How to reach the shop, and the operator's legal notice."""
    return render_template("core/contact.html", operator=site_operator())


@bp.get("/about/returns")
def returns_policy():
    """Returns and refunds."""
    return render_template("core/returns.html", operator=site_operator())


@bp.get("/about/privacy")
def privacy_policy():
    """What personal data the shop keeps and why."""
    return render_template("core/privacy.html", operator=site_operator())


@bp.get("/media/<path:key>")
@limiter.exempt
def media(key: str):
    """A stored upload (local storage), cached for a year: keys are never reused for new content."""
    backend = storage.get_storage()
    try:
        storage.check_key(key)
    except storage.InvalidKey:
        abort(404)
    if not isinstance(backend, storage.LocalStorage):
        return redirect(backend.url(key))
    response = send_from_directory(backend.root, key, max_age=storage.MEDIA_MAX_AGE)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
