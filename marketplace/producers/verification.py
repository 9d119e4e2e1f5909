"""The producer verification machine: the program office approves, rejects or suspends a producer, and a
rejected producer that corrects its legal details goes back to review.

`change_verification` is the one writer of Producer.verification_status (table in producers.status,
compare-and-set, a ProducerEvent row for each change). Catalogue search text depends on the shop name and
province: whoever changes legal details also reindexes the products (catalog.services.reindex_producer).
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import User
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerEvent
from marketplace.producers.services import (
    InvalidProducerData,
    LegalDetails,
    apply_legal_details,
    check_legal_details,
    notify_members,
)
from marketplace.producers.status import TRANSITIONS, VerificationStatus
from marketplace.statemachine import InvalidTransition, StatusConflict, check_transition
from marketplace.text import nfc


def change_verification(producer: Producer, new: VerificationStatus, *, actor: User | None,
                        reason: str | None = None) -> ProducerEvent:
    """The one place that changes verification_status: checks the table, compare-and-sets, records who and why.

    Raises InvalidTransition when the table refuses, StatusConflict when someone else changed it first.
    """
    new = VerificationStatus(new)
    current = VerificationStatus(producer.verification_status)
    check_transition(TRANSITIONS, current, new, _("This producer cannot go from %(old)s to %(new)s.",
                                                  old=current.value, new=new.value))
    now = utcnow()
    values: dict = {"verification_status": new, "updated_at": now}
    if new == VerificationStatus.VERIFIED:
        values.update(verified_at=now, rejection_reason=None)
    elif new in (VerificationStatus.REJECTED, VerificationStatus.SUSPENDED):
        values["rejection_reason"] = reason
    # Compare-and-set: of two concurrent deciders only one finds the old status and wins.
    result = db.session.execute(
        sa.update(Producer).where(Producer.id == producer.id, Producer.verification_status == current)
        .values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(producer)
        raise StatusConflict(_("This producer was changed by someone else in the meantime. Please reload."))
    for key, value in values.items():
        set_committed_value(producer, key, value)
    event = ProducerEvent(producer_id=producer.id, from_status=current, to_status=new, at=now,
                          actor_id=actor.id if actor else None, reason=reason or None)
    db.session.add(event)
    db.session.flush()
    return event


def update_legal_details(producer: Producer, details: LegalDetails, *, actor: User | None = None) -> None:
    """Correct the legal details; a rejected producer goes back to pending review, a verified one cannot change them.

    The caller reindexes the producer's products afterwards (their search text holds the shop name and province).
    """
    if producer.verification_status not in (VerificationStatus.PENDING, VerificationStatus.REJECTED):
        raise InvalidTransition(_("Verified legal details can only be changed by the program office."))
    check_legal_details(details)
    apply_legal_details(producer, details)
    db.session.flush()
    if producer.verification_status == VerificationStatus.REJECTED:
        change_verification(producer, VerificationStatus.PENDING, actor=actor, reason="legal details corrected")
    db.session.flush()


def approve_producer(producer: Producer, *, actor: User) -> None:
    """Verify a pending (or suspended) producer and tell its members."""
    change_verification(producer, VerificationStatus.VERIFIED, actor=actor)
    notify_members(producer, _l("Your shop on OCOP Market is verified"), "producer_approved")


def reject_producer(producer: Producer, *, actor: User, reason: str) -> None:
    """Reject a pending producer with a reason, e-mailed to its members."""
    _refuse(producer, VerificationStatus.REJECTED, reason, _l("Your shop on OCOP Market was not verified"), actor=actor)


def suspend_producer(producer: Producer, *, actor: User, reason: str) -> None:
    """Take a verified producer's products out of the catalogue, with a reason e-mailed to its members.

    Nothing in the catalogue is rewritten: the listing rule (catalog.listing) shows only verified producers.
    """
    _refuse(producer, VerificationStatus.SUSPENDED, reason, _l("Your shop on OCOP Market is suspended"), actor=actor)


def _refuse(producer: Producer, new: VerificationStatus, reason: str, subject, *, actor: User) -> None:
    """Reject or suspend: a reason is required, and it is e-mailed to the members."""
    reason = nfc(reason)
    if not reason:
        raise InvalidProducerData({"reason": _("Give the reason, so the producer can correct it.")})
    change_verification(producer, new, actor=actor, reason=reason)
    notify_members(producer, subject, "producer_rejected", reason=reason)


def pending_producers() -> list[Producer]:
    """Producers waiting for the program office, oldest first."""
    return list(db.session.scalars(
        sa.select(Producer).where(Producer.verification_status == VerificationStatus.PENDING)
        .order_by(Producer.created_at, Producer.id)
    ))


def verification_events(producer: Producer) -> list[ProducerEvent]:
    """The producer's verification history, oldest first."""
    return list(db.session.scalars(
        sa.select(ProducerEvent).where(ProducerEvent.producer_id == producer.id).order_by(ProducerEvent.id)
    ))
