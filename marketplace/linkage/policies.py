"""Who may see and do what on the demand board (built on accounts.policies); views pass the answers to
templates as booleans."""

from marketplace.accounts.models import Role, User
from marketplace.accounts.policies import is_admin
from marketplace.extensions import db
from marketplace.linkage.models import DemandRequest, Linkage
from marketplace.linkage.status import RequestStatus
from marketplace.producers.models import Producer, VerificationStatus


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and isinstance(user, User) and user.is_active


def verified_producer_of(user) -> Producer | None:
    """The user's producer when the user is an active member of a verified producer, else None."""
    if not _signed_in(user) or user.role != Role.PRODUCER or user.producer_id is None:
        return None
    producer = db.session.get(Producer, user.producer_id)
    if producer is None or producer.verification_status != VerificationStatus.VERIFIED:
        return None
    return producer


def can_see_request(user, request: DemandRequest) -> bool:
    """A hidden request is seen only by its author and the program office; any other by everyone."""
    if request.status != RequestStatus.HIDDEN:
        return True
    return is_admin(user) or (_signed_in(user) and user.id == request.author_id)


def can_see_contact(user, request: DemandRequest) -> bool:
    """Contact details: verified producers' members, the program office, and the author itself; never
    anonymous visitors, consumers, showroom staff or members of unverified producers."""
    if is_admin(user) or (_signed_in(user) and user.id == request.author_id):
        return True
    return verified_producer_of(user) is not None


def can_see_linkage(user, linkage: Linkage) -> bool:
    """The buyer, the producer's members and the program office."""
    if is_admin(user):
        return True
    if not _signed_in(user):
        return False
    return user.id == linkage.buyer_id or (user.role == Role.PRODUCER and user.producer_id == linkage.producer_id)
