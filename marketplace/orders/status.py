"""The sub-order status pipeline as data: which status may follow which. Pure, no database."""

from enum import StrEnum

from marketplace import statemachine


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    CONFIRMED = "confirmed"
    #: A click-and-collect sub-order the showroom has prepared: the buyer may come for it.
    READY_FOR_PICKUP = "ready_for_pickup"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = OrderStatus

#: Allowed next statuses. Cash-on-delivery sub-orders go pending_payment -> confirmed at placement and
#: record their sale when delivered with the cash collected; prepaid ones go through paid first.
#: A sub-order that was paid is never "cancelled": it is refunded. A click-and-collect sub-order (collected at a
#: showroom) is prepared by the showroom's staff (paid or confirmed -> ready_for_pickup) and handed over
#: (ready_for_pickup -> delivered) instead of shipped; orders.lifecycle refuses the wrong path for each kind.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CONFIRMED, S.CANCELLED}),
    S.PAID: frozenset({S.CONFIRMED, S.READY_FOR_PICKUP, S.REFUNDED}),
    S.CONFIRMED: frozenset({S.SHIPPED, S.READY_FOR_PICKUP, S.CANCELLED, S.REFUNDED}),
    S.READY_FOR_PICKUP: frozenset({S.DELIVERED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

#: Statuses in which the buyer may still cancel (nothing has left the producer or the showroom yet).
CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PAID, S.CONFIRMED, S.READY_FOR_PICKUP})
#: Final statuses.
TERMINAL = frozenset({S.CANCELLED, S.REFUNDED})
#: Progress order, for deriving one status for a whole order from its sub-orders.
PIPELINE = (S.PENDING_PAYMENT, S.PAID, S.CONFIRMED, S.READY_FOR_PICKUP, S.SHIPPED, S.DELIVERED, S.COMPLETED)


def can_change(current: OrderStatus | str, new: OrderStatus | str) -> bool:
    """True when the pipeline allows going from `current` to `new`."""
    return statemachine.can_change(TRANSITIONS, current, new)


def derived_status(statuses) -> OrderStatus:
    """One status for an order from its sub-orders: the least advanced of the live ones."""
    statuses = [OrderStatus(s) for s in statuses]
    live = [s for s in statuses if s not in TERMINAL]
    if live:
        return min(live, key=PIPELINE.index)
    if S.REFUNDED in statuses and S.CANCELLED not in statuses:
        return S.REFUNDED
    return S.CANCELLED
