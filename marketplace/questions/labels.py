"""What a person reads for each question status (one label function for the enum)."""

from flask_babel import lazy_pgettext

from marketplace.questions.status import QuestionStatus

STATUS_LABELS = {
    QuestionStatus.PENDING: lazy_pgettext("question", "Waiting for an answer"),
    QuestionStatus.ANSWERED: lazy_pgettext("question", "Answered, not public"),
    QuestionStatus.PUBLISHED: lazy_pgettext("question", "Answered and public"),
    QuestionStatus.HIDDEN: lazy_pgettext("question", "Hidden by moderation"),
}


def question_status_label(status) -> str:
    return str(STATUS_LABELS.get(QuestionStatus(status), status))
