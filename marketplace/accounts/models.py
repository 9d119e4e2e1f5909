"""Users and their roles."""

import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, enum_type
from marketplace.dates import utcnow
from marketplace.extensions import db


class Role(StrEnum):
    CONSUMER = "consumer"
    #: A member of one producer (a producer may have several).
    PRODUCER = "producer"
    #: Staff of one showroom.
    SHOWROOM_STAFF = "showroom_staff"
    #: The OCOP program office.
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role <> 'producer' OR producer_id IS NOT NULL", name="producer_member_has_producer"),
        sa.CheckConstraint("role <> 'showroom_staff' OR location_id IS NOT NULL", name="staff_has_showroom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The login; stored lower-cased.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    role: Mapped[Role] = mapped_column(enum_type(Role, 20), default=Role.CONSUMER)
    producer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("producers.id"), index=True)
    #: For showroom staff, the stock location of one showroom they work in (kept by showrooms.services).
    #: Never an access check: showroom memberships decide (showrooms.policies).
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: Made at checkout for a shopper buying without an account: no password (it cannot log in). Signing up
    #: or resetting the password with its e-mail turns it into an ordinary account, orders included.
    is_guest: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    #: Identifies the login sessions; rotated at logout and password change so old cookies stop working.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    producer = relationship("Producer", lazy="raise_on_sql")

    def get_id(self) -> str:
        """Flask-Login stores this token, not the primary key, so rotating it logs every session out."""
        return self.session_token

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
