"""Consignments, lots and counts: stock is conserved, never negative, kept per lot and equal to the level."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms import consignments, lots, services
from marketplace.showrooms.models import ConsignmentEvent, ConsignmentKind, StaffRole
from marketplace.showrooms.status import ConsignmentStatus
from marketplace.statemachine import InvalidTransition
from marketplace.stock.models import MovementKind, StockLevel, StockMovement
from marketplace.stock.services import OutOfStock, available_online
from tests.factories import make_producer, make_product, make_user
from tests.showrooms.helpers import deliver, make_showroom, make_staff


def _movements(reference: str) -> list[StockMovement]:
    return list(db.session.scalars(sa.select(StockMovement).where(StockMovement.reference == reference)
                                   .order_by(StockMovement.id)))


def _assert_level_is_sum_of_lots(product, showroom):
    assert lots.level_quantity(product.id, showroom.location_id) == lots.lot_total(product.id, showroom.location_id)


def test_a_recorded_delivery_moves_nothing_until_received():
    showroom, product = make_showroom(), make_product(stock=0)
    manager = make_staff(showroom)
    consignment = consignments.record_delivery(
        showroom, product.producer_id, [consignments.DeliveryLine(product.id, 12, "A-01", today_vn() + timedelta(90))],
        actor=manager)
    assert consignment.number.startswith("KG-") and consignment.status == ConsignmentStatus.RECORDED
    assert lots.level_quantity(product.id, showroom.location_id) == 0
    line = consignments.lines_of(consignment)[0]
    consignments.receive(consignment, {line.id: 12}, {}, actor=manager)
    assert consignment.status == ConsignmentStatus.RECEIVED
    assert lots.level_quantity(product.id, showroom.location_id) == 12
    moves = _movements(f"consignment:{consignment.number}")
    assert [(m.kind, m.quantity_change, m.quantity_after) for m in moves] == [(MovementKind.RECEIPT, 12, 12)]
    events = db.session.scalars(sa.select(ConsignmentEvent).where(ConsignmentEvent.consignment_id == consignment.id)
                                .order_by(ConsignmentEvent.id)).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        (None, ConsignmentStatus.RECORDED, manager.id), (ConsignmentStatus.RECORDED, ConsignmentStatus.RECEIVED, manager.id)]
    _assert_level_is_sum_of_lots(product, showroom)


def test_a_round_trip_conserves_stock_and_the_warehouse_is_untouched():
    showroom, product = make_showroom(), make_product(stock=7)
    manager = make_staff(showroom)
    deliver(showroom, product, 10, "R-1", today_vn() + timedelta(days=60), actor=manager)
    lot = lots.lots_at(showroom.location_id)[0].lot
    back = consignments.record_return(showroom, {lot.id: 10}, actor=manager, reason="seasonal end")
    assert back.kind == ConsignmentKind.RETURN and back.status == ConsignmentStatus.RECEIVED
    assert lots.level_quantity(product.id, showroom.location_id) == 0
    assert lots.lot_total(product.id, showroom.location_id) == 0
    changes = [m.quantity_change for m in _movements(f"consignment:{back.number}")]
    assert changes == [-10]
    # The producer's online stock never moved.
    assert available_online([product.id])[product.id] == 7


def test_a_count_difference_needs_a_reason_and_is_recorded():
    showroom, product = make_showroom(), make_product(stock=0)
    manager = make_staff(showroom)
    consignment = consignments.record_delivery(
        showroom, product.producer_id, [consignments.DeliveryLine(product.id, 20, "D-1", None)], actor=manager)
    line = consignments.lines_of(consignment)[0]
    with pytest.raises(DomainError):
        consignments.receive(consignment, {line.id: 18}, {line.id: "  "}, actor=manager)
    assert consignment.status == ConsignmentStatus.RECORDED
    assert lots.level_quantity(product.id, showroom.location_id) == 0
    consignments.receive(consignment, {line.id: 18}, {line.id: "2 jars broken in transport"}, actor=manager)
    line = consignments.lines_of(consignment)[0]
    assert (line.quantity, line.counted_quantity, line.difference_reason) == (20, 18, "2 jars broken in transport")
    assert lots.level_quantity(product.id, showroom.location_id) == 18
    assert _movements(f"consignment:{consignment.number}")[0].reason == "2 jars broken in transport"


def test_a_return_never_takes_a_lot_below_zero():
    showroom, product = make_showroom(), make_product(stock=0)
    manager = make_staff(showroom)
    deliver(showroom, product, 3, "N-1", actor=manager)
    lot = lots.lots_at(showroom.location_id)[0].lot
    with pytest.raises(DomainError):
        consignments.record_return(showroom, {lot.id: 4}, actor=manager, reason="expired")
    assert lots.level_quantity(product.id, showroom.location_id) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement)
                             .where(StockMovement.kind == MovementKind.RETURN)) == 0
    with pytest.raises(lots.NotEnoughInLot):
        lots.change_lot_stock(lot, showroom.location_id, -4, MovementKind.RETURN, reason="direct")
    assert lots.level_quantity(product.id, showroom.location_id) == 3


def test_fefo_takes_the_earliest_best_before_first_and_undated_lots_last():
    showroom, product = make_showroom(), make_product(stock=0)
    today = today_vn()
    deliver(showroom, product, 5, "LATE", today + timedelta(days=200))
    deliver(showroom, product, 4, "NODATE", None)
    deliver(showroom, product, 3, "SOON", today + timedelta(days=10))
    deliver(showroom, product, 2, "MID", today + timedelta(days=50))
    picks = lots.fefo(showroom.location_id, product.id, 7)
    assert [(lot.code, n) for lot, n in picks] == [("SOON", 3), ("MID", 2), ("LATE", 2)]
    picks = lots.fefo(showroom.location_id, product.id, 14)
    assert [(lot.code, n) for lot, n in picks] == [("SOON", 3), ("MID", 2), ("LATE", 5), ("NODATE", 4)]
    with pytest.raises(OutOfStock):
        lots.fefo(showroom.location_id, product.id, 15)
    # FEFO only chooses: nothing was taken.
    assert lots.level_quantity(product.id, showroom.location_id) == 14


def test_the_stock_level_equals_the_sum_of_lots_after_every_kind_of_change():
    showroom, product = make_showroom(), make_product(stock=0)
    manager = make_staff(showroom)
    deliver(showroom, product, 6, "S-1", today_vn() + timedelta(days=20), actor=manager)
    deliver(showroom, product, 9, "S-2", today_vn() + timedelta(days=40), actor=manager)
    _assert_level_is_sum_of_lots(product, showroom)
    rows = {row.lot.code: row.lot for row in lots.lots_at(showroom.location_id)}
    consignments.record_return(showroom, {rows["S-1"].id: 2}, actor=manager, reason="damaged")
    _assert_level_is_sum_of_lots(product, showroom)
    lots.count_lots(showroom.location_id, {rows["S-1"].id: 3, rows["S-2"].id: 10}, reason="monthly count",
                    reference="count:test")
    _assert_level_is_sum_of_lots(product, showroom)
    assert lots.level_quantity(product.id, showroom.location_id) == 13


def test_counts_become_adjustments_with_the_reason():
    showroom, product = make_showroom(), make_product(stock=0)
    deliver(showroom, product, 10, "C-1")
    deliver(showroom, product, 5, "C-2")
    rows = {row.lot.code: row.lot for row in lots.lots_at(showroom.location_id)}
    with pytest.raises(lots.LotError):
        lots.count_lots(showroom.location_id, {rows["C-1"].id: 8}, reason="", reference="count:x")
    assert lots.level_quantity(product.id, showroom.location_id) == 15
    changed = lots.count_lots(showroom.location_id, {rows["C-1"].id: 8, rows["C-2"].id: 5},
                              reason="shelf count 02/12", reference="count:x")
    assert changed == 1
    moves = _movements("count:x")
    assert [(m.kind, m.quantity_change, m.reason) for m in moves] == [
        (MovementKind.ADJUSTMENT, -2, "shelf count 02/12")]


def test_lots_expiring_within_30_days_are_listed():
    showroom, product = make_showroom(), make_product(stock=0)
    today = today_vn()
    deliver(showroom, product, 1, "PAST", today - timedelta(days=1))
    deliver(showroom, product, 1, "IN30", today + timedelta(days=30))
    deliver(showroom, product, 1, "IN31", today + timedelta(days=31))
    deliver(showroom, product, 1, "NONE", None)
    assert [row.lot.code for row in lots.expiring_lots(showroom.location_id, today)] == ["PAST", "IN30"]


def test_a_producer_consigns_only_its_own_products_and_a_lot_keeps_its_date():
    showroom = make_showroom()
    mine, theirs = make_product(stock=0), make_product(stock=0)
    with pytest.raises(DomainError):
        consignments.record_delivery(showroom, mine.producer_id,
                                     [consignments.DeliveryLine(theirs.id, 1, "X", None)], actor=None)
    deliver(showroom, mine, 1, "LOT-9", today_vn() + timedelta(days=5))
    with pytest.raises(DomainError):
        consignments.record_delivery(showroom, mine.producer_id,
                                     [consignments.DeliveryLine(mine.id, 1, "LOT-9", today_vn())], actor=None)


@pytest.mark.parametrize("quantity", [0, -1, 10**9])
def test_bad_quantities_are_refused(quantity):
    showroom, product = make_showroom(), make_product(stock=0)
    with pytest.raises(DomainError):
        consignments.record_delivery(showroom, product.producer_id,
                                     [consignments.DeliveryLine(product.id, quantity, "Q", None)], actor=None)


def test_a_received_or_cancelled_consignment_cannot_change_again():
    showroom, product = make_showroom(), make_product(stock=0)
    received = deliver(showroom, product, 2)
    with pytest.raises(InvalidTransition):
        consignments.cancel(received, actor=None)
    recorded = consignments.record_delivery(showroom, product.producer_id,
                                            [consignments.DeliveryLine(product.id, 2, "Z", None)], actor=None)
    consignments.cancel(recorded, actor=None, reason="wrong showroom")
    line = consignments.lines_of(recorded)[0]
    with pytest.raises(InvalidTransition):
        consignments.receive(recorded, {line.id: 2}, {}, actor=None)
    assert lots.level_quantity(product.id, showroom.location_id) == 2


def test_staff_membership_keeps_the_users_location_pointing_at_a_showroom():
    first, second = make_showroom(), make_showroom()
    user = make_user()
    services.add_member(first, user, StaffRole.CLERK)
    services.add_member(second, user, StaffRole.MANAGER)
    assert user.role == Role.SHOWROOM_STAFF and user.location_id == first.location_id
    services.remove_member(first, user)
    assert user.location_id == second.location_id
    services.remove_member(second, user)
    assert user.role == Role.CONSUMER and user.location_id is None
    with pytest.raises(services.StaffError):
        services.add_member(first, make_user(role=Role.PRODUCER, producer=make_producer()), StaffRole.CLERK)


def test_showrooms_holding_a_product_are_the_active_ones_with_units():
    product = make_product(stock=0)
    a, b, closed = make_showroom("Điểm A"), make_showroom("Điểm B"), make_showroom("Điểm Đóng")
    deliver(a, product, 2)
    deliver(closed, product, 2, "L2")
    services.set_active(closed, False)
    assert [s.name for s in services.showrooms_holding(product.id)] == ["Điểm A"]
    assert b not in services.showrooms_holding(product.id)
    assert db.session.scalar(sa.select(StockLevel.quantity).where(StockLevel.location_id == a.location_id)) == 2


def test_receiving_twice_is_refused_and_counts_once():
    showroom, product = make_showroom(), make_product(stock=0)
    consignment = deliver(showroom, product, 5)
    line = consignments.lines_of(consignment)[0]
    with pytest.raises(InvalidTransition):
        consignments.receive(consignment, {line.id: 5}, {}, actor=None)
    assert lots.level_quantity(product.id, showroom.location_id) == 5
