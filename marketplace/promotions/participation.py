"""Producers taking part in trade fairs: signing up, and the one writer of a participation's status.

`change_status` is the only code that assigns FairParticipation.status: it checks the table in
promotions.status, compare-and-sets the row (of two racing deciders only one wins) and appends a
ParticipationEvent with who, when and why.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.promotions.labels import participation_status_label
from marketplace.promotions.models import FairParticipation, ParticipationEvent, TradeFair
from marketplace.promotions.status import TRANSITIONS, ParticipationStatus
from marketplace.statemachine import StatusConflict, check_transition
from marketplace.text import nfc

S = ParticipationStatus


class SignupRefused(DomainError):
    """A producer may not sign up for this fair now; the message says why."""


def change_status(participation: FairParticipation, new: ParticipationStatus | str, *, actor,
                  reason: str | None = None) -> ParticipationEvent:
    """The one place that changes a participation's status. Raises InvalidTransition or StatusConflict."""
    new = ParticipationStatus(new)
    current = ParticipationStatus(participation.status)
    check_transition(TRANSITIONS, current, new, _("This participation cannot go from %(old)s to %(new)s.",
                                                  old=participation_status_label(current),
                                                  new=participation_status_label(new)))
    now = utcnow()
    result = db.session.execute(
        sa.update(FairParticipation)
        .where(FairParticipation.id == participation.id, FairParticipation.status == current)
        .values(status=new, updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(participation)
        raise StatusConflict(_("This participation was changed by someone else in the meantime. Please reload."))
    set_committed_value(participation, "status", new)
    set_committed_value(participation, "updated_at", now)
    event = ParticipationEvent(participation_id=participation.id, from_status=current, to_status=new, at=now,
                               actor_id=actor.id if actor is not None else None, reason=nfc(reason)[:500] or None)
    db.session.add(event)
    db.session.flush()
    return event


def participation_of(fair: TradeFair, producer: Producer) -> FairParticipation | None:
    return db.session.scalar(sa.select(FairParticipation).where(
        FairParticipation.fair_id == fair.id, FairParticipation.producer_id == producer.id))


def sign_up(fair: TradeFair, producer: Producer, *, actor, note: str = "", today: date) -> FairParticipation:
    """Ask for a place at the fair (pending until the office decides); again after withdrawing or a refusal."""
    if producer.verification_status != VerificationStatus.VERIFIED:
        raise SignupRefused(_("Only verified producers can take part in fairs."))
    if not fair.signup_open(today):
        raise SignupRefused(_("Sign-up for this fair is closed."))
    participation = participation_of(fair, producer)
    note = nfc(note)[:500]
    if participation is None:
        participation = FairParticipation(fair_id=fair.id, producer_id=producer.id, status=S.PENDING, note=note)
        db.session.add(participation)
        db.session.flush()
        db.session.add(ParticipationEvent(participation_id=participation.id, from_status=None, to_status=S.PENDING,
                                          actor_id=actor.id if actor is not None else None, reason=note or None))
        db.session.flush()
        return participation
    if participation.status in (S.PENDING, S.APPROVED):
        raise SignupRefused(_("You have already signed up for this fair."))
    participation.note = note
    change_status(participation, S.PENDING, actor=actor, reason=note or None)
    return participation


def withdraw(participation: FairParticipation, *, actor, today: date, fair: TradeFair) -> ParticipationEvent:
    """The producer gives up its place (before the fair ends)."""
    if today > fair.ends_on:
        raise SignupRefused(_("This fair is over."))
    return change_status(participation, S.WITHDRAWN, actor=actor)


def participants(fair: TradeFair, *, status: ParticipationStatus | None = None) -> list[FairParticipation]:
    """The fair's participations with their producers (one status, or all), by producer name."""
    statement = (sa.select(FairParticipation).join(Producer, Producer.id == FairParticipation.producer_id)
                 .options(joinedload(FairParticipation.producer)).where(FairParticipation.fair_id == fair.id)
                 .order_by(Producer.name))
    if status is not None:
        statement = statement.where(FairParticipation.status == status)
    return list(db.session.scalars(statement))


def events_of(participation: FairParticipation) -> list[ParticipationEvent]:
    return list(db.session.scalars(sa.select(ParticipationEvent)
                                   .where(ParticipationEvent.participation_id == participation.id)
                                   .order_by(ParticipationEvent.id)))
