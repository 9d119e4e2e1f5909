"""A voucher's status and its transition table (pure: no database)."""

from enum import StrEnum


class VoucherStatus(StrEnum):
    #: Buyers may use it (within its dates and limits).
    ACTIVE = "active"
    #: Stopped by its owner for now; it can be resumed.
    PAUSED = "paused"


TRANSITIONS: dict[VoucherStatus, frozenset[VoucherStatus]] = {
    VoucherStatus.ACTIVE: frozenset({VoucherStatus.PAUSED}),
    VoucherStatus.PAUSED: frozenset({VoucherStatus.ACTIVE}),
}
