"""The sub-order status pipeline as data: which status may follow which. Pure, no database."""

from enum import StrEnum

from marketplace import statemachine


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    #: Placed to pay on delivery (or at the showroom's counter): waiting for the producer to confirm it.
    PLACED = "placed"
    #: Paid online: waiting for the producer to confirm it too.
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


class CancelReason(StrEnum):
    """Why a buyer cancels (chosen on the cancel page and kept on the event, with their own words if any)."""

    CHANGED_MIND = "changed_mind"
    CHANGE_ADDRESS = "change_address"
    CHANGE_ITEMS = "change_items"
    CHANGE_PAYMENT = "change_payment"
    BETTER_PRICE = "better_price"
    TOO_SLOW = "too_slow"
    OTHER = "other"

#: Allowed next statuses, as Vietnamese marketplaces show them to the buyer: Chờ xác nhận (placed, or paid)
#: -> Chờ lấy hàng (confirmed by the producer) -> Đang giao (shipped) -> Đã giao (delivered).
#: Cash-on-delivery sub-orders go pending_payment -> placed at checkout, wait for the producer to confirm them,
#: and record their sale when delivered with the cash collected; prepaid ones go pending_payment -> paid (the
#: sale is recorded then) and wait for the producer's confirmation too.
#: A sub-order that was paid is never "cancelled": it is refunded. A click-and-collect sub-order (collected at a
#: showroom) is prepared by the showroom's staff (placed, paid or confirmed -> ready_for_pickup) and handed over
#: (ready_for_pickup -> delivered) instead of shipped; orders.lifecycle refuses the wrong path for each kind.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.PLACED, S.CANCELLED}),
    S.PLACED: frozenset({S.CONFIRMED, S.READY_FOR_PICKUP, S.CANCELLED}),
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
CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PLACED, S.PAID, S.CONFIRMED, S.READY_FOR_PICKUP})
#: Statuses waiting for the producer's confirmation (a placed cash-on-delivery order, a paid one).
AWAITING_CONFIRMATION = frozenset({S.PLACED, S.PAID})
#: Final statuses.
TERMINAL = frozenset({S.CANCELLED, S.REFUNDED})
#: Progress order, for deriving one status for a whole order from its sub-orders.
PIPELINE = (S.PENDING_PAYMENT, S.PLACED, S.PAID, S.CONFIRMED, S.READY_FOR_PICKUP, S.SHIPPED, S.DELIVERED, S.COMPLETED)


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
