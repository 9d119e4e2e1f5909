"""Asking a producer about a product, answering, publishing and moderating.

A signed-in shopper asks about a public product; the question goes to the product's producer, whose members
answer it once in their portal and choose whether the question and answer are shown on the product page
(they may publish or unpublish it later). The asker is e-mailed the answer either way. The program office
hides abuse for good, with a reason. Only published pairs are ever public. Status changes go through the one
writer `change_question_status` (compare-and-set, event row). Services flush, never commit.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import Role, User
from marketplace.catalog.listing import public_products
from marketplace.catalog.models import Product
from marketplace.dates import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.mail import queue_mail
from marketplace.questions.labels import question_status_label
from marketplace.questions.models import Question, QuestionEvent
from marketplace.questions.status import TRANSITIONS, QuestionStatus
from marketplace.statemachine import InvalidTransition, StatusConflict, check_transition
from marketplace.text import nfc

Q = QuestionStatus
MIN_QUESTION = 5
MAX_QUESTION = 1000
MAX_ANSWER = 2000
MAX_REASON = 500
#: Questions on a product page.
ON_PRODUCT_PAGE = 10


def _text(value, *, minimum: int, maximum: int, empty: str, field: str) -> str:
    text = nfc(str(value or "")).replace("\r\n", "\n").strip()
    if len(text) < minimum:
        raise DomainError(empty, field=field)
    if len(text) > maximum:
        raise DomainError(_("Please write at most %(n)s characters.", n=maximum), field=field)
    return text


def ask_question(asker: User, product_id, body) -> Question:
    """Record a question about a public product for its producer; DomainError (with `field`) on bad input."""
    product_id = parse_int(product_id, minimum=1, maximum=MAX_ID)
    product = db.session.scalar(public_products().where(Product.id == product_id)) if product_id else None
    if product is None:
        raise NotFound(_("Product not found."))
    if asker.role == Role.PRODUCER and asker.producer_id == product.producer_id:
        raise DomainError(_("This is your own product: answer shoppers' questions in your portal instead."),
                          field="body")
    body = _text(body, minimum=MIN_QUESTION, maximum=MAX_QUESTION, field="body",
                 empty=_("Please write your question (at least %(n)s characters).", n=MIN_QUESTION))
    question = Question(product_id=product.id, producer_id=product.producer_id, asker_id=asker.id, body=body,
                        status=Q.PENDING, created_at=utcnow())
    db.session.add(question)
    db.session.flush()
    return question


def change_question_status(question: Question, new: QuestionStatus | str, *, actor: User | None,
                           reason: str | None = None) -> Question:
    """The only writer of Question.status: checks the table, compare-and-sets, records a QuestionEvent."""
    new = QuestionStatus(new)
    current = QuestionStatus(question.status)
    check_transition(TRANSITIONS, current, new, _("A question cannot go from “%(old)s” to “%(new)s”.",
                                                   old=question_status_label(current), new=question_status_label(new)))
    result = db.session.execute(
        sa.update(Question).where(Question.id == question.id, Question.status == current).values(status=new)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(question)
        raise StatusConflict(_("This question was changed by someone else in the meantime. Please reload."))
    set_committed_value(question, "status", new)
    db.session.add(QuestionEvent(question_id=question.id, from_status=current, to_status=new, at=utcnow(),
                                 actor_id=actor.id if actor else None, reason=reason))
    db.session.flush()
    return question


def answer_question(question: Question, *, actor: User | None, body, publish: bool) -> Question:
    """The producer's answer (once), published with the question or kept private; the asker is e-mailed."""
    if question.status != Q.PENDING:
        raise DomainError(_("This question was already answered."), field="answer")
    body = _text(body, minimum=1, maximum=MAX_ANSWER, field="answer", empty=_("Please write your answer."))
    change_question_status(question, Q.PUBLISHED if publish else Q.ANSWERED, actor=actor)
    question.answer_body = body
    question.answered_at = utcnow()
    question.answered_by_id = actor.id if actor else None
    db.session.flush()
    _notify_asker(question)
    return question


def _notify_asker(question: Question) -> None:
    asker = db.session.get(User, question.asker_id)
    product = db.session.get(Product, question.product_id)
    if asker is None or not asker.is_active:
        return
    queue_mail(asker.email, _l("Your question about %(name)s was answered", name=product.name), "question_answered",
               language=asker.preferred_language, asker=asker, product=product, question=question)


def publish_question(question: Question, *, actor: User) -> Question:
    """Show an answered question and its answer on the product page (InvalidTransition unless answered)."""
    if question.status != Q.ANSWERED:
        raise InvalidTransition(_("Only an answered question that is not public can be shown."))
    return change_question_status(question, Q.PUBLISHED, actor=actor)


def unpublish_question(question: Question, *, actor: User) -> Question:
    """Take a published pair off the product page (the asker keeps the answer)."""
    if question.status != Q.PUBLISHED:
        raise InvalidTransition(_("This question is not shown on the product page."))
    return change_question_status(question, Q.ANSWERED, actor=actor)


def hide_question(question: Question, *, actor: User, reason) -> Question:
    """The program office hides an abusive question for good; the reason is required."""
    reason = _text(reason, minimum=1, maximum=MAX_REASON, field="reason",
                   empty=_("Please give the reason for hiding this question."))
    return change_question_status(question, Q.HIDDEN, actor=actor, reason=reason)


# Reading.

def has_published_questions_column(product_id_column):
    """SQL expression: true when the product has a published question (read with the product on its page,
    so a product without any costs no query for them)."""
    return sa.exists().where(Question.product_id == product_id_column, Question.status == Q.PUBLISHED)


def published_questions(product_id: int, limit: int = ON_PRODUCT_PAGE) -> list[Question]:
    """A product's published question-and-answer pairs, newest first."""
    return list(db.session.scalars(
        sa.select(Question).where(Question.product_id == product_id, Question.status == Q.PUBLISHED)
        .options(joinedload(Question.asker)).order_by(Question.answered_at.desc(), Question.id.desc()).limit(limit)))


def questions_for_producer(producer_id: int | None, status: QuestionStatus | None = None) -> sa.Select:
    """SELECT of the questions about a producer's products (all producers for None), newest first."""
    query = sa.select(Question).options(joinedload(Question.asker), joinedload(Question.product))
    if producer_id is not None:
        query = query.where(Question.producer_id == producer_id)
    if status is not None:
        query = query.where(Question.status == status)
    return query.order_by(Question.created_at.desc(), Question.id.desc())


def questions_of(asker: User) -> sa.Select:
    """SELECT of the questions a user asked (their answers too, public or not), newest first."""
    return (sa.select(Question).where(Question.asker_id == asker.id).options(joinedload(Question.product))
            .order_by(Question.created_at.desc(), Question.id.desc()))


def question_by_id(question_id) -> Question | None:
    """The question with this id and what the back-office screens show (None when there is none)."""
    question_id = parse_int(question_id, minimum=1, maximum=MAX_ID)
    if question_id is None:
        return None
    return db.session.scalar(sa.select(Question).where(Question.id == question_id)
                             .options(joinedload(Question.asker), joinedload(Question.product),
                                      selectinload(Question.events).joinedload(QuestionEvent.actor)))
