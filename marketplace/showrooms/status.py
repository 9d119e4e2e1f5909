"""The showroom state machines, pure, no database: a consignment is recorded, then received (or handed back)
or cancelled; a POS sale is completed, then possibly voided."""

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


class PosSaleStatus(StrEnum):
    #: Paid and recorded in the ledger.
    COMPLETED = "completed"
    #: Cancelled by a manager: reversing ledger records, stock back to its lots.
    VOIDED = "voided"


SALE_TRANSITIONS: dict[PosSaleStatus, frozenset[PosSaleStatus]] = {
    PosSaleStatus.COMPLETED: frozenset({PosSaleStatus.VOIDED}),
    PosSaleStatus.VOIDED: frozenset(),
}
