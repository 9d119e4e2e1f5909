"""A queued offline till sale a manager discards is kept on the server (who, when, what, why) and listed for
managers and admins; a clerk cannot discard, a reason is required, a recorded sale cannot be discarded."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots, sales
from marketplace.showrooms.models import DiscardedTillSale, StaffRole
from tests.factories import make_product, make_user
from tests.showrooms.helpers import deliver, make_showroom, make_staff


@pytest.fixture()
def till(app):
    showroom = make_showroom()
    product = make_product("Bánh cốm Hàng Than", price_vnd=60000, stock=0)
    deliver(showroom, product, 1, lot="COM-1", best_before=date(2027, 1, 1))
    return showroom, product


def _body(product, **changes):
    body = {"client_id": "offline-sale-0001", "occurred_at": "2026-12-01T09:30:00+07:00", "method": "cash",
            "total": 120000, "lines": [{"product_id": product.id, "quantity": 2}],
            "conflict": "Bánh cốm Hàng Than: chỉ còn 1 tại điểm bán này.", "reason": "Khách đã trả hàng lại"}
    body.update(changes)
    return body


def test_a_manager_discard_is_kept_with_who_when_what_and_why(client, login_as, till):
    showroom, product = till
    manager = make_staff(showroom, StaffRole.MANAGER, full_name="Trần Thị Quản Lý")
    db.session.commit()
    login_as(manager)
    url = f"/manage/showrooms/{showroom.id}/pos/discarded"
    first = client.post(url, json=_body(product))
    assert first.status_code == 201, first.get_json()
    again = client.post(url, json=_body(product))
    assert again.status_code == 200 and again.get_json()["discarded"]["id"] == first.get_json()["discarded"]["id"]
    row = db.session.scalars(sa.select(DiscardedTillSale)).one()
    assert (row.discarded_by_id, row.total_vnd, row.reason) == (manager.id, 120000, "Khách đã trả hàng lại")
    assert row.lines == [{"product_id": product.id, "name": "Bánh cốm Hàng Than", "quantity": 2}]
    assert row.occurred_at is not None and "chỉ còn 1" in row.conflict
    # Nothing moved: no sale, no ledger, the lot as it was.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 0
    assert lots.lot_total(product.id, showroom.location_id) == 1
    page = client.get(url).get_data(as_text=True)
    assert "Trần Thị Quản Lý" in page and "2 × Bánh cốm Hàng Than" in page and "Khách đã trả hàng lại" in page
    login_as(make_user(role=Role.ADMIN))
    assert "Khách đã trả hàng lại" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"reason": "  "}, "Hãy nêu lý do bỏ đơn bán này."),
    ({"reason": "x" * 501}, "Lý do quá dài"),
    ({"client_id": "bad id!"}, "The sale has no valid till id."),
    ({"lines": "two"}, "This is not a sale."),
    ({"lines": [{"product_id": "abc", "quantity": 1}]}, "This is not a sale."),
])
def test_bad_discards_are_refused_and_nothing_is_kept(client, login_as, till, changes, message):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.MANAGER))
    response = client.post(f"/manage/showrooms/{showroom.id}/pos/discarded?lang=en", json=_body(product, **changes))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DiscardedTillSale)) == 0


def test_a_clerk_cannot_discard_nor_read_the_list_and_another_showroom_gets_404(client, login_as, till):
    showroom, product = till
    login_as(make_staff(showroom, StaffRole.CLERK))
    url = f"/manage/showrooms/{showroom.id}/pos/discarded"
    assert client.post(url, json=_body(product)).status_code == 403
    assert client.get(url).status_code == 403
    login_as(make_staff(make_showroom(), StaffRole.MANAGER))
    assert client.post(url, json=_body(product)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DiscardedTillSale)) == 0


def test_a_sale_the_server_recorded_cannot_be_discarded(client, login_as, till):
    showroom, product = till
    manager = make_staff(showroom, StaffRole.MANAGER)
    sales.complete_sale(showroom, [sales.LineInput(product.id, 1)], sales.PaymentInput("card"), "offline-sale-0001",
                        manager)
    db.session.commit()
    login_as(manager)
    response = client.post(f"/manage/showrooms/{showroom.id}/pos/discarded", json=_body(product))
    assert response.status_code == 422 and "không thể bỏ" in response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DiscardedTillSale)) == 0
