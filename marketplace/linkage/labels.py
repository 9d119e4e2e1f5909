"""What people read for each linkage enum value, in both languages: one label function per enum."""

from flask_babel import gettext as _
from flask_babel import pgettext

from marketplace.linkage.models import BuyerKind
from marketplace.linkage.status import OfferStatus, RequestStatus


def request_status_label(status: RequestStatus | str) -> str:
    labels = {RequestStatus.OPEN: pgettext("demand request", "Open"),
              RequestStatus.LINKED: pgettext("demand request", "Linked"),
              RequestStatus.CLOSED: pgettext("demand request", "Closed"),
              RequestStatus.EXPIRED: pgettext("demand request", "Expired"),
              RequestStatus.HIDDEN: pgettext("demand request", "Hidden")}
    return labels[RequestStatus(status)]


def offer_status_label(status: OfferStatus | str) -> str:
    labels = {OfferStatus.PENDING: pgettext("offer", "Awaiting the buyer"),
              OfferStatus.ACCEPTED: pgettext("offer", "Accepted"),
              OfferStatus.DECLINED: pgettext("offer", "Declined"),
              OfferStatus.WITHDRAWN: pgettext("offer", "Withdrawn")}
    return labels[OfferStatus(status)]


def buyer_kind_label(kind: BuyerKind | str) -> str:
    labels = {BuyerKind.BUSINESS: _("Business"), BuyerKind.DISTRIBUTOR: _("Distributor"),
              BuyerKind.SUPERMARKET: _("Supermarket"), BuyerKind.RESTAURANT: _("Restaurant or hotel"),
              BuyerKind.SHOWROOM: _("OCOP showroom"), BuyerKind.CONSUMER: _("Consumer buying in bulk")}
    return labels[BuyerKind(kind)]


def distance_label(tier: int) -> str:
    """The distance tier of a match (linkage.neighbours) in words."""
    return {0: _("In the delivery province"), 1: _("In a neighbouring province")}.get(tier, _("Farther away"))


#: Reasons the system writes on events, in words.
def event_reason_label(reason: str | None) -> str:
    known = {"closed": _("The request was closed"), "expired": _("The request expired"),
             "linked": _("The buyer accepted another offer")}
    return known.get(reason or "", reason or "")
