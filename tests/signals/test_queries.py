"""Demand signals computed from what the marketplace records: missed searches, stock-outs, carts not bought."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.catalog import search
from marketplace.catalog.models import ZeroResultSearch
from marketplace.catalog.status import ProductStatus
from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import lifecycle
from marketplace.orders.models import Address, Order, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.signals import queries, recording
from marketplace.signals.models import CartAddition, SearchProvince
from marketplace.stock import services as stock_services
from marketplace.stock.models import StockLevel, StockMovement
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import place


@pytest.fixture(autouse=True)
def _english(english_request_context):
    yield


def period(days_back=30):
    return queries.Period(today_vn() - timedelta(days=days_back), today_vn())


def missed(text, *, at=None, province=None):
    entry = search.record_zero_result_search(text, "vi")
    if at is not None:
        entry.created_at = at
    if province is not None:
        db.session.add(SearchProvince(search_id=entry.id, province_code=province))
    db.session.flush()
    return entry


def test_adding_to_a_cart_records_one_addition_for_users_and_guests():
    """Each add_to_cart writes one CartAddition with the shop, the buyer (none for a guest) and the units added."""
    product = make_product(stock=20)
    buyer = make_user()
    carts.add_to_cart(product.id, 2, user=buyer)
    carts.add_to_cart(product.id, 3, user=buyer)
    carts.add_to_cart(product.id, 1, guest_cart={})
    rows = db.session.execute(sa.select(CartAddition.user_id, CartAddition.quantity, CartAddition.producer_id)
                              .where(CartAddition.product_id == product.id).order_by(CartAddition.id)).all()
    assert rows == [(buyer.id, 2, product.producer_id), (buyer.id, 3, product.producer_id),
                    (None, 1, product.producer_id)]


def test_a_refused_addition_is_not_recorded():
    """Asking for more than the stock records nothing."""
    product = make_product(stock=1)
    with pytest.raises(carts.CartError):
        carts.add_to_cart(product.id, 5, user=make_user())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CartAddition)
                             .where(CartAddition.product_id == product.id)) == 0


def test_missed_searches_group_by_folded_text_with_counts_dates_and_provinces():
    """'Mật ong rừng' and 'MAT ONG RUNG' are one row; the latest typing is shown; provinces counted where known."""
    now = utcnow()
    missed("Mật ong rừng", at=now - timedelta(days=5), province=1)
    missed("MAT ONG RUNG", at=now - timedelta(days=2), province=1)
    missed("mật ong rừng", at=now - timedelta(days=1), province=79)
    missed("Nón lá bài thơ", at=now - timedelta(days=3))
    missed("Gốm cổ", at=now - timedelta(days=60))
    rows = queries.missed_searches(period())
    assert [(row.folded_query, row.count) for row in rows] == [("mat ong rung", 3), ("non la bai tho", 1)]
    honey = rows[0]
    assert honey.query == "mật ong rừng"
    assert honey.first_seen == now - timedelta(days=5) and honey.last_seen == now - timedelta(days=1)
    assert honey.provinces[0][1] == 2 and "Hà Nội" in honey.provinces[0][0]
    assert honey.provinces[1][1] == 1
    assert rows[1].provinces == ()


def test_a_producers_groups_select_the_searches_about_them():
    """A honey producer (group 1.2) sees 'mật ong rừng' and 'ngũ cốc' searches, not 'nón lá' nor 'ong vò vẽ'
    (one shared syllable of a longer search is not enough)."""
    producer = make_producer()
    make_product("Mật ong bạc hà", producer=producer, group_code="1.2")
    for text in ("mật ong rừng", "bột ngũ cốc", "nón lá bài thơ", "ong vò vẽ"):
        missed(text)
    words = queries.group_words(queries.producer_groups(producer.id))
    rows = queries.missed_searches(period(), related=words)
    assert {row.folded_query for row in rows} == {"mat ong rung", "bot ngu coc"}


def test_buyer_province_is_the_newest_address_else_the_last_order():
    """The province of a searcher: saved address first, then the last order; unknown for guests and new buyers."""
    buyer = make_user()
    assert recording.buyer_province(None) is None
    assert recording.buyer_province(buyer) is None
    place(buyer, [make_product()])
    assert recording.buyer_province(buyer) is not None
    db.session.add(Address(user_id=buyer.id, full_name="A", phone="0912345678", province_code=79, ward_code=1,
                           street="1"))
    db.session.flush()
    assert recording.buyer_province(buyer) == 79


def _date_movements(product, days_ago: list[int]):
    """Move the product's movement rows (oldest first) to these days ago."""
    movements = db.session.scalars(
        sa.select(StockMovement).join(StockLevel, StockLevel.id == StockMovement.stock_level_id)
        .where(StockLevel.product_id == product.id).order_by(StockMovement.id)).all()
    assert len(movements) == len(days_ago)
    for movement, days in zip(movements, days_ago, strict=True):
        movement.created_at = utcnow() - timedelta(days=days)
    db.session.flush()


def _run_out_and_refill(product, refill: int | None):
    level = stock_services.level_for(product.id, stock_services.warehouse_for(product.producer).id)
    stock_services.set_counted(level, 0, reason="counted")
    if refill:
        stock_services.receive(product.id, level.location_id, refill, reason="refill")


def test_products_often_out_of_stock_count_stock_outs_and_days_out():
    """Out 4 days once and back: 1 time, 4,0 days; out twice and still out: ranked first; others absent."""
    producer = make_producer()
    back = make_product("Trà xanh", producer=producer, stock=5)
    _run_out_and_refill(back, 3)
    _date_movements(back, [10, 6, 2])
    twice = make_product("Chè búp", producer=producer, stock=5)
    _run_out_and_refill(twice, 2)
    _run_out_and_refill(twice, None)
    _date_movements(twice, [20, 9, 8, 3])
    make_product("Luôn còn hàng", producer=producer, stock=5)
    rows = queries.out_of_stock(period(), producer_id=producer.id)
    assert [(row.product_name, row.times_out, row.out_now) for row in rows] == [
        ("Chè búp", 2, True), ("Trà xanh", 1, False)]
    assert rows[1].days_out == 4.0
    assert rows[0].days_out == pytest.approx(1.0 + 3.0, abs=0.1)


def test_a_stock_out_before_the_period_counts_only_its_days_inside():
    """Out since 40 days ago, period of 30 days: 0 new stock-outs, about 30 days out, out now."""
    product = make_product("Mắm tôm", stock=5)
    _run_out_and_refill(product, None)
    _date_movements(product, [50, 40])
    [row] = queries.out_of_stock(period(29), producer_id=product.producer_id)
    assert row.times_out == 0 and row.out_now
    assert 29 <= row.days_out <= 30


def test_stock_outs_of_archived_products_and_other_producers_are_not_shown():
    """A producer's list holds only its own active products."""
    mine, theirs = make_producer(), make_producer()
    archived = make_product(producer=mine, stock=2)
    _run_out_and_refill(archived, None)
    archived.status = ProductStatus.ARCHIVED
    other = make_product("Sản phẩm của người khác", producer=theirs, stock=2)
    _run_out_and_refill(other, None)
    db.session.flush()
    assert queries.out_of_stock(period(), producer_id=mine.id) == []
    assert [row.product_name for row in queries.out_of_stock(period(), producer_id=theirs.id)] == [
        "Sản phẩm của người khác"]


def test_carts_not_bought_counts_buyers_who_did_not_order_afterwards():
    """Of three signed-in buyers, one ordered, one's order was cancelled, one only added; guests apart."""
    producer = make_producer()
    product = make_product("Nước mắm", producer=producer, stock=50)
    bought, cancelled, idle = make_user(), make_user(), make_user()
    place(bought, [product])
    order = place(cancelled, [product])
    producer_order = db.session.scalar(sa.select(ProducerOrder).where(ProducerOrder.order_id == order.id))
    lifecycle.change_status(producer_order, OrderStatus.CANCELLED, actor=cancelled, reason="changed my mind")
    carts.add_to_cart(product.id, 2, user=idle)
    carts.add_to_cart(product.id, 1, user=idle)
    carts.add_to_cart(product.id, 1, guest_cart={})
    other = make_product("Của shop khác", stock=5)
    carts.add_to_cart(other.id, 1, user=idle)
    [row] = queries.carts_not_bought(period(), producer_id=producer.id)
    assert (row.product_name, row.additions, row.units, row.buyers, row.bought, row.not_bought,
            row.guest_additions) == ("Nước mắm", 5, 6, 3, 1, 2, 1)
    assert row.not_bought_percent == 67
    assert {r.product_name for r in queries.carts_not_bought(period())} >= {"Nước mắm", "Của shop khác"}


def test_an_order_before_the_addition_does_not_count_as_buying_it():
    """A buyer who ordered last month and adds it again today without ordering has not bought."""
    product = make_product(stock=20)
    buyer = make_user()
    place(buyer, [product])
    db.session.execute(sa.update(CartAddition).values(created_at=utcnow() - timedelta(days=40)))
    db.session.execute(sa.update(Order).where(Order.buyer_id == buyer.id).values(created_at=utcnow() - timedelta(days=40)))
    carts.add_to_cart(product.id, 1, user=buyer)
    [row] = queries.carts_not_bought(period(), producer_id=product.producer_id)
    assert (row.buyers, row.bought) == (1, 0)


def test_period_is_read_leniently():
    """Bad dates are reported and replaced; swapped dates are swapped; defaults are the last 90 days."""
    today = today_vn()
    default = queries.parse_period({}, today=today)
    assert (default.date_to - default.date_from).days == queries.DEFAULT_DAYS - 1 and not default.errors
    bad = queries.parse_period({"from": "31/02/2026", "to": "x"}, today=today)
    assert len(bad.errors) == 2 and bad.date_to == today
    swapped = queries.parse_period({"from": "2026-03-10", "to": "2026-03-01"}, today=today)
    assert (swapped.date_from.day, swapped.date_to.day) == (1, 10) and swapped.errors


def test_searches_outside_the_period_are_left_out():
    """A zero-result search from 100 days ago is not in the default period."""
    entry = missed("bánh gai", at=utcnow() - timedelta(days=100))
    assert entry.folded_query not in {row.folded_query for row in queries.missed_searches(queries.parse_period({}))}
    assert db.session.get(ZeroResultSearch, entry.id) is not None
