"""The review moderation machine as data: a review is published when written; the program office hides an
abusive one (with a reason) and may show it again. Pure, no database."""

from enum import StrEnum

from marketplace import statemachine


class ReviewStatus(StrEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"


TRANSITIONS: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.PUBLISHED: frozenset({ReviewStatus.HIDDEN}),
    ReviewStatus.HIDDEN: frozenset({ReviewStatus.PUBLISHED}),
}


def can_change(current, new) -> bool:
    """True when moderation may take a review from `current` to `new`."""
    return statemachine.can_change(TRANSITIONS, current, new)
