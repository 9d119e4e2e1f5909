"""The producer verification machine as data: which status may follow which. Pure, no database."""

from enum import StrEnum


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


V = VerificationStatus

#: Allowed changes of a producer's verification status (pending -> verified is the admin's approval;
#: rejected -> pending is the producer correcting its details).
TRANSITIONS: dict[VerificationStatus, frozenset[VerificationStatus]] = {
    V.PENDING: frozenset({V.VERIFIED, V.REJECTED}),
    V.REJECTED: frozenset({V.PENDING, V.VERIFIED}),
    V.VERIFIED: frozenset({V.SUSPENDED}),
    V.SUSPENDED: frozenset({V.VERIFIED}),
}
