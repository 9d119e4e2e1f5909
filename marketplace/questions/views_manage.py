"""The producer's questions: what shoppers asked about its products, the answer (once) and whether the pair
is shown on the product page (publish / unpublish later)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, roles_required
from marketplace.backoffice import producer_scope
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.questions import services
from marketplace.questions.labels import STATUS_LABELS, question_status_label
from marketplace.questions.status import QuestionStatus

bp = Blueprint("questions_manage", __name__)

PAGE_SIZE = 20


def _args(producer, status: str) -> dict:
    args = {"producer": producer.id} if producer is not None and current_user.role == Role.ADMIN else {}
    if status:
        args["status"] = status
    return args


def _render_list(*, errors: dict | None = None, typed: dict | None = None, status_code: int = 200):
    producer = producer_scope()
    raw = request.values.get("status", "")
    status = raw if raw in {s.value for s in QuestionStatus} else ""
    query = services.questions_for_producer(producer.id if producer else None,
                                            QuestionStatus(status) if status else None)
    result = paginate(query, PAGE_SIZE)
    return render_template("questions/manage/question_list.html", producer=producer, questions=result.items,
                           total=result.total, page=result.page, pages=page_count(result), status=status,
                           statuses=STATUS_LABELS, args=_args(producer, status), errors=errors or {},
                           typed=typed or {}, can_answer=current_user.role == Role.PRODUCER,
                           max_answer=services.MAX_ANSWER, question_status_label=question_status_label), status_code


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def question_list():
    """Questions about the producer's products, newest first (?status=pending for those to answer)."""
    return _render_list()


def _own_question(question_id: int):
    question = services.question_by_id(question_id)
    if question is None or not can_manage_producer(current_user, question.producer_id):
        abort(404)
    if current_user.role != Role.PRODUCER:
        abort(403)  # the program office moderates; it does not answer for a producer
    return question


@bp.post("/<int:question_id>/answer")
@roles_required(Role.PRODUCER, Role.ADMIN)
def question_answer(question_id: int):
    """Answer a question once, choosing whether the pair is public; the asker is e-mailed."""
    question = _own_question(question_id)
    answer = request.form.get("answer", "")
    try:
        services.answer_question(question, actor=current_user, body=answer, publish=bool(request.form.get("publish")))
    except DomainError as error:
        return _render_list(errors={question.id: error.message}, typed={question.id: answer[:5000]}, status_code=400)
    db.session.commit()
    flash(_("Your answer was sent to the shopper.") + " " + (
        _("It is shown on the product page.") if question.status == QuestionStatus.PUBLISHED
        else _("It is not shown on the product page.")), "success")
    return redirect(url_for("questions_manage.question_list", _anchor=f"question-{question.id}"))


@bp.post("/<int:question_id>/publish", defaults={"action": "publish"})
@bp.post("/<int:question_id>/unpublish", defaults={"action": "unpublish"})
@roles_required(Role.PRODUCER, Role.ADMIN)
def question_visibility(question_id: int, action: str):
    """Show an answered pair on the product page, or take it off."""
    question = _own_question(question_id)
    try:
        if action == "publish":
            services.publish_question(question, actor=current_user)
        else:
            services.unpublish_question(question, actor=current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("questions_manage.question_list"))
    db.session.commit()
    flash(_("The question is shown on the product page.") if action == "publish"
          else _("The question is no longer shown on the product page."), "success")
    return redirect(url_for("questions_manage.question_list", _anchor=f"question-{question.id}"))
