"""Inviting further members to a producer: a signed link e-mailed to them, used once to create their account."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import find_user_by_email, hash_password, normalise_email
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.invitations import invitation_for_token, invitation_token
from marketplace.mail import queue_mail
from marketplace.producers.models import Producer, ProducerInvitation
from marketplace.producers.services import (
    EmailTaken,
    InvalidInvitation,
    InvalidProducerData,
    add_member_account,
    check_password,
)
from marketplace.text import nfc
from marketplace.urls import external_url

#: Signs this kind of invitation link (see marketplace.invitations).
SALT = "producer-invitation"


def invite_member(producer: Producer, email: str, *, actor: User) -> ProducerInvitation:
    """Invite someone to join the producer; e-mails them a signed link (or, when the address already has an
    account, a notice instead: the inviter sees the same either way)."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    invitation = ProducerInvitation(producer_id=producer.id, email=email, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    if existing is not None:
        # The inviter is told the same as for a new address; the owner learns why no link came.
        queue_mail(existing.email, _l("%(shop)s invited you on OCOP Market", shop=producer.name),
                   "invitation_account_exists", language=existing.preferred_language, producer=producer,
                   inviter=actor, user=existing)
        return invitation
    token = invitation_token(invitation, salt=SALT)
    queue_mail(email, _l("You are invited to manage %(shop)s on OCOP Market", shop=producer.name),
               "producer_invitation", language=actor.preferred_language, producer=producer, inviter=actor,
               accept_url=external_url("producers_manage.invitation_accept", token=token))
    return invitation


def invitation_from_token(token: str) -> ProducerInvitation:
    """The unused invitation a link stands for; raises InvalidInvitation otherwise."""
    return invitation_for_token(ProducerInvitation, token, salt=SALT,
                                options=[joinedload(ProducerInvitation.producer)])


def accept_invitation(invitation: ProducerInvitation, *, full_name: str, password: str,
                      language: str = "vi") -> User:
    """Create the invited member's account (once)."""
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("This invitation was already used."))
    if find_user_by_email(invitation.email) is not None:
        raise EmailTaken(_("An account with this e-mail address already exists."))
    check_password(password)
    if not nfc(full_name):
        raise InvalidProducerData({"full_name": _("Your name is required.")})
    user = User(email=invitation.email, full_name=nfc(full_name), role=Role.PRODUCER,
                producer_id=invitation.producer_id, preferred_language=language,
                password_hash=hash_password(password))
    add_member_account(user)
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    db.session.flush()
    return user


def producer_invitations(producer: Producer) -> list[ProducerInvitation]:
    """The producer's invitations, newest first."""
    return list(db.session.scalars(
        sa.select(ProducerInvitation).where(ProducerInvitation.producer_id == producer.id)
        .order_by(ProducerInvitation.created_at.desc())
    ))
