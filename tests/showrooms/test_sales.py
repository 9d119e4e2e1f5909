"""POS sales: complete_sale (idempotent, FEFO, refusals, discount limit, cash change), void_sale, lookups."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.dates import VIETNAM
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.settlements import services as settlements
from marketplace.showrooms import lots, sales, till_lookup
from marketplace.showrooms.models import PosSale, PosSaleEvent, StaffRole
from marketplace.showrooms.status import PosSaleStatus
from marketplace.statemachine import InvalidTransition
from tests.factories import make_product
from tests.showrooms.helpers import deliver, make_showroom, make_staff

CASH = sales.PaymentInput("cash", cash_received_vnd=10**9)


@pytest.fixture()
def shop(app):
    showroom = make_showroom()
    showroom.max_discount_bp = 1000
    staff = make_staff(showroom, StaffRole.CLERK)
    product = make_product("Nước mắm Phú Quốc", price_vnd=100000, barcode="8934563138165", sku="NM-40")
    deliver(showroom, product, 3, lot="EARLY", best_before=date(2027, 1, 1))
    deliver(showroom, product, 5, lot="LATE", best_before=date(2027, 6, 1))
    return showroom, staff, product


def _entries(reference=None):
    query = sa.select(SaleEntry).order_by(SaleEntry.id)
    if reference:
        query = query.where(SaleEntry.reference.like(f"{reference}%"))
    return list(db.session.scalars(query))


def test_sale_takes_first_expiring_lot_first_and_writes_the_ledger(shop):
    showroom, staff, product = shop
    sale = sales.complete_sale(showroom, [sales.LineInput(product.id, 4)], CASH, "client-0001", staff)
    assert sale.number.startswith("BL-") and sale.total_vnd == 400000
    by_lot = {row.lot.code: row.quantity for row in lots.lots_at(showroom.location_id, include_empty=True)}
    assert by_lot == {"EARLY": 0, "LATE": 4}
    assert lots.level_quantity(product.id, showroom.location_id) == 4
    entries = _entries("pos:")
    assert sum(e.quantity for e in entries) == 4 and sum(e.total_vnd for e in entries) == 400000
    assert {(e.channel, e.location_id) for e in entries} == {("showroom", showroom.location_id)}
    assert [line.lot.code for line in sales.sale_lines(sale)] == ["EARLY", "LATE"]


def test_the_same_client_id_twice_is_one_sale(shop):
    showroom, staff, product = shop
    first = sales.complete_sale(showroom, [sales.LineInput(product.id, 1)], CASH, "client-0002", staff)
    again = sales.complete_sale(showroom, [sales.LineInput(product.id, 1)], CASH, "client-0002", staff)
    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 1
    assert len(_entries("pos:")) == 1 and lots.level_quantity(product.id, showroom.location_id) == 7


def test_no_stock_is_refused_naming_the_product_and_changes_nothing(shop):
    showroom, staff, product = shop
    with pytest.raises(sales.SaleConflict, match="Nước mắm Phú Quốc"):
        sales.complete_sale(showroom, [sales.LineInput(product.id, 9)], CASH, "client-0003", staff)
    assert lots.level_quantity(product.id, showroom.location_id) == 8
    assert _entries() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 0


def test_discount_limit_and_exact_ledger_amounts(shop):
    showroom, staff, product = shop
    with pytest.raises(sales.SaleError, match="vượt mức tối đa"):
        sales.complete_sale(showroom, [sales.LineInput(product.id, 3)],
                            sales.PaymentInput("card", discount_vnd=30001), "client-0004", staff)
    sale = sales.complete_sale(showroom, [sales.LineInput(product.id, 3, discount_vnd=1)],
                               sales.PaymentInput("card", discount_vnd=29999), "client-0005", staff)
    assert sale.total_vnd == 270000 and sale.cash_received_vnd is None
    assert sum(e.total_vnd for e in _entries("pos:")) == 270000


def test_cash_change_and_too_little_cash(shop):
    showroom, staff, product = shop
    with pytest.raises(sales.SaleError, match="Tiền khách đưa"):
        sales.complete_sale(showroom, [sales.LineInput(product.id, 1)],
                            sales.PaymentInput("cash", cash_received_vnd=99999), "client-0006", staff)
    sale = sales.complete_sale(showroom, [sales.LineInput(product.id, 1)],
                               sales.PaymentInput("cash", cash_received_vnd=200000), "client-0007", staff)
    assert (sale.cash_received_vnd, sale.change_vnd) == (200000, 100000)


@pytest.mark.parametrize("quantity", [0, -1, 10**9, "2", True])
def test_bad_quantities_are_refused(shop, quantity):
    showroom, staff, product = shop
    with pytest.raises(sales.SaleError):
        sales.complete_sale(showroom, [sales.LineInput(product.id, quantity)], CASH, "client-0008", staff)
    assert _entries() == []


def test_a_product_not_held_here_is_refused(shop):
    showroom, staff, _product = shop
    other = make_product()
    with pytest.raises(sales.SaleError, match="không bán sản phẩm này"):
        sales.complete_sale(showroom, [sales.LineInput(other.id, 1)], CASH, "client-0009", staff)


def test_void_reverses_ledger_and_puts_units_back_in_their_lots(shop):
    showroom, staff, product = shop
    manager = make_staff(showroom, StaffRole.MANAGER)
    sale = sales.complete_sale(showroom, [sales.LineInput(product.id, 4)], CASH, "client-0010", staff)
    with pytest.raises(sales.SaleError):
        sales.void_sale(sale, manager, " ")
    sales.void_sale(sale, manager, "Khách đổi ý")
    assert sale.status == PosSaleStatus.VOIDED
    by_lot = {row.lot.code: row.quantity for row in lots.lots_at(showroom.location_id)}
    assert by_lot == {"EARLY": 3, "LATE": 5}
    entries = _entries("pos:")
    assert sum(e.quantity for e in entries) == 0 and sum(e.total_vnd for e in entries) == 0
    assert len([e for e in entries if e.reverses_id]) == len([e for e in entries if not e.reverses_id])
    events = db.session.scalars(sa.select(PosSaleEvent).where(PosSaleEvent.sale_id == sale.id)).all()
    assert [e.to_status for e in events] == [PosSaleStatus.COMPLETED, PosSaleStatus.VOIDED]
    with pytest.raises(InvalidTransition):
        sales.void_sale(sale, manager, "again")


def test_lookup_by_barcode_sku_and_words(shop):
    showroom, _staff, product = shop
    assert [i.product_id for i in till_lookup.find(showroom, "8934563138165")] == [product.id]
    assert [i.product_id for i in till_lookup.find(showroom, "nm-40")] == [product.id]
    assert [i.product_id for i in till_lookup.find(showroom, "nuoc mam")] == [product.id]
    assert till_lookup.find(showroom, "nuoc mam")[0].available == 8
    with pytest.raises(till_lookup.BarcodeError, match="số kiểm tra"):
        till_lookup.find(showroom, "8934563138166")
    with pytest.raises(till_lookup.BarcodeError, match="không bán sản phẩm nào"):
        till_lookup.find(showroom, "4006381333931")


def test_a_till_sale_is_settled_at_the_showrooms_commission_and_owed_by_the_showroom(shop):
    """A till sale goes into the producer's statement in its showroom's section, at the showroom's rate, and
    the showroom (which took the money) owes the producer the rest; OCOP Market owes nothing for it."""
    showroom, staff, product = shop
    sale = sales.complete_sale(showroom, [sales.LineInput(product.id, 2)], CASH, "client-settle", staff)
    assert settlements.unsettled_total(product.producer_id) == (1, 200000)
    day = sale.occurred_at.astimezone(VIETNAM).date()
    statement = settlements.build_statement(product.producer, day, day, today=date(2099, 1, 1))
    [section] = statement.sections
    assert (section.channel, section.showroom_id, section.collected_by) == ("showroom", showroom.id, "showroom")
    assert section.commission_rate_bp == showroom.commission_rate_bp == 1500
    assert (section.sales_vnd, section.commission_vnd, section.due_vnd) == (200000, 30000, 170000)
    assert statement.showroom_payable_vnd == 170000 and statement.net_payable_vnd == 0
