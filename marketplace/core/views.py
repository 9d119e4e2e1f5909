"""Health check and site-wide pages."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, url_for

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
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("catalog.home")
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}lang={code if code in ('vi', 'en') else 'vi'}")


@bp.get("/about/demo-data")
def demo_data():
    """Explains that the catalogue shown is illustrative."""
    return render_template("core/demo_data.html")
