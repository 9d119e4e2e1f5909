"""Till tokens: the secret an existing till sends as `Authorization: Bearer ...`, one showroom each.

Only the SHA-256 of the token is stored (tokens are 32 random bytes, so a plain hash is enough): the token is
shown once, when it is created."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime
from marketplace.dates import utcnow
from marketplace.extensions import db


class TillToken(db.Model):
    __tablename__ = "till_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    showroom_id: Mapped[int] = mapped_column(sa.ForeignKey("showrooms.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    showroom = relationship("Showroom")
    created_by = relationship("User")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
