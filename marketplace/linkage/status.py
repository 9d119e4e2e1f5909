"""The demand request and offer state machines as data: which state may follow which. Pure, no database."""

from enum import StrEnum

from marketplace import statemachine


class RequestStatus(StrEnum):
    #: Public and taking offers.
    OPEN = "open"
    #: The buyer accepted an offer: a linkage was recorded.
    LINKED = "linked"
    #: Closed by its author without accepting an offer.
    CLOSED = "closed"
    #: Its needed-by date passed without an accepted offer.
    EXPIRED = "expired"
    #: Hidden by the program office (spam, abuse), with a reason; it may be restored.
    HIDDEN = "hidden"


class OfferStatus(StrEnum):
    #: Sent, waiting for the buyer.
    PENDING = "pending"
    #: The buyer accepted it (exactly one per request).
    ACCEPTED = "accepted"
    #: The buyer declined it, accepted another, or the request ended.
    DECLINED = "declined"
    #: Taken back by the producer before the buyer answered.
    WITHDRAWN = "withdrawn"


R = RequestStatus
O = OfferStatus  # noqa: E741  (one letter, as R above)

#: Allowed next request states. A hidden request can be restored (open) or run out (expired).
REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    R.OPEN: frozenset({R.LINKED, R.CLOSED, R.EXPIRED, R.HIDDEN}),
    R.HIDDEN: frozenset({R.OPEN, R.EXPIRED}),
    R.LINKED: frozenset(),
    R.CLOSED: frozenset(),
    R.EXPIRED: frozenset(),
}

#: Allowed next offer states.
OFFER_TRANSITIONS: dict[OfferStatus, frozenset[OfferStatus]] = {
    O.PENDING: frozenset({O.ACCEPTED, O.DECLINED, O.WITHDRAWN}),
    O.ACCEPTED: frozenset(),
    O.DECLINED: frozenset(),
    O.WITHDRAWN: frozenset(),
}


def can_change_request(current: RequestStatus | str, new: RequestStatus | str) -> bool:
    """True when the request machine allows going from `current` to `new`."""
    return statemachine.can_change(REQUEST_TRANSITIONS, current, new)


def can_change_offer(current: OfferStatus | str, new: OfferStatus | str) -> bool:
    """True when the offer machine allows going from `current` to `new`."""
    return statemachine.can_change(OFFER_TRANSITIONS, current, new)
