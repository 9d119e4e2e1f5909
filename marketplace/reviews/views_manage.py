"""The producer's reviews: every review of its products (hidden ones marked), and its one reply to each."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, roles_required
from marketplace.backoffice import producer_scope
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.reviews import services
from marketplace.reviews.forms import ReplyForm
from marketplace.reviews.labels import review_status_label
from marketplace.reviews.models import Review

bp = Blueprint("reviews_manage", __name__)

PAGE_SIZE = 20


def _scope_args(producer) -> dict:
    return {"producer": producer.id} if producer is not None and current_user.role == Role.ADMIN else {}


def _render_list(*, errors: dict | None = None, typed: dict | None = None, status: int = 200):
    producer = producer_scope()
    query = services.reviews_for_producer(producer.id if producer else None)
    waiting = request.values.get("waiting") == "1"
    if waiting:
        query = query.where(Review.reply_body.is_(None))
    result = paginate(query, PAGE_SIZE)
    args = _scope_args(producer)
    return render_template("reviews/manage/review_list.html", producer=producer, reviews=result.items,
                           total=result.total, page=result.page, pages=page_count(result), waiting=waiting,
                           args=args, errors=errors or {}, typed=typed or {}, max_reply=services.MAX_REPLY,
                           can_reply=current_user.role == Role.PRODUCER,
                           review_status_label=review_status_label), status


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def review_list():
    """The reviews of the producer's products, newest first (?waiting=1: those without a reply yet)."""
    return _render_list()


@bp.post("/<int:review_id>/reply")
@roles_required(Role.PRODUCER, Role.ADMIN)
def review_reply(review_id: int):
    """The producer's one reply to a review of its product (members only: an admin does not speak for it)."""
    review = services.review_by_id(review_id)
    if review is None or not can_manage_producer(current_user, review.producer_id):
        abort(404)
    if current_user.role != Role.PRODUCER:
        abort(403)
    form = ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.reply_to_review(review, actor=current_user, body=form.body.data)
    except services.AlreadyReplied as error:
        flash(error.message, "error")
        return _render_list(status=400)
    except DomainError as error:
        return _render_list(errors={review.id: error.message}, typed={review.id: (form.body.data or "")[:5000]},
                            status=400)
    db.session.commit()
    flash(_("Your reply is published under the review."), "success")
    return redirect(url_for("reviews_manage.review_list", _anchor=f"review-{review.id}"))
