"""Offers: a verified producer answers a request (price, quantity, lead time, message); the producer may
withdraw it; the buyer declines it or accepts exactly one, which records the linkage (linkage.linkages).
The states change only through linkage.lifecycle. Services flush, never commit; the caller commits once.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product
from marketplace.dates import today_vn, utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.inputs import MAX_INT, parse_int
from marketplace.linkage import notifications
from marketplace.linkage.lifecycle import change_offer_status, change_request_status, decline_pending_offers
from marketplace.linkage.linkages import record_linkage
from marketplace.linkage.models import DemandRequest, Linkage, Offer, OfferEvent
from marketplace.linkage.requests import MAX_PRICE_VND, MAX_QUANTITY, MAX_QUANTITY_TEXT, is_taking_offers
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.text import nfc

O = OfferStatus  # noqa: E741  (as in linkage.status)
#: A lead time longer than this is not an offer for a dated request.
MAX_LEAD_TIME_DAYS = 365


class OfferRefused(DomainError):
    """This producer may not make an offer on this request (not verified, request closed, own request...)."""


class InvalidOffer(DomainError):
    """What was typed cannot make an offer; `fields` maps each field name to its message."""


@dataclass(frozen=True)
class OfferDetails:
    unit_price_vnd: int
    quantity: int
    lead_time_days: int
    message: str
    product_id: int | None


def may_make_offers(user: User | None, producer: Producer | None) -> bool:
    """True for an active member of a verified producer (only they may answer requests)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and user.role == Role.PRODUCER and producer is not None and user.producer_id == producer.id
                and producer.verification_status == VerificationStatus.VERIFIED)


def offerable_products(producer: Producer) -> list[Product]:
    """The producer's public products, the ones an offer may name."""
    return list(db.session.scalars(
        sa.select(Product).join(Producer, Producer.id == Product.producer_id)
        .where(Product.producer_id == producer.id, public_clause()).order_by(Product.name)))


def validate_offer(data, producer: Producer) -> OfferDetails:
    """Check the raw fields of an offer; InvalidOffer says what is wrong with each, in the user's language."""
    errors: dict[str, str] = {}
    price = parse_int(data.get("unit_price_vnd"), minimum=1, maximum=MAX_INT, grouped=True)
    if price is None or price > MAX_PRICE_VND:
        errors["unit_price_vnd"] = _("Please write the price per unit in đồng as a whole number, e.g. 125000.")
    quantity = parse_int(data.get("quantity"), minimum=1, maximum=MAX_INT, grouped=True)
    if quantity is None or quantity > MAX_QUANTITY:
        errors["quantity"] = _("Please enter a whole number of units from 1 to %(max)s.",
                               max=MAX_QUANTITY_TEXT)
    lead_time = parse_int(data.get("lead_time_days"), minimum=0, maximum=MAX_LEAD_TIME_DAYS)
    if lead_time is None:
        errors["lead_time_days"] = _("Please give the days needed to deliver, from 0 to %(max)s.", max=MAX_LEAD_TIME_DAYS)
    message = nfc(str(data.get("message") or ""))
    if len(message) > 2000:
        errors["message"] = _("At most %(n)s characters.", n=2000)
    product_id = None
    raw_product = str(data.get("product_id") or "").strip()
    if raw_product and raw_product != "0":
        product_id = parse_int(raw_product, minimum=1)
        if product_id is None or product_id not in {p.id for p in offerable_products(producer)}:
            errors["product_id"] = _("Please choose one of your listed products, or none.")
            product_id = None
    if errors:
        raise InvalidOffer(_("Please correct the highlighted fields."), fields=errors)
    return OfferDetails(price, quantity, lead_time, message, product_id)


def pending_offer_of(request: DemandRequest, producer_id: int) -> Offer | None:
    return db.session.scalar(sa.select(Offer).where(Offer.request_id == request.id, Offer.producer_id == producer_id,
                                                    Offer.status == O.PENDING))


def make_offer(request: DemandRequest, *, producer: Producer, actor: User, details: OfferDetails,
               today: date | None = None) -> Offer:
    """Send a producer's offer to the buyer. OfferRefused unless the actor is a member of this verified
    producer, the request takes offers, it is not the actor's own request, and the producer has no other
    offer awaiting the buyer on it."""
    if not may_make_offers(actor, producer):
        raise OfferRefused(_("Only verified OCOP producers can make offers."))
    if request.author_id == actor.id:
        raise OfferRefused(_("You cannot answer your own request."))
    if not is_taking_offers(request, today):
        raise OfferRefused(_("This request no longer takes offers."))
    if pending_offer_of(request, producer.id) is not None:
        raise OfferRefused(_("Your shop already has an offer awaiting the buyer on this request. Withdraw it first "
                             "to send a new one."))
    now = utcnow()
    offer = Offer(request_id=request.id, producer_id=producer.id, author_id=actor.id, product_id=details.product_id,
                  unit_price_vnd=details.unit_price_vnd, quantity=details.quantity,
                  lead_time_days=details.lead_time_days, message=details.message, status=O.PENDING,
                  created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(offer)
            db.session.flush()
    except IntegrityError:
        # The same producer's second offer, sent at the same moment as the first.
        raise OfferRefused(_("Your shop already has an offer awaiting the buyer on this request.")) from None
    db.session.add(OfferEvent(offer_id=offer.id, from_status=None, to_status=O.PENDING, at=now, actor_id=actor.id))
    db.session.flush()
    notifications.notify_offer_received(request, offer, producer.name)
    return offer


def withdraw_offer(offer: Offer, *, actor: User) -> Offer:
    """A member of the offering producer takes its offer back before the buyer answers."""
    if not (actor.role == Role.PRODUCER and actor.producer_id == offer.producer_id):
        raise PermissionDenied(_("Only the producer that made an offer can withdraw it."))
    return change_offer_status(offer, O.WITHDRAWN, actor=actor)


def decline_offer(request: DemandRequest, offer: Offer, *, actor: User) -> Offer:
    """The buyer turns one offer down (the request stays open for others)."""
    if request.author_id != actor.id or offer.request_id != request.id:
        raise PermissionDenied(_("Only the author of the request can answer its offers."))
    change_offer_status(offer, O.DECLINED, actor=actor)
    notifications.notify_offer_answered(request, offer, accepted=False)
    return offer


def accept_offer(request: DemandRequest, offer: Offer, *, actor: User, today: date | None = None) -> Linkage:
    """The buyer accepts one offer: the request becomes linked (compare-and-set: of two accepts racing, the
    second gets StatusConflict and changes nothing), the offer accepted, the other pending offers declined,
    and the linkage recorded. Everyone who offered is told."""
    if request.author_id != actor.id or offer.request_id != request.id:
        raise PermissionDenied(_("Only the author of the request can accept one of its offers."))
    if offer.status != O.PENDING:
        raise OfferRefused(_("This offer is no longer awaiting an answer."))
    if request.status == RequestStatus.OPEN and request.needed_by < (today or today_vn()):
        raise OfferRefused(_("This request has passed its date. Post a new request if you still need the goods."))
    change_request_status(request, RequestStatus.LINKED, actor=actor, reason=f"offer {offer.id}")
    change_offer_status(offer, O.ACCEPTED, actor=actor)
    declined = decline_pending_offers(request, actor=actor, reason="linked", except_offer_id=offer.id)
    linkage = record_linkage(request, offer, today=today)
    notifications.notify_offer_answered(request, offer, accepted=True, linkage=linkage)
    for other in declined:
        notifications.notify_offer_answered(request, other, accepted=False)
    return linkage
