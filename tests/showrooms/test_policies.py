"""Whether someone works in a showroom is decided by the staff memberships (showrooms.policies), not by the
users.location_id pointer: a member of two showrooms is staff in both; removed, in neither."""

from flask_login import AnonymousUserMixin

from marketplace.accounts.models import Role
from marketplace.showrooms import policies, services
from marketplace.showrooms.models import StaffRole
from tests.factories import make_user
from tests.showrooms.helpers import make_showroom, make_staff


def test_staff_checks_follow_the_memberships(app):
    first, second, third = make_showroom(), make_showroom(), make_showroom()
    staff = make_staff(first, StaffRole.CLERK)
    services.add_member(second, staff, StaffRole.MANAGER)
    assert staff.location_id == first.location_id  # the pointer names only the first showroom
    assert policies.is_showroom_staff(staff, first.id) and policies.is_showroom_staff(staff, second.id)
    assert not policies.is_showroom_staff(staff, third.id)
    assert not policies.is_showroom_manager(staff, first.id) and policies.is_showroom_manager(staff, second.id)
    services.remove_member(first, staff)
    assert not policies.is_showroom_staff(staff, first.id) and policies.may_manage(staff, second.id)
    staff.is_active = False
    assert not policies.is_showroom_staff(staff, second.id)


def test_admins_may_work_everywhere_without_being_staff_and_others_nowhere(app):
    showroom = make_showroom()
    admin = make_user(role=Role.ADMIN)
    assert not policies.is_showroom_staff(admin, showroom.id)
    assert policies.may_work_in(admin, showroom.id) and policies.may_manage(admin, showroom.id)
    pointer_only = make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.location_id)  # no membership row
    assert not policies.may_work_in(pointer_only, showroom.id)
    assert not policies.may_work_in(AnonymousUserMixin(), showroom.id)
    assert not policies.may_work_in(make_user(), showroom.id)
    assert not policies.is_showroom_staff(admin, None)


def test_a_user_with_only_the_pointer_cannot_open_the_showroom_screens(client, login_as):
    showroom = make_showroom()
    login_as(make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.location_id))
    assert client.get(f"/manage/showrooms/{showroom.id}").status_code == 404
    assert client.get(f"/manage/showrooms/{showroom.id}/pickups").status_code == 404
