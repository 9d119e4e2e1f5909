"""What a signed-in member's pages show of their own, read with the member in one statement.

Every page of a signed-in member shows a few things of theirs: the units in their cart (the header), the
products they saved (the hearts on product cards), the shops they follow. Read one by one, that is three
round trips on every page on top of loading the member. Instead, the packages that own those rows describe
each as a column (a scalar subquery correlated to `users.id`) with `provide()`, and Flask-Login's user loader
(accounts.policies.load_user) selects them beside the member: `of(user, name)` then answers from that row.

An answer read at load time stays true until the request's session changes anything (flushed or not): after
that `of()` answers None and the owner reads its rows as before, so a page drawn after adding to the cart never
shows the count from before.
"""

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

_FLUSHES = "member_facts_flushes"

#: name -> a function returning the column (a scalar subquery over `users.id`) and a function that turns
#: the value read into the answer.
_providers: dict[str, tuple[Callable[[], sa.ColumnElement], Callable]] = {}


def provide(name: str, column: Callable[[], sa.ColumnElement], convert: Callable = lambda value: value) -> None:
    """Have `name` read with every member: column() builds it (called at each load, so models are mapped)."""
    _providers[name] = (column, convert)


def count() -> int:
    """How many facts are provided (statements built from columns() are kept per count)."""
    return len(_providers)


def columns() -> list[sa.ColumnElement]:
    """The registered columns, labelled by name, for the user loader's select."""
    return [column().label(f"fact_{name}") for name, (column, _convert) in _providers.items()]


def remember(user, row, session: Session) -> None:
    """Keep the values of `row` (the loader's result) on the user, valid until the session next writes."""
    values = {name: convert(getattr(row, f"fact_{name}")) for name, (_column, convert) in _providers.items()}
    user.__dict__["_member_facts"] = (session.info.get(_FLUSHES, 0), id(session), values)


def of(user, name: str, session: Session):
    """The value read with the member, or None when not read (or the session has written since)."""
    kept = getattr(user, "__dict__", {}).get("_member_facts")
    if kept is None:
        return None
    flushes, session_id, values = kept
    if session_id != id(session) or flushes != session.info.get(_FLUSHES, 0):
        return None
    if session.new or session.dirty or session.deleted:  # changes not flushed yet
        return None
    return values.get(name)


@event.listens_for(Session, "after_flush")
def _count_writes(session, _flush_context):
    session.info[_FLUSHES] = session.info.get(_FLUSHES, 0) + 1
