"""Click and collect, the order side: pickup is offered only where a showroom holds every item, the units are held
at the showroom by lot (first expiring first), the hand-over records one ledger sale per line on the showroom
channel with the showroom's location, and cancelling or expiring puts every unit back into the lot it came from."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SHOWROOM_CHANNEL, SaleEntry
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle, pickups
from marketplace.orders.models import ProducerOrder
from marketplace.orders.queries import SUB_ORDER_GRAPH
from marketplace.orders.status import OrderStatus
from marketplace.payments import expiry
from marketplace.showrooms import lots
from marketplace.showrooms import pickups as holds
from marketplace.showrooms.models import Pickup
from marketplace.statemachine import InvalidTransition
from marketplace.stock.services import OutOfStock
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import address, stock_of
from tests.showrooms.helpers import deliver, make_showroom, make_staff

S = OrderStatus


@pytest.fixture()
def shop(app):
    """A producer with two products, a showroom holding both (one in two lots), a second holding only one."""
    producer = make_producer(shipping_fee_vnd=30000)
    tea = make_product("Trà Shan tuyết", producer=producer, price_vnd=120000, stock=10)
    honey = make_product("Mật ong bạc hà", producer=producer, price_vnd=200000, stock=10)
    showroom = make_showroom("Điểm OCOP Hoàn Kiếm")
    deliver(showroom, tea, 2, lot="TEA-LATE", best_before=date(2027, 6, 1))
    deliver(showroom, tea, 1, lot="TEA-SOON", best_before=date(2027, 1, 1))
    deliver(showroom, honey, 2, lot="HONEY-1", best_before=date(2027, 3, 1))
    partial = make_showroom("Điểm OCOP Bát Tràng")
    deliver(partial, tea, 5, lot="TEA-B", best_before=date(2027, 2, 1))
    buyer = make_user("buyer@example.test")
    return producer, tea, honey, showroom, partial, buyer


def _order(buyer, items, *, method="cod", pickup=None):
    for product, quantity in items:
        carts.add_to_cart(product.id, quantity, user=buyer)
    order, _created = checkout.place_order(buyer, address=address(), payment_method=method,
                                           token=checkout.new_checkout_token(), pickups=pickup)
    db.session.flush()
    return order


def _sub(order):
    """The order's one sub-order, read with everything its actions use."""
    return db.session.scalars(sa.select(ProducerOrder).where(ProducerOrder.order_id == order.id)
                              .options(*SUB_ORDER_GRAPH)).one()


def _lot_units(showroom, product):
    return {row.lot.code: row.quantity for row in lots.lots_at(showroom.location_id, product_id=product.id,
                                                                include_empty=True)}


def test_pickup_is_offered_only_at_showrooms_holding_every_item(shop):
    """A showroom with the tea but not the honey is not offered for a part with both; with tea alone it is."""
    producer, tea, honey, showroom, partial, buyer = shop
    carts.add_to_cart(tea.id, 2, user=buyer)
    carts.add_to_cart(honey.id, 1, user=buyer)
    offers = checkout.pickup_offers(carts.load_cart(user=buyer))
    assert [s.id for s in offers[producer.id]] == [showroom.id]
    carts.set_quantity(honey.id, 3, user=buyer)  # more honey than the showroom holds
    assert checkout.pickup_offers(carts.load_cart(user=buyer))[producer.id] == []
    carts.remove_from_cart(honey.id, user=buyer)
    assert {s.id for s in checkout.pickup_offers(carts.load_cart(user=buyer))[producer.id]} == {showroom.id, partial.id}


def test_a_pickup_order_holds_the_units_at_the_showroom_first_expiring_first_with_no_shipping_fee(shop):
    """The sub-order's location is the showroom's, its channel "showroom", no fee; the warehouse is untouched."""
    producer, tea, honey, showroom, partial, buyer = shop
    order = _order(buyer, [(tea, 2), (honey, 1)], pickup={producer.id: showroom.id})
    sub = order.producer_orders[0]
    assert sub.is_pickup and sub.sales_channel == SHOWROOM_CHANNEL and sub.location_id == showroom.location_id
    assert sub.shipping_fee_vnd == 0 and order.shipping_vnd == 0 and order.total_vnd == 2 * 120000 + 200000
    assert sub.status == S.PLACED  # to pay at the counter, waiting for the showroom to prepare it
    assert _lot_units(showroom, tea) == {"TEA-SOON": 0, "TEA-LATE": 1}
    assert _lot_units(showroom, honey) == {"HONEY-1": 1}
    assert lots.level_quantity(tea.id, showroom.location_id) == lots.lot_total(tea.id, showroom.location_id) == 1
    assert stock_of(tea) == 10 + 5 + 1  # warehouse 10, the other showroom 5, this one 1 left
    held = holds.pickup_for(sub.id)
    assert sorted((row.lot.code, row.quantity) for row in held.lots) == [("HONEY-1", 1), ("TEA-LATE", 1),
                                                                        ("TEA-SOON", 1)]


def test_a_showroom_that_does_not_hold_everything_is_refused_and_nothing_is_kept(shop):
    """Choosing a showroom missing an item (or an unknown id) is refused with the field named; no order."""
    producer, tea, honey, showroom, partial, buyer = shop
    carts.add_to_cart(tea.id, 1, user=buyer)
    carts.add_to_cart(honey.id, 1, user=buyer)
    for bad in (partial.id, 0, 10**9):
        with pytest.raises(checkout.InvalidPickup) as refused:
            checkout.place_order(buyer, address=address(), payment_method="cod", token=checkout.new_checkout_token(),
                                 pickups={producer.id: bad})
        assert f"pickup_{producer.id}" in refused.value.details["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == 0
    assert _lot_units(partial, tea) == {"TEA-B": 5}


def test_stock_gone_between_the_offer_and_the_order_is_refused_and_rolled_back(shop):
    """If the lots hold too few units at placement, OutOfStock says what is left and nothing is held."""
    producer, tea, honey, showroom, partial, buyer = shop
    carts.add_to_cart(tea.id, 3, user=buyer)
    summary = carts.load_cart(user=buyer)
    chosen = {producer.id: showroom}
    lots.change_lot_stock(lots.lot_for(tea.id, "TEA-LATE", date(2027, 6, 1)), showroom.location_id, -1,
                          "adjustment", reason="broken jar")
    with pytest.raises(OutOfStock) as short:
        checkout._create_order(buyer, summary, address=address(), payment_method=checkout.PaymentMethod.COD,
                               token="race-token-1", pickups=chosen)
    assert short.value.shortages == {tea.id: 2}
    assert _lot_units(showroom, tea) == {"TEA-SOON": 1, "TEA-LATE": 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == 0


def test_hand_over_paid_at_the_counter_records_one_ledger_sale_per_line_on_the_showroom_channel(shop):
    """Prepare, then hand over with cash: one ledger entry per order line, channel showroom, the showroom's
    location, payment "cash"; nothing recorded before the hand-over."""
    producer, tea, honey, showroom, partial, buyer = shop
    order = _order(buyer, [(tea, 2), (honey, 1)], pickup={producer.id: showroom.id})
    sub = order.producer_orders[0]
    clerk = make_staff(showroom)
    pickups.prepare(sub, actor=clerk)
    assert sub.status == S.READY_FOR_PICKUP and holds.pickup_for(sub.id).collect_by > utcnow()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 0
    with pytest.raises(pickups.PickupError):
        pickups.hand_over(sub, actor=clerk, counter_payment_method="")
    with pytest.raises(pickups.PickupError):
        pickups.hand_over(sub, actor=clerk, counter_payment_method="bitcoin")
    pickups.hand_over(sub, actor=clerk, counter_payment_method="cash")
    entries = list(db.session.scalars(sa.select(SaleEntry).order_by(SaleEntry.id)))
    assert sorted((e.product_id, e.quantity, e.channel, e.location_id, e.payment_method) for e in entries) == sorted([
        (tea.id, 2, SHOWROOM_CHANNEL, showroom.location_id, "cash"),
        (honey.id, 1, SHOWROOM_CHANNEL, showroom.location_id, "cash")])
    assert sorted(e.order_line_id for e in entries) == sorted(line.id for line in sub.lines)
    assert sub.status == S.DELIVERED and sub.paid_at is not None and sub.sale_recorded_at is not None
    assert [e.reason for e in sub.events][-1] == pickups.REASON_COLLECTED
    assert _lot_units(showroom, tea) == {"TEA-SOON": 0, "TEA-LATE": 1}  # sold, not put back
    with pytest.raises(pickups.PickupError):
        pickups.hand_over(sub, actor=clerk, counter_payment_method="cash")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 2


def test_a_pickup_paid_online_is_recorded_at_hand_over_with_its_online_method(shop):
    """Card: paid first (no ledger yet: the goods are still at the showroom), then prepared and handed over."""
    producer, tea, honey, showroom, partial, buyer = shop
    order = _order(buyer, [(tea, 1)], method="card", pickup={producer.id: showroom.id})
    sub = order.producer_orders[0]
    with pytest.raises(pickups.PickupError):
        pickups.prepare(sub, actor=buyer)  # not paid yet
    lifecycle.change_status(sub, S.PAID)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 0
    pickups.prepare(sub, actor=buyer)
    pickups.hand_over(sub, actor=buyer, counter_payment_method="cash")  # ignored: already paid
    entry = db.session.scalars(sa.select(SaleEntry)).one()
    assert (entry.channel, entry.location_id, entry.payment_method, entry.quantity) == (
        SHOWROOM_CHANNEL, showroom.location_id, "card", 1)
    assert holds.pickup_for(sub.id).counter_payment_method is None


def test_cancelling_puts_every_unit_back_into_the_lot_it_came_from(shop):
    """The buyer cancels a pickup (ready, to pay at the counter): each lot gets its units back, once."""
    producer, tea, honey, showroom, partial, buyer = shop
    before = _lot_units(showroom, tea)
    order = _order(buyer, [(tea, 2)], pickup={producer.id: showroom.id})
    sub = order.producer_orders[0]
    pickups.prepare(sub, actor=buyer)
    lifecycle.cancel_sub_order(sub, actor=buyer, reason="changed my mind")
    assert _lot_units(showroom, tea) == before
    assert lots.level_quantity(tea.id, showroom.location_id) == 3
    assert holds.pickup_for(sub.id).released_at is not None
    holds.release(holds.pickup_for(sub.id), reference="again")  # a second release changes nothing
    assert _lot_units(showroom, tea) == before


def test_an_unpaid_card_pickup_expires_and_releases_the_showroom_units(shop):
    """The expiry job cancels a card pickup left unpaid; its units are back in their lots."""
    producer, tea, honey, showroom, partial, buyer = shop
    order = _order(buyer, [(tea, 3)], method="vietqr", pickup={producer.id: showroom.id})
    assert lots.level_quantity(tea.id, showroom.location_id) == 0
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert [o.id for o in expiry.expired_unpaid_orders()] == [order.id]
    expiry.expire_unpaid_order(order)
    assert order.producer_orders[0].status == S.CANCELLED
    assert _lot_units(showroom, tea) == {"TEA-SOON": 1, "TEA-LATE": 2}


def test_an_uncollected_pickup_to_pay_at_the_counter_is_cancelled_after_its_time_a_paid_one_is_not(shop):
    """Past collect-by: the unpaid one is cancelled (units back), the paid one waits for the staff."""
    producer, tea, honey, showroom, partial, buyer = shop
    unpaid = _sub(_order(buyer, [(tea, 1)], pickup={producer.id: showroom.id}))
    paid = _sub(_order(buyer, [(honey, 1)], method="card", pickup={producer.id: showroom.id}))
    lifecycle.change_status(paid, S.PAID)
    for sub in (unpaid, paid):
        pickups.prepare(sub, actor=buyer)
    assert expiry.expire_uncollected_pickups() == 0  # not yet
    later = utcnow() + timedelta(days=pickups.hold_days(), minutes=1)
    assert expiry.expire_uncollected_pickups(later) == 1
    assert unpaid.status == S.CANCELLED and paid.status == S.READY_FOR_PICKUP
    assert [e.reason for e in unpaid.events][-1] == pickups.REASON_NOT_COLLECTED
    assert _lot_units(showroom, tea) == {"TEA-SOON": 1, "TEA-LATE": 2}
    assert _lot_units(showroom, honey) == {"HONEY-1": 1}


def test_a_pickup_is_never_shipped_and_a_shipped_order_is_never_ready_for_pickup(shop):
    """The pipeline refuses the other kind's path."""
    producer, tea, honey, showroom, partial, buyer = shop
    pickup_sub = _sub(_order(buyer, [(tea, 1)], pickup={producer.id: showroom.id}))
    shipped_sub = _sub(_order(buyer, [(honey, 1)]))
    with pytest.raises(InvalidTransition):
        lifecycle.ship_sub_order(pickup_sub, actor=buyer, carrier="VNPost", tracking_number="X1")
    with pytest.raises(InvalidTransition):
        lifecycle.change_status(shipped_sub, S.READY_FOR_PICKUP)
    assert not shipped_sub.is_pickup and shipped_sub.shipping_fee_vnd == 30000
    with pytest.raises(pickups.PickupError):
        pickups.prepare(shipped_sub, actor=buyer)


def test_a_cart_with_two_shops_can_collect_one_and_ship_the_other(shop):
    """Per shop: one part collected (no fee, showroom units), the other shipped (fee, warehouse units)."""
    producer, tea, honey, showroom, partial, buyer = shop
    other = make_product("Nước mắm Cát Hải", producer=make_producer(shipping_fee_vnd=25000), price_vnd=90000)
    order = _order(buyer, [(tea, 1), (other, 2)], pickup={producer.id: showroom.id})
    by_producer = {po.producer_id: po for po in order.producer_orders}
    assert by_producer[producer.id].is_pickup and by_producer[producer.id].shipping_fee_vnd == 0
    assert not by_producer[other.producer_id].is_pickup and by_producer[other.producer_id].shipping_fee_vnd == 25000
    assert order.shipping_vnd == 25000 and order.total_vnd == 120000 + 180000 + 25000
    assert stock_of(other) == 8
