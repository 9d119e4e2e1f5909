"""The program office's review moderation: every review, filtered by status; hide one with a reason, or
show it again. Each change goes through reviews.services.change_review_status and leaves an event."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.reviews import services
from marketplace.reviews.forms import ModerationForm
from marketplace.reviews.labels import STATUS_LABELS, review_status_label
from marketplace.reviews.models import Review
from marketplace.reviews.status import ReviewStatus

bp = Blueprint("reviews_admin", __name__)

PAGE_SIZE = 25


@bp.get("/reviews")
@roles_required(Role.ADMIN)
def review_list():
    """All reviews, newest first; ?status=published|hidden filters."""
    raw = request.args.get("status", "")
    status = raw if raw in {s.value for s in ReviewStatus} else ""
    if raw and not status:
        flash(_("Unknown status; showing every status."), "error")
    query = services.reviews_for_producer(None)
    if status:
        query = query.where(Review.status == ReviewStatus(status))
    result = paginate(query, PAGE_SIZE)
    return render_template("reviews/admin/review_list.html", reviews=result.items, total=result.total,
                           page=result.page, pages=page_count(result), status=status, statuses=STATUS_LABELS,
                           review_status_label=review_status_label)


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def review_detail(review_id: int):
    """One review with its photos and moderation history; the form hides it (reason required) or shows it again."""
    review = services.review_by_id(review_id)
    if review is None:
        abort(404)
    form = ModerationForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            if review.status == ReviewStatus.PUBLISHED:
                services.hide_review(review, actor=current_user, reason=form.reason.data)
                message = _("The review is hidden.")
            else:
                services.restore_review(review, actor=current_user, reason=form.reason.data)
                message = _("The review is shown again.")
        except DomainError as error:
            form.reason.errors = [error.message]
            return render_template("reviews/admin/review_detail.html", review=review, form=form,
                                   review_status_label=review_status_label), 400
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("reviews_admin.review_detail", review_id=review.id))
    return render_template("reviews/admin/review_detail.html", review=review, form=form,
                           review_status_label=review_status_label)
