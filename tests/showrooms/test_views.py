"""Showroom screens: admin CRUD and staff invitations, staff isolation, producer deliveries, bad input,
the public list and "available at" on product pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.showrooms import consignments, lots, services
from marketplace.showrooms.models import Consignment, Showroom, ShowroomInvitation, ShowroomMember, StaffRole
from marketplace.showrooms.status import ConsignmentStatus
from tests.factories import make_producer, make_product, make_user
from tests.showrooms.helpers import HOAN_KIEM, deliver, make_showroom, make_staff

SHOWROOM_FORM = {"name": "Điểm OCOP Hoàn Kiếm", "ward_code": str(HOAN_KIEM), "street": "12 Phố Hàng Bạc",
                 "opening_hours": "8:00–22:00", "phone": "024 1234 5678", "latitude": "21.0342",
                 "longitude": "105.8526", "commission_rate_bp": "1200"}


def _admin(login_as):
    admin = make_user(role=Role.ADMIN)
    login_as(admin)
    return admin


# --- Admin -----------------------------------------------------------------------------------------------

def test_admin_creates_edits_and_closes_a_showroom(client, login_as):
    _admin(login_as)
    response = client.post("/admin/showrooms/new", data=SHOWROOM_FORM)
    assert response.status_code == 302
    showroom = db.session.scalar(sa.select(Showroom).where(Showroom.name == "Điểm OCOP Hoàn Kiếm"))
    assert (showroom.ward_code, showroom.commission_rate_bp, showroom.latitude) == (HOAN_KIEM, 1200, 21.0342)
    assert showroom.location_id is not None and showroom.is_active
    response = client.post(f"/admin/showrooms/{showroom.id}", data={**SHOWROOM_FORM, "opening_hours": "9:00–21:00"})
    assert response.status_code == 302
    assert showroom.opening_hours == "9:00–21:00"
    assert "Điểm OCOP Hoàn Kiếm" in client.get("/admin/showrooms").get_data(as_text=True)
    client.post(f"/admin/showrooms/{showroom.id}/active")
    assert not showroom.is_active
    assert "Điểm OCOP Hoàn Kiếm" not in client.get("/showrooms").get_data(as_text=True)


@pytest.mark.parametrize("field,value", [("ward_code", "1"), ("commission_rate_bp", "²"), ("commission_rate_bp", "-1"),
                                         ("commission_rate_bp", "10001"), ("latitude", "north"), ("name", "")])
def test_admin_bad_showroom_input_is_refused_and_saves_nothing(client, login_as, field, value):
    _admin(login_as)
    response = client.post("/admin/showrooms/new?lang=en", data={**SHOWROOM_FORM, field: value})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Showroom)) == 0


def test_admin_invites_a_manager_who_joins_with_the_link(app, client, login_as, outbox):
    _admin(login_as)
    showroom = make_showroom()
    response = client.post(f"/admin/showrooms/{showroom.id}/staff", data={"email": "Lan@Diem.Example",
                                                                           "role": "manager"})
    assert response.status_code == 302
    body = outbox.wait_for(1).to("lan@diem.example")[0].get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/manage/showrooms/invitations/" in line).strip()
    path = link[link.index("/manage/showrooms/invitations/"):]
    other = app.test_client()
    response = other.post(path, data={"full_name": "Nguyễn Thị Lan", "password": "một mật khẩu dài",
                                      "password_again": "một mật khẩu dài"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "lan@diem.example"))
    assert user.role == Role.SHOWROOM_STAFF and user.location_id == showroom.location_id
    member = db.session.scalar(sa.select(ShowroomMember).where(ShowroomMember.user_id == user.id))
    assert member.role == StaffRole.MANAGER
    assert other.get(f"/manage/showrooms/{showroom.id}").status_code == 200
    assert app.test_client().get(path).status_code == 404  # used once


def test_an_existing_shopper_account_is_attached_when_signed_in(app, client, login_as, outbox):
    admin = make_user(role=Role.ADMIN)
    showroom = make_showroom()
    shopper = make_user("minh@pho.example")
    login_as(admin)
    client.post(f"/admin/showrooms/{showroom.id}/staff", data={"email": "minh@pho.example", "role": "clerk"})
    body = outbox.wait_for(1).to("minh@pho.example")[0].get_body(("plain",)).get_content()
    path = body[body.index("/manage/showrooms/invitations/"):].split()[0]
    guest = app.test_client()
    assert "sign in" in guest.get(path + "?lang=en").get_data(as_text=True).lower()
    assert guest.post(path).status_code != 302
    signed_in = login_as(shopper, app.test_client())
    assert signed_in.post(path).status_code == 302
    assert shopper.role == Role.SHOWROOM_STAFF
    assert db.session.scalar(sa.select(ShowroomInvitation.accepted_user_id)) == shopper.id


def test_admin_cannot_invite_a_producer_member_and_removes_staff(client, login_as):
    _admin(login_as)
    showroom = make_showroom()
    member = make_user("owner@htx.example", role=Role.PRODUCER, producer=make_producer())
    response = client.post(f"/admin/showrooms/{showroom.id}/staff", data={"email": member.email, "role": "clerk"})
    assert response.status_code == 422
    clerk = make_staff(showroom, StaffRole.CLERK)
    assert client.post(f"/admin/showrooms/{showroom.id}/staff/{clerk.id}/remove").status_code == 302
    assert clerk.role == Role.CONSUMER and clerk.location_id is None


# --- Staff isolation -------------------------------------------------------------------------------------

def test_staff_of_showroom_a_cannot_see_or_touch_showroom_b(client, login_as):
    a, b = make_showroom("Điểm A"), make_showroom("Điểm B")
    product = make_product(stock=0)
    consignment = deliver(b, product, 4)
    login_as(make_staff(a))
    assert client.get(f"/manage/showrooms/{a.id}").status_code == 200
    for path in (f"/manage/showrooms/{b.id}", f"/manage/showrooms/{b.id}/expiring",
                 f"/manage/showrooms/{b.id}/consignments", f"/manage/showrooms/{b.id}/count",
                 f"/manage/showrooms/{b.id}/consignments/{consignment.id}",
                 f"/manage/showrooms/{a.id}/consignments/{consignment.id}"):
        assert client.get(path).status_code == 404, path
    lot = lots.lots_at(b.location_id)[0].lot
    response = client.post(f"/manage/showrooms/{b.id}/returns/new", data={f"units_{lot.id}": "4", "reason": "x"})
    assert response.status_code == 404
    assert lots.level_quantity(product.id, b.location_id) == 4


def test_a_clerk_may_look_but_not_receive_return_or_count(client, login_as):
    showroom = make_showroom()
    product = make_product(stock=0)
    recorded = consignments.record_delivery(showroom, product.producer_id,
                                            [consignments.DeliveryLine(product.id, 3, "K", None)], actor=None)
    login_as(make_staff(showroom, StaffRole.CLERK))
    assert client.get(f"/manage/showrooms/{showroom.id}/consignments/{recorded.id}").status_code == 200
    line = consignments.lines_of(recorded)[0]
    assert client.post(f"/manage/showrooms/{showroom.id}/consignments/{recorded.id}",
                       data={f"counted_{line.id}": "3"}).status_code == 403
    assert client.get(f"/manage/showrooms/{showroom.id}/count").status_code == 403
    assert client.get(f"/manage/showrooms/{showroom.id}/returns/new").status_code == 403
    assert recorded.status == ConsignmentStatus.RECORDED


def test_the_staff_menu_lists_their_showrooms(client, login_as):
    a, b = make_showroom("Điểm Một"), make_showroom("Điểm Hai")
    user = make_staff(a)
    services.add_member(b, user, StaffRole.CLERK)
    login_as(user)
    page = client.get("/manage/showrooms").get_data(as_text=True)
    assert "Điểm Một" in page and "Điểm Hai" in page


# --- Producer deliveries and the manager's receipt ------------------------------------------------------

def _delivery_form(showroom, product, quantity="12", lot="LO-1", best_before=None):
    best_before = best_before or (today_vn() + timedelta(days=90)).isoformat()
    return {"showroom": str(showroom.id), "product_0": str(product.id), "quantity_0": quantity, "lot_0": lot,
            "best_before_0": best_before}


def test_a_producer_records_a_delivery_that_a_manager_receives(app, client, login_as):
    showroom = make_showroom()
    producer = make_producer()
    product = make_product(producer=producer, stock=0)
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/consignments/new", data=_delivery_form(showroom, product))
    assert response.status_code == 302
    consignment = db.session.scalar(sa.select(Consignment))
    assert consignment.producer_id == producer.id and consignment.status == ConsignmentStatus.RECORDED
    assert client.get(f"/manage/consignments/{consignment.id}").status_code == 200
    assert lots.level_quantity(product.id, showroom.location_id) == 0
    manager = login_as(make_staff(showroom), app.test_client())
    line = consignments.lines_of(consignment)[0]
    url = f"/manage/showrooms/{showroom.id}/consignments/{consignment.id}?lang=en"
    response = manager.post(url, data={f"counted_{line.id}": "11"})
    assert response.status_code == 422 and "instead of 12" in response.get_data(as_text=True)
    assert lots.level_quantity(product.id, showroom.location_id) == 0
    response = manager.post(url, data={f"counted_{line.id}": "11", f"reason_{line.id}": "one jar cracked"})
    assert response.status_code == 302
    assert lots.level_quantity(product.id, showroom.location_id) == 11
    assert "LO-1" in manager.get(f"/manage/showrooms/{showroom.id}").get_data(as_text=True)


def test_a_producer_cannot_consign_another_producers_product_nor_see_its_consignments(client, login_as):
    showroom = make_showroom()
    producer, other = make_producer(), make_producer()
    theirs = make_product(producer=other, stock=0)
    foreign = deliver(showroom, theirs, 2)
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/consignments/new", data=_delivery_form(showroom, theirs))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consignment)) == 1
    assert client.get(f"/manage/consignments/{foreign.id}").status_code == 404


@pytest.mark.parametrize("quantity", ["0", "-1", str(10**9), "mười", "²", "１２", "3.5", ""])
def test_bad_quantities_get_a_clear_message_and_change_nothing(client, login_as, quantity):
    showroom = make_showroom()
    producer = make_producer()
    product = make_product(producer=producer, stock=0)
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/consignments/new?lang=en", data=_delivery_form(showroom, product, quantity))
    assert response.status_code == 422
    assert "Line 1: enter a whole number of units from 1 to 100000." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consignment)) == 0


@pytest.mark.parametrize("counted", ["-1", str(10**9), "abc", "²"])
def test_bad_counted_quantities_change_nothing(client, login_as, counted):
    showroom = make_showroom()
    product = make_product(stock=0)
    deliver(showroom, product, 5, "CNT")
    lot = lots.lots_at(showroom.location_id)[0].lot
    login_as(make_staff(showroom))
    response = client.post(f"/manage/showrooms/{showroom.id}/count?lang=en",
                           data={f"counted_{lot.id}": counted, "reason": "count"})
    assert response.status_code == 422
    assert "enter a whole number of units" in response.get_data(as_text=True)
    assert lots.level_quantity(product.id, showroom.location_id) == 5


def test_a_manager_returns_an_expiring_lot_from_the_list(client, login_as):
    showroom = make_showroom()
    product = make_product(stock=0)
    deliver(showroom, product, 6, "EXP", today_vn() + timedelta(days=7))
    lot = lots.lots_at(showroom.location_id)[0].lot
    login_as(make_staff(showroom))
    page = client.get(f"/manage/showrooms/{showroom.id}/expiring").get_data(as_text=True)
    assert "EXP" in page and f"lot={lot.id}" in page
    response = client.post(f"/manage/showrooms/{showroom.id}/returns/new?lot={lot.id}",
                           data={f"units_{lot.id}": "7", "reason": "expiring"})
    assert response.status_code == 422
    response = client.post(f"/manage/showrooms/{showroom.id}/returns/new?lot={lot.id}",
                           data={f"units_{lot.id}": "6", "reason": "expiring"})
    assert response.status_code == 302
    assert lots.level_quantity(product.id, showroom.location_id) == 0


def test_a_manager_records_a_delivery_for_a_producer(client, login_as):
    showroom = make_showroom()
    product = make_product(stock=0)
    login_as(make_staff(showroom))
    assert client.get(f"/manage/showrooms/{showroom.id}/consignments/new").status_code == 200
    url = f"/manage/showrooms/{showroom.id}/consignments/new?producer={product.producer_id}"
    assert product.name in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_delivery_form(showroom, product, "4"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Consignment.producer_id)) == product.producer_id


# --- Public ----------------------------------------------------------------------------------------------

def test_the_public_list_filters_by_commune(client):
    make_showroom("Điểm Ba Đình")
    make_showroom("Điểm Hoàn Kiếm", ward_code=HOAN_KIEM)
    page = client.get("/showrooms").get_data(as_text=True)
    assert "Điểm Ba Đình" in page and "Điểm Hoàn Kiếm" in page and "openstreetmap.org" in page
    page = client.get(f"/showrooms?commune={HOAN_KIEM}").get_data(as_text=True)
    assert "Điểm Hoàn Kiếm" in page and "Điểm Ba Đình" not in page
    assert client.get("/showrooms?commune=²").status_code == 200


def test_a_product_page_says_where_it_is_available(client, query_counter):
    product = make_product("Tương Cự Đà", slug="tuong-cu-da", stock=3)
    page = client.get("/products/tuong-cu-da").get_data(as_text=True)
    assert "Có bán tại" not in page
    before = query_counter.of_page(client, "/products/tuong-cu-da")
    showroom = make_showroom("Điểm OCOP Hàng Bạc")
    deliver(showroom, product, 2)
    one_showroom = query_counter.of_page(client, "/products/tuong-cu-da")
    deliver(make_showroom("Điểm OCOP Khác"), product, 1)
    page = client.get("/products/tuong-cu-da").get_data(as_text=True)
    assert "Có bán tại" in page and "Điểm OCOP Hàng Bạc" in page and "Điểm OCOP Khác" in page
    # The showrooms are looked up only when one holds the product, all of them in one query.
    assert query_counter.of_page(client, "/products/tuong-cu-da") == one_showroom == before + 1
