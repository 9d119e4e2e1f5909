"""The question machine as data. A question waits for the producer's answer; answered, it stays private
(the asker gets it by e-mail and on their page) until the producer publishes the pair, and can be
unpublished again; the program office hides abuse for good. Pure, no database."""

from enum import StrEnum

from marketplace import statemachine


class QuestionStatus(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"
    PUBLISHED = "published"
    HIDDEN = "hidden"


Q = QuestionStatus

TRANSITIONS: dict[QuestionStatus, frozenset[QuestionStatus]] = {
    Q.PENDING: frozenset({Q.ANSWERED, Q.PUBLISHED, Q.HIDDEN}),
    Q.ANSWERED: frozenset({Q.PUBLISHED, Q.HIDDEN}),
    Q.PUBLISHED: frozenset({Q.ANSWERED, Q.HIDDEN}),
    Q.HIDDEN: frozenset(),
}


def can_change(current, new) -> bool:
    """True when a question may go from `current` to `new`."""
    return statemachine.can_change(TRANSITIONS, current, new)
