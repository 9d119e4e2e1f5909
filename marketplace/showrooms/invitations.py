"""Inviting staff to a showroom: a signed link e-mailed to them, used once to create their account or to
attach the account they already have (signed in as that address)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    find_user_by_email,
    hash_password,
    normalise_email,
)
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.invitations import InvalidInvitation, invitation_for_token, invitation_token
from marketplace.mail import queue_mail
from marketplace.showrooms.labels import staff_role_label
from marketplace.showrooms.models import Showroom, ShowroomInvitation, StaffRole
from marketplace.showrooms.services import StaffError, add_member
from marketplace.text import nfc
from marketplace.urls import external_url

#: Signs this kind of invitation link (see marketplace.invitations).
SALT = "showroom-invitation"


def invite_staff(showroom: Showroom, email: str, role: StaffRole | str, *, actor: User) -> ShowroomInvitation:
    """Invite someone to the showroom's staff; e-mails them a signed link. A producer member's or an
    admin's address is refused (one account, one role)."""
    email = normalise_email(email)
    role = StaffRole(role)
    existing = find_user_by_email(email)
    if existing is not None and existing.role in (Role.PRODUCER, Role.ADMIN):
        raise StaffError(_("This account belongs to a producer or to the program office; "
                           "invite another e-mail address."))
    invitation = ShowroomInvitation(showroom_id=showroom.id, email=email, role=role, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    token = invitation_token(invitation, salt=SALT)
    queue_mail(email, _l("You are invited to work at %(showroom)s on OCOP Market", showroom=showroom.name),
               "showroom_invitation", language=existing.preferred_language if existing else actor.preferred_language,
               showroom=showroom, inviter=actor, role_label=staff_role_label(role),
               accept_url=external_url("showrooms_manage.invitation_accept", token=token))
    return invitation


def invitation_from_token(token: str) -> ShowroomInvitation:
    """The unused invitation a link stands for (with its showroom); raises InvalidInvitation otherwise."""
    invitation = invitation_for_token(ShowroomInvitation, token, salt=SALT,
                                      options=[joinedload(ShowroomInvitation.showroom)])
    if not invitation.showroom.is_active:
        raise InvalidInvitation(_("This showroom is closed."))
    return invitation


def _used(invitation: ShowroomInvitation, user: User) -> None:
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    db.session.flush()


def accept_with_new_account(invitation: ShowroomInvitation, *, full_name: str, password: str,
                            language: str = "vi") -> User:
    """Create the invited person's staff account and membership (once)."""
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("This invitation was already used."))
    if find_user_by_email(invitation.email) is not None:
        raise InvalidInvitation(_("An account with this e-mail address already exists: sign in to accept."))
    if not nfc(full_name).strip():
        raise StaffError(_("Your name is required."))
    if not PASSWORD_MIN_LENGTH <= len(password or "") <= PASSWORD_MAX_LENGTH:
        raise StaffError(_("The password must have %(low)s to %(high)s characters.", low=PASSWORD_MIN_LENGTH,
                           high=PASSWORD_MAX_LENGTH))
    user = User(email=invitation.email, full_name=nfc(full_name).strip()[:120], role=Role.SHOWROOM_STAFF,
                location_id=invitation.showroom.location_id, preferred_language=language,
                password_hash=hash_password(password))
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # A concurrent sign-up with the same address won the race.
        raise InvalidInvitation(_("An account with this e-mail address already exists: sign in to accept.")) from None
    add_member(invitation.showroom, user, invitation.role)
    _used(invitation, user)
    return user


def accept_with_account(invitation: ShowroomInvitation, user: User) -> None:
    """Attach the signed-in account the invitation was sent to (once)."""
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("This invitation was already used."))
    if user.email != invitation.email:
        raise InvalidInvitation(_("This invitation was sent to another e-mail address."))
    add_member(invitation.showroom, user, invitation.role)
    _used(invitation, user)


def showroom_invitations(showroom: Showroom) -> list[ShowroomInvitation]:
    """The showroom's invitations, newest first."""
    return list(db.session.scalars(
        sa.select(ShowroomInvitation).where(ShowroomInvitation.showroom_id == showroom.id)
        .order_by(ShowroomInvitation.created_at.desc(), ShowroomInvitation.id.desc())))
