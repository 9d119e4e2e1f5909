"""The one writer of each linkage state machine: change_request_status (DemandRequest.status) and
change_offer_status (Offer.status). Each checks its transition table (linkage.status), writes the new
state with a compare-and-set UPDATE (of two racing writers only one wins: the other gets StatusConflict)
and adds an event row (who, when, from, to, why). Services flush, never commit; the caller commits once.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import User
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.linkage.labels import offer_status_label, request_status_label
from marketplace.linkage.models import DemandRequest, Offer, OfferEvent, RequestEvent
from marketplace.linkage.status import OFFER_TRANSITIONS, REQUEST_TRANSITIONS, OfferStatus, RequestStatus
from marketplace.statemachine import StatusConflict, check_transition

R = RequestStatus
O = OfferStatus  # noqa: E741  (as in linkage.status)


def _cas_status(request: DemandRequest, current: RequestStatus, new: RequestStatus) -> bool:
    # Compare-and-set: of two concurrent changers (two accepts, an accept and a close) only one wins.
    result = db.session.execute(
        sa.update(DemandRequest).where(DemandRequest.id == request.id, DemandRequest.status == current)
        .values(status=new, updated_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def change_request_status(request: DemandRequest, new: RequestStatus | str, *, actor: User | None = None,
                          reason: str | None = None) -> DemandRequest:
    """The only way a request changes status: checks REQUEST_TRANSITIONS, compare-and-sets, records a
    RequestEvent, and declines the offers still pending when the request ends without a linkage.
    Raises InvalidTransition or StatusConflict."""
    new = RequestStatus(new)
    current = RequestStatus(request.status)
    check_transition(REQUEST_TRANSITIONS, current, new, _("A request cannot go from “%(old)s” to “%(new)s”.",
                                                          old=request_status_label(current),
                                                          new=request_status_label(new)))
    if not _cas_status(request, current, new):
        db.session.refresh(request)
        raise StatusConflict(_("This request was changed by someone else in the meantime. Please reload."))
    set_committed_value(request, "status", new)
    reason_text = str(reason)[:500] if reason else None
    db.session.add(RequestEvent(request_id=request.id, from_status=current, to_status=new, at=utcnow(),
                                actor_id=actor.id if actor else None, reason=reason_text))
    if new == R.HIDDEN:
        request.hidden_reason = reason_text
    elif new == R.OPEN:
        request.hidden_reason = None
    if new in (R.CLOSED, R.EXPIRED):
        decline_pending_offers(request, actor=actor, reason=new.value)
    db.session.flush()
    return request


def _cas_offer(offer: Offer, current: OfferStatus, new: OfferStatus) -> bool:
    result = db.session.execute(
        sa.update(Offer).where(Offer.id == offer.id, Offer.status == current)
        .values(status=new, updated_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def change_offer_status(offer: Offer, new: OfferStatus | str, *, actor: User | None = None,
                        reason: str | None = None) -> Offer:
    """The only way an offer changes status: checks OFFER_TRANSITIONS, compare-and-sets, records an
    OfferEvent. Raises InvalidTransition or StatusConflict."""
    new = OfferStatus(new)
    current = OfferStatus(offer.status)
    check_transition(OFFER_TRANSITIONS, current, new, _("An offer cannot go from “%(old)s” to “%(new)s”.",
                                                        old=offer_status_label(current), new=offer_status_label(new)))
    if not _cas_offer(offer, current, new):
        db.session.refresh(offer)
        raise StatusConflict(_("This offer was changed by someone else in the meantime. Please reload."))
    set_committed_value(offer, "status", new)
    db.session.add(OfferEvent(offer_id=offer.id, from_status=current, to_status=new, at=utcnow(),
                              actor_id=actor.id if actor else None, reason=str(reason)[:500] if reason else None))
    db.session.flush()
    return offer


def decline_pending_offers(request: DemandRequest, *, actor: User | None, reason: str,
                           except_offer_id: int | None = None) -> list[Offer]:
    """Decline every offer of the request still pending (but one); returns them."""
    pending = list(db.session.scalars(sa.select(Offer).where(
        Offer.request_id == request.id, Offer.status == O.PENDING).order_by(Offer.id)))
    declined = []
    for offer in pending:
        if offer.id == except_offer_id:
            continue
        try:
            change_offer_status(offer, O.DECLINED, actor=actor, reason=reason)
        except StatusConflict:
            continue
        declined.append(offer)
    return declined
