"""The payment-attempt status machine as data: which status may follow which. Pure, no database.

A charge starts "started" and ends once: succeeded (money taken), failed, expired, or unmatched (money
came in for an order that no longer awaited it, kept for an admin to refund). Money that a provider says
it took always wins: a failed, expired or unmatched attempt that is paid after all becomes succeeded
(fulfil_order), or unmatched when the order no longer awaited it. Nothing leaves "succeeded".
A refund row is "started" until the money went back, then "succeeded".
"""

from enum import StrEnum

from marketplace import statemachine


class PaymentStatus(StrEnum):
    STARTED = "started"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    #: Money came in for an order that no longer awaited it (e.g. paid after it was cancelled).
    UNMATCHED = "unmatched"


P = PaymentStatus

TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    P.STARTED: frozenset({P.SUCCEEDED, P.FAILED, P.EXPIRED, P.UNMATCHED}),
    P.FAILED: frozenset({P.SUCCEEDED, P.UNMATCHED}),
    P.EXPIRED: frozenset({P.SUCCEEDED, P.UNMATCHED}),
    P.UNMATCHED: frozenset({P.SUCCEEDED}),
    P.SUCCEEDED: frozenset(),
}


def can_change(current: PaymentStatus | str, new: PaymentStatus | str) -> bool:
    """True when the table allows going from `current` to `new`."""
    return statemachine.can_change(TRANSITIONS, current, new)
