"""Who may act in a showroom: decided by the showroom staff memberships (ShowroomMember), never by the
users.location_id pointer (a staff account may belong to several showrooms). accounts.policies answers the
role questions; this module answers "does this person work here, and as what?"."""

from marketplace.accounts.policies import is_admin
from marketplace.showrooms import services
from marketplace.showrooms.models import StaffRole


def is_showroom_staff(user, showroom_id: int | None) -> bool:
    """True for an active member of that showroom's staff (manager or clerk); admins are not staff (combine
    with is_admin when they may act)."""
    if showroom_id is None:
        return False
    return services.membership(user, showroom_id) is not None


def is_showroom_manager(user, showroom_id: int | None) -> bool:
    """True for an active manager of that showroom."""
    if showroom_id is None:
        return False
    member = services.membership(user, showroom_id)
    return member is not None and member.role == StaffRole.MANAGER


def may_work_in(user, showroom_id: int | None) -> bool:
    """Staff of that showroom, or the program office (admins see every showroom's screens)."""
    return is_admin(user) or is_showroom_staff(user, showroom_id)


def may_manage(user, showroom_id: int | None) -> bool:
    """A manager's actions (receive, count, close, cancel a pickup): that showroom's managers and admins."""
    return is_admin(user) or is_showroom_manager(user, showroom_id)
