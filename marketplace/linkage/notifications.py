"""The e-mails of the demand board, queued (marketplace.mail) and sent after the commit: matched producers
are told of a new request, the buyer of each offer, and producers of the buyer's answer."""

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.linkage.models import DemandRequest, Linkage, Offer
from marketplace.mail import queue_mail
from marketplace.orders.notifications import producer_member_emails


def notify_matched(request: DemandRequest, producer_ids: list[int]) -> None:
    """Tell the members of each matched producer that a buyer wants what they make."""
    if not producer_ids:
        return
    for emails in producer_member_emails(producer_ids).values():
        queue_mail(emails, _l("A buyer is looking for: %(title)s", title=request.title), "linkage_request_matched",
                   demand=request)


def notify_offer_received(request: DemandRequest, offer: Offer, producer_name: str) -> None:
    """Tell the buyer a producer answered its request."""
    author = db.session.get(User, request.author_id)
    queue_mail(author.email, _l("New offer for your request: %(title)s", title=request.title),
               "linkage_offer_received", language=author.preferred_language, demand=request, offer=offer,
               producer_name=producer_name)


def notify_offer_answered(request: DemandRequest, offer: Offer, *, accepted: bool,
                          linkage: Linkage | None = None) -> None:
    """Tell the producer's members the buyer accepted (or did not accept) its offer."""
    emails = producer_member_emails([offer.producer_id]).get(offer.producer_id)
    if not emails:
        return
    subject = (_l("Your offer was accepted: %(title)s", title=request.title) if accepted
               else _l("Your offer was not accepted: %(title)s", title=request.title))
    queue_mail(emails, subject, "linkage_offer_answered", demand=request, offer=offer, accepted=accepted,
               linkage=linkage)
