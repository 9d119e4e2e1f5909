"""The program office's question moderation: every question, filtered by status; hiding one (for good) with a
reason, through questions.services.change_question_status."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.questions import services
from marketplace.questions.forms import HideForm
from marketplace.questions.labels import STATUS_LABELS, question_status_label
from marketplace.questions.status import QuestionStatus

bp = Blueprint("questions_admin", __name__)

PAGE_SIZE = 25


@bp.get("/questions")
@roles_required(Role.ADMIN)
def question_list():
    """All questions, newest first; ?status= filters."""
    raw = request.args.get("status", "")
    status = raw if raw in {s.value for s in QuestionStatus} else ""
    if raw and not status:
        flash(_("Unknown status; showing every status."), "error")
    result = paginate(services.questions_for_producer(None, QuestionStatus(status) if status else None), PAGE_SIZE)
    return render_template("questions/admin/question_list.html", questions=result.items, total=result.total,
                           page=result.page, pages=page_count(result), status=status, statuses=STATUS_LABELS,
                           question_status_label=question_status_label)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def question_detail(question_id: int):
    """One question with its answer and history; the form hides it for good (reason required)."""
    question = services.question_by_id(question_id)
    if question is None:
        abort(404)
    form = HideForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.hide_question(question, actor=current_user, reason=form.reason.data)
        except DomainError as error:
            form.reason.errors = [error.message]
            return render_template("questions/admin/question_detail.html", question=question, form=form,
                                   question_status_label=question_status_label), 400
        db.session.commit()
        flash(_("The question is hidden."), "success")
        return redirect(url_for("questions_admin.question_detail", question_id=question.id))
    return render_template("questions/admin/question_detail.html", question=question, form=form,
                           question_status_label=question_status_label)
