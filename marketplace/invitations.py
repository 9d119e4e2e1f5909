"""Signed invitation links, used once: the token handling shared by producer members and showroom staff.

A link carries the invitation row's id and the invited address, signed with SECRET_KEY and a salt of its
own per kind of invitation, and works for 14 days. Each package keeps its own invitation table, e-mails
and acceptance rules; this module only makes and reads the links.
"""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.errors import DomainError
from marketplace.extensions import db

#: Invitation links work for this long.
INVITATION_MAX_AGE_SECONDS = 14 * 24 * 3600


class InvalidInvitation(DomainError):
    """The invitation link is wrong, expired or already used."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def invitation_token(invitation, *, salt: str) -> str:
    """The signed token of an invitation row (it must have an id and an e-mail)."""
    return _serializer(salt).dumps({"id": invitation.id, "email": invitation.email})


def invitation_for_token(model, token: str, *, salt: str, options=()):
    """The unused invitation row of `model` a token stands for; raises InvalidInvitation otherwise."""
    try:
        payload = _serializer(salt).loads(token, max_age=INVITATION_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise InvalidInvitation(_("This invitation has expired. Ask for a new one.")) from None
    except BadSignature:
        raise InvalidInvitation(_("This invitation link is not valid.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise InvalidInvitation(_("This invitation link is not valid."))
    invitation = db.session.get(model, payload["id"], options=list(options))
    if invitation is None or invitation.email != payload.get("email"):
        raise InvalidInvitation(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("This invitation was already used."))
    return invitation
