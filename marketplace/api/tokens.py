"""Creating, revoking and checking till tokens (see models.TillToken)."""

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.api.models import TillToken
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms.models import Showroom
from marketplace.text import nfc

PREFIX = "ocop_till_"
MAX_NAME = 80


class TokenError(DomainError):
    """A token that cannot be created or revoked as asked (the message is safe to show)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(showroom: Showroom, name: str, creator) -> tuple[TillToken, str]:
    """A new token for the showroom's till; returns the row and the token itself (shown once, never stored)."""
    name = nfc(name or "").strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise TokenError(_("Give the till a name of at most %(n)s characters.", n=MAX_NAME))
    token = PREFIX + secrets.token_urlsafe(32)
    row = TillToken(showroom_id=showroom.id, name=name, token_hash=hash_token(token),
                    created_by_id=creator.id if creator else None, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(row: TillToken) -> None:
    """Revoke a token (for good); revoking it again changes nothing."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()


def tokens_of(showroom: Showroom) -> list[TillToken]:
    return list(db.session.scalars(sa.select(TillToken).where(TillToken.showroom_id == showroom.id)
                                   .order_by(TillToken.revoked_at.is_not(None), TillToken.id.desc())))


def get_token(showroom: Showroom, token_id: int) -> TillToken | None:
    return db.session.scalars(sa.select(TillToken).where(TillToken.id == token_id,
                                                         TillToken.showroom_id == showroom.id)).first()


def authenticate(token: str | None) -> TillToken | None:
    """The active token row for this secret (its last use noted), or None."""
    if not token or not token.isascii() or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalars(sa.select(TillToken).where(TillToken.token_hash == hash_token(token),
                                                        TillToken.revoked_at.is_(None))).first()
    if row is not None:
        row.last_used_at = utcnow()
    return row
