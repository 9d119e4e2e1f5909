"""Forms of questions: the shape of the input (the rules live in questions.services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField


class QuestionForm(FlaskForm):
    body = TextAreaField(_l("Ask the producer a question"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"))
    publish = BooleanField(_l("Show the question and this answer on the product page"), default=True)


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Reason (kept in the question's history)"))
