"""flask showrooms add-staff, and the demo's showrooms (consigned, received, some lots expiring soon, a few till sales)."""

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots
from marketplace.showrooms.models import PosSale, Showroom, ShowroomMember, StaffRole
from marketplace.stock.models import StockLevel
from tests.showrooms.helpers import make_showroom


def test_add_staff_creates_a_manager_account(runner):
    showroom = make_showroom()
    result = runner.invoke(args=["showrooms", "add-staff", "Quan.Ly@Diem.Example", "--showroom", showroom.slug,
                                 "--role", "manager", "--name", "Quản Lý", "--password", "mật khẩu đủ dài"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "quan.ly@diem.example"))
    assert user.role == Role.SHOWROOM_STAFF and user.location_id == showroom.location_id
    assert db.session.scalar(sa.select(ShowroomMember.role).where(ShowroomMember.user_id == user.id)) == StaffRole.MANAGER


def test_add_staff_refuses_an_unknown_showroom(runner):
    result = runner.invoke(args=["showrooms", "add-staff", "a@b.example", "--showroom", "nowhere",
                                 "--password", "mật khẩu đủ dài"])
    assert result.exit_code != 0 and "nowhere" in result.output


def test_the_demo_has_two_hanoi_showrooms_with_received_lots(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    showrooms = db.session.scalars(sa.select(Showroom).order_by(Showroom.name)).all()
    assert len(showrooms) == 2 and all("minh họa" in s.name for s in showrooms)
    for showroom in showrooms:
        rows = lots.lots_at(showroom.location_id)
        assert len(rows) >= 3
        for product_id in {row.product.id for row in rows}:
            assert lots.level_quantity(product_id, showroom.location_id) == lots.lot_total(product_id,
                                                                                          showroom.location_id)
    assert any(lots.expiring_lots(s.location_id, today_vn()) for s in showrooms)
    before = db.session.scalar(sa.select(sa.func.sum(StockLevel.quantity)))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Showroom)) == 2
    assert db.session.scalar(sa.select(sa.func.sum(StockLevel.quantity))) == before


def test_the_demo_showrooms_have_a_few_till_sales_recorded_once(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    sales_count = db.session.scalar(sa.select(sa.func.count()).select_from(PosSale))
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry).where(SaleEntry.channel == "showroom"))
    # Six at the demo showrooms' counters today, plus the till sales of the demo statement's month.
    assert sales_count >= 6 and entries >= sales_count
    result = runner.invoke(args=["demo", "load"])
    assert "0 till sales recorded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == sales_count
