"""Who may do what: the one place where views check roles and ownership.

Views use the decorators `login_required` and `roles_required(*roles)`; pages and services that need a
finer answer ask the predicates (`can_manage_producer`, `is_admin`) and pass the booleans to templates,
which never decide by themselves. Whether someone works in a showroom is decided by the showroom's staff
memberships, so it lives with them: marketplace.showrooms.policies.

Flask-Login stores `User.session_token` (User.get_id) in the session and the remember cookie, and the
user loader below finds active users by that token, so rotating the token logs every session out.
"""

from functools import cache, wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from marketplace.accounts import facts
from marketplace.accounts.models import Role, User
from marketplace.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"
#: Plain English here; Flask-Login passes it through localize_callback when it flashes (a lazy string
#: could not be stored in the session cookie).
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"
login_manager.needs_refresh_message = "Please log in again to continue."
login_manager.needs_refresh_message_category = "info"
login_manager.localize_callback = gettext


@cache
def _member_statement(_facts: int) -> sa.Select:
    """The member by their session token, with their producer (the account page and menus name the shop) and
    what their pages show of their own (accounts.facts: cart units, saved products, followed shops), in one
    statement; built once per set of facts (it runs on every page of every signed-in member)."""
    return (db.select(User, *facts.columns())
            .where(User.session_token == sa.bindparam("token"), User.is_active.is_(True))
            .options(joinedload(User.producer)))


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The active user whose current session token this is (None for a rotated or unknown token)."""
    if not session_token or len(session_token) > 64:
        return None
    session = db.session()
    row = session.execute(_member_statement(facts.count()), {"token": session_token}).first()
    if row is None:
        return None
    facts.remember(row.User, row, session)
    return row.User


def is_safe_next(target: str | None) -> bool:
    """True for a same-site path: starts with one '/', no scheme, no host, no backslash, no control chars."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str | None = None) -> str:
    """The target if it is a same-site path, otherwise the default (the home page)."""
    if is_safe_next(target):
        return target
    return default or url_for("catalog.home")


def _current_path() -> str:
    path = request.full_path if request.query_string else request.path
    return path if is_safe_next(path) else "/"


def _refuse_anonymous():
    if request.path.startswith("/api/"):
        abort(401)
    flash(gettext(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=_current_path()))


def login_required(view):
    """Let signed-in users through; send others to the login page with ?next=<this path>."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: Role | str):
    """Let signed-in users with one of these roles through; 403 for other users, login page for guests."""
    allowed = {Role(role) for role in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and isinstance(user, User)


def is_admin(user) -> bool:
    """True for an active administrator (the OCOP program office)."""
    return _is_user(user) and user.is_active and user.role == Role.ADMIN


def can_manage_producer(user, producer_id: int | None) -> bool:
    """True for a member of that producer, or an admin; False for everyone else (and for no producer)."""
    if producer_id is None or not _is_user(user) or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PRODUCER and user.producer_id == producer_id

