"""Health check and site-wide pages."""

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_from_directory

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
