"""The trade-fair participation machine as data: which status may follow which. Pure, no database.

A producer signs up (pending); the program office approves or declines; the producer may withdraw while
pending or approved, and sign up again after withdrawing or being declined (back to pending).
"""

from enum import StrEnum

from marketplace import statemachine


class ParticipationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


P = ParticipationStatus

TRANSITIONS: dict[ParticipationStatus, frozenset[ParticipationStatus]] = {
    P.PENDING: frozenset({P.APPROVED, P.DECLINED, P.WITHDRAWN}),
    P.APPROVED: frozenset({P.DECLINED, P.WITHDRAWN}),
    P.DECLINED: frozenset({P.PENDING}),
    P.WITHDRAWN: frozenset({P.PENDING}),
}


def can_change(current, new) -> bool:
    """True when the table allows `current` -> `new`."""
    return statemachine.can_change(TRANSITIONS, current, new)
