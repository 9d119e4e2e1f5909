"""The one shape of every state machine of the marketplace.

Each machine (order, producer verification, product, certificate, payment) is:
- a StrEnum of states and a `TRANSITIONS` table `{state: frozenset(next states)}` in a pure module;
- ONE writer function in its package's services, which checks the table with `check_transition`, writes the
  new state with a compare-and-set UPDATE (so two racing writers cannot both win) and adds an event row
  (who, when, from, to, why);
- this module's `InvalidTransition` (a DomainError: the message is safe to show) when the table refuses.
"""

from collections.abc import Mapping
from enum import StrEnum

from marketplace.errors import DomainError


class InvalidTransition(DomainError):
    """The machine does not allow this change from the current state."""


class StatusConflict(InvalidTransition):
    """Somebody else changed the state first (the compare-and-set found another state)."""


def can_change(table: Mapping, current, new) -> bool:
    """True when `table` allows going from `current` to `new` (unknown values are refused, never raised)."""
    enum_cls = type(next(iter(table)))
    try:
        return enum_cls(new) in table[enum_cls(current)]
    except (ValueError, KeyError):
        return False


def check_transition(table: Mapping, current, new, message: str) -> None:
    """Raise InvalidTransition(message) unless `table` allows `current` -> `new`."""
    if not can_change(table, current, new):
        raise InvalidTransition(message)


def terminal_states(table: Mapping[StrEnum, frozenset]) -> frozenset:
    """The states with no way out."""
    return frozenset(state for state, following in table.items() if not following)
