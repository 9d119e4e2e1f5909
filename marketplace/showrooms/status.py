"""The consignment state machine: recorded, then received (or handed back) or cancelled. Pure, no database."""

from enum import StrEnum


class ConsignmentStatus(StrEnum):
    #: Written down by the producer (or a manager): nothing has moved yet.
    RECORDED = "recorded"
    #: Counted in by a manager (a delivery), or handed back to the producer (a return): stock moved.
    RECEIVED = "received"
    #: Withdrawn before anything moved.
    CANCELLED = "cancelled"


S = ConsignmentStatus

TRANSITIONS: dict[ConsignmentStatus, frozenset[ConsignmentStatus]] = {
    S.RECORDED: frozenset({S.RECEIVED, S.CANCELLED}),
    S.RECEIVED: frozenset(),
    S.CANCELLED: frozenset(),
}
