"""Who may act on a producer's listings (the loaders of catalog.views_manage.loaders apply these)."""

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer

#: Roles that reach the listing screens at all (each screen checks the producer with a policy below).
LISTING_ROLES = (Role.PRODUCER, Role.ADMIN, Role.SHOWROOM_STAFF)


def may_edit_listing(user, producer_id: int) -> bool:
    """Members and admins manage a producer's listings; showroom staff may list on its behalf too."""
    if can_manage_producer(user, producer_id):
        return True
    return bool(user.is_authenticated and user.is_active and user.role == Role.SHOWROOM_STAFF)


#: Stock and spreadsheets: members of the producer and admins only.
may_manage_stock = can_manage_producer
