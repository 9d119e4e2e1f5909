"""A shop's part of an order as the buyer follows it: a timeline of steps with their dates, read from the
recorded status events (orders.models.OrderEvent), followed by the steps still to come.

Shipped parts: placed -> (paid) -> confirmed by the shop -> handed to the carrier -> delivered. Parts collected at
a showroom: placed -> (paid) -> ready to collect -> collected. A cancelled or refunded part ends with that step
and its reason. Pure reading: nothing is written.
"""

from dataclasses import dataclass
from datetime import datetime

from marketplace.orders.labels import STEP_LABELS, event_text
from marketplace.orders.models import ProducerOrder
from marketplace.orders.status import TERMINAL, OrderStatus

S = OrderStatus

#: The step each status event stands for (the placement events, pending_payment and placed, are "placed").
STEP_OF = {
    S.PENDING_PAYMENT: "placed", S.PLACED: "placed", S.PAID: "paid", S.CONFIRMED: "confirmed",
    S.READY_FOR_PICKUP: "ready", S.SHIPPED: "shipped", S.DELIVERED: "delivered", S.COMPLETED: "completed",
    S.CANCELLED: "cancelled", S.REFUNDED: "refunded",
}


@dataclass(frozen=True)
class Step:
    """One line of the timeline: `state` is "done", "current" (the last step reached), "todo" or "stopped"
    (cancelled or refunded); `at` is None for a step still to come."""

    key: str
    label: str
    at: datetime | None
    state: str
    note: str = ""


def expected_path(producer_order: ProducerOrder, prepaid: bool) -> list[str]:
    """The steps a part goes through when all goes well."""
    path = ["placed"] + (["paid"] if prepaid else [])
    if producer_order.is_pickup:
        return [*path, "ready", "delivered"]
    return [*path, "confirmed", "shipped", "delivered"]


def _label(key: str, pickup: bool) -> str:
    if key == "delivered" and pickup:
        return str(STEP_LABELS["collected"])
    return str(STEP_LABELS[key])


def timeline(producer_order: ProducerOrder, *, prepaid: bool) -> list[Step]:
    """The steps of one sub-order (its `events` loaded), oldest first; `prepaid` when the order is paid online."""
    pickup = producer_order.is_pickup
    reached: list[tuple[str, datetime, str]] = []
    for event in producer_order.events:
        key = STEP_OF[OrderStatus(event.to_status)]
        note = event_text(event)
        if reached and key == "placed":
            # A cash-on-delivery order's "placed" follows its creation at the same moment: one step, with the
            # event's words ("cash on delivery", "pay at the showroom").
            first_key, first_at, first_note = reached[0]
            reached[0] = (first_key, first_at, first_note or note)
            continue
        reached.append((key, event.at, note))
    status = OrderStatus(producer_order.status)
    stopped = status in TERMINAL
    steps = []
    for position, (key, at, note) in enumerate(reached):
        last = position == len(reached) - 1
        state = "stopped" if key in ("cancelled", "refunded") else ("current" if last and not stopped else "done")
        steps.append(Step(key, _label(key, pickup), at, state, note))
    if not stopped and status not in (S.DELIVERED, S.COMPLETED):
        path = expected_path(producer_order, prepaid)
        done = {key for key, _at, _note in reached}
        last_index = max((path.index(key) for key in done if key in path), default=-1)
        steps.extend(Step(key, _label(key, pickup), None, "todo") for key in path[last_index + 1:])
    return steps
