"""A shopper's wishlist and followed shops: the heart on product cards and pages (a POST form with CSRF that
works without JavaScript; static/js/wishlist.js sends it without a reload), the wishlist page, "follow this
shop" on shop pages, and the page of followed shops with their new products. Only the signed-in user's own
rows are ever read or written."""

from dataclasses import dataclass

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import cache
from marketplace.accounts.policies import is_safe_next, login_required, safe_next
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.wishlists import services

bp = Blueprint("wishlists", __name__)


@dataclass(frozen=True)
class HeartState:
    """What every heart of one page needs, computed once per request: the saved ids (one query for the
    whole page, none for guests), where to come back to, and the CSRF token."""

    saved: frozenset[int]
    next: str
    csrf: str
    signed_in: bool


@bp.app_template_global()
def heart_state() -> HeartState:
    """The wishlist state of the page being drawn (cached for the request)."""
    # On the request, not on g: an app context may outlive one request (tests, CLI), the answer may not.
    state = getattr(request, "_heart_state", None)
    if state is None:
        path = request.full_path if request.query_string else request.path
        signed_in = current_user.is_authenticated
        saved = frozenset(services.saved_product_ids(current_user)) if signed_in else frozenset()
        state = HeartState(saved, path if is_safe_next(path) else "/", cache.csrf_token(), signed_in)
        request._heart_state = state
    return state


@bp.app_template_global()
def is_following_shop(producer_id: int) -> bool:
    """True when the signed-in user follows this shop."""
    return current_user.is_authenticated and services.is_following(current_user, producer_id)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _guest_redirect(message: str):
    back = request.form.get("next")
    if _wants_json():
        return jsonify(error=message, login=url_for("accounts.login", next=safe_next(back, "/"))), 401
    flash(message, "info")
    return redirect(url_for("accounts.login", next=safe_next(back, "/")))


def _refused(error: DomainError, status: int):
    if _wants_json():
        return jsonify(error=error.message), status
    flash(error.message, "error")
    return redirect(safe_next(request.form.get("next"), url_for("wishlists.wishlist")))


def _toggle(actions: tuple[str, str], run, *, json_key: str, back_endpoint: str):
    """Run `run(action)` for one of the two `actions` (on, off), which returns the message to show; answer as JSON
    for the page's script or with a flash and a redirect back. Unknown actions are 400, missing objects 404,
    refused changes 409; the change is committed only when it succeeded."""
    action = request.form.get("action", "")
    if action not in actions:
        return _refused(DomainError(_("Unknown action.")), 400)
    try:
        message = run(action)
    except NotFound as error:
        return _refused(error, 404)
    except DomainError as error:
        return _refused(error, 409)
    db.session.commit()
    if _wants_json():
        return jsonify({json_key: action == actions[0], "message": message})
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for(back_endpoint)))


@bp.post("/saved/<int:product_id>")
def saved_toggle(product_id: int):
    """Save (action=add) or unsave (action=remove) a product; back to the page it was clicked on."""
    if not current_user.is_authenticated:
        return _guest_redirect(_("Log in to save products to your wishlist."))

    def run(action: str) -> str:
        if action == "add":
            product = services.save_product(current_user, product_id)
            return _("%(name)s is saved in your wishlist.", name=product.name)
        services.unsave_product(current_user, product_id)
        return _("Removed from your wishlist.")

    return _toggle(("add", "remove"), run, json_key="saved", back_endpoint="wishlists.wishlist")


@bp.get("/saved")
@login_required
def wishlist():
    """The user's saved products, newest first; those no longer on sale are listed apart."""
    cards, gone = services.saved_products(current_user)
    return render_template("wishlists/wishlist.html", cards=cards, gone=gone)


@bp.post("/following/<int:producer_id>")
def follow_toggle(producer_id: int):
    """Follow (action=follow) or unfollow (action=unfollow) a shop; back to the page it was clicked on."""
    if not current_user.is_authenticated:
        return _guest_redirect(_("Log in to follow shops."))

    def run(action: str) -> str:
        if action == "follow":
            producer = services.follow_shop(current_user, producer_id)
            return _("You follow %(name)s: its new products appear on your page.", name=producer.name)
        services.unfollow_shop(current_user, producer_id)
        return _("You no longer follow this shop.")

    return _toggle(("follow", "unfollow"), run, json_key="following", back_endpoint="wishlists.following")


@bp.get("/following")
@login_required
def following():
    """The shops the user follows and their products listed in the last 30 days."""
    return render_template("wishlists/following.html", shops=services.followed_shops(current_user),
                           new_products=services.new_from_followed(current_user), days=services.NEW_PRODUCT_DAYS)
