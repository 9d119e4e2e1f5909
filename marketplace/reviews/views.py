"""Reviews for shoppers: writing one from the order page (buyers of delivered lines only), a product's
reviews page, and the rating summary and latest reviews that product pages show (template globals)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from marketplace.accounts.policies import login_required
from marketplace.catalog import filtering
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.orders.queries import order_for_buyer
from marketplace.pagination import page_count, paginate
from marketplace.reviews import services
from marketplace.reviews.forms import ReviewForm

bp = Blueprint("reviews", __name__)

#: Reviews shown on a product page; the rest are on its reviews page.
ON_PRODUCT_PAGE = 5
PAGE_SIZE = 20


@bp.app_template_global()
def product_review_panel(product_id: int, summary: services.RatingSummary | None = None) -> dict:
    """The rating summary and newest published reviews of a product (two queries; none for the summary when
    it was read with the product, none for the reviews when there are none)."""
    if summary is None:
        summary = services.rating_summary(product_id)
    latest = list(db.session.scalars(services.published_reviews(product_id).limit(ON_PRODUCT_PAGE))) if summary.count else []
    return {"summary": summary, "reviews": latest}


@bp.app_template_global()
def rating_average(summary: services.RatingSummary) -> str:
    """'4,8' (Vietnamese) or '4.8' (English)."""
    return services.format_average(summary.average, current_language())


@bp.app_template_global()
def order_review_actions(order) -> dict[int, str]:
    """For the buyer's order page: {line id: "write" or "done"} on delivered lines (one query)."""
    return services.review_actions(order)


def _forbidden(message: str):
    return render_template("errors/error.html", status=403, title=_("You cannot review this"), message=message), 403


@bp.route("/orders/<number>/review/<int:line_id>", methods=["GET", "POST"])
@login_required
def review_new(number: str, line_id: int):
    """Write the review of one delivered line of the buyer's own order."""
    order = order_for_buyer(current_user, number)
    line = next((line for po in order.producer_orders for line in po.lines if line.id == line_id), None)
    if line is None:
        abort(404)
    try:
        services.line_for_review(current_user, line_id)
    except services.NotReviewable as error:
        return _forbidden(error.message)
    form = ReviewForm()
    if request.method == "GET":
        return render_template("reviews/review_new.html", form=form, order=order, line=line)
    photos = [upload.read(services.MAX_PHOTO_BYTES + 1) for upload in request.files.getlist(form.photos.name)
              if upload and upload.filename]
    if not form.validate_on_submit():
        return render_template("reviews/review_new.html", form=form, order=order, line=line), 400
    try:
        _review, keys = services.write_review(current_user, line_id, rating=form.rating.data, body=form.body.data,
                                              photos=photos)
    except services.NotReviewable as error:
        return _forbidden(error.message)
    except DomainError as error:
        field = getattr(form, error.details.get("field", ""), None) or form.body
        field.errors = [error.message]
        return render_template("reviews/review_new.html", form=form, order=order, line=line), 400
    try:
        db.session.commit()
    except Exception:
        services.delete_stored(keys)
        raise
    flash(_("Thank you! Your review of %(name)s is published.", name=line.product_name), "success")
    return redirect(url_for("orders.order_detail", number=order.number))


@bp.get("/products/<slug>/reviews")
def product_reviews(slug: str):
    """Every published review of a public product, newest first, a page at a time."""
    if not filtering.is_plausible_slug(slug):
        abort(404)
    product = db.session.scalar(sa.select(Product).join(Product.producer).options(contains_eager(Product.producer))
                                .where(Product.slug == slug, public_clause()))
    if product is None:
        abort(404)
    result = paginate(services.published_reviews(product.id), PAGE_SIZE, past_last="404")
    return render_template("reviews/product_reviews.html", product=product, summary=services.rating_summary(product.id),
                           reviews=result.items, page=result.page, pages=page_count(result))
