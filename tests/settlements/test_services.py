"""Statements computed from the sales ledger: who collected what, commission, refunds, and settling once."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.payments import refunds
from marketplace.settlements import services
from marketplace.settlements.fees import commission_on, fees_for, order_fees
from marketplace.settlements.models import Statement, StatementEntry, StatementStatus
from tests.factories import make_producer, make_product, make_user
from tests.settlements.sample import pay_by_transfer, place, sale, vn

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER_FIRST_HALF = (date(2026, 11, 1), date(2026, 11, 15))
TODAY = date(2026, 11, 28)


def build(producer, period, **kwargs):
    return services.build_statement(producer, *period, today=TODAY, **kwargs)


def test_card_and_cod_sales_are_split_and_commission_is_taken_on_both(app):
    """Card money is paid out minus commission on everything; COD cash stays with the producer."""
    product = make_product(price_vnd=100000)
    sale(product, 2, method="card", when=vn(2026, 10, 5))
    sale(product, 1, method="vietqr", when=vn(2026, 10, 6))
    sale(product, 1, method="cod", when=vn(2026, 10, 7))
    statement = build(product.producer, OCTOBER)
    assert statement.platform_sales_vnd == 300000
    assert statement.producer_sales_vnd == 100000
    assert statement.commission_rate_bp == app.config["DEFAULT_COMMISSION_BP"] == 1000
    assert statement.commission_vnd == 40000
    assert statement.discounts_vnd == 0
    assert statement.net_payable_vnd == 300000 - 40000
    assert statement.entry_count == 3
    assert statement.status == StatementStatus.OPEN


def test_a_cod_only_producer_owes_the_commission():
    """When the producer collected all the cash itself, the net payable is negative: it owes the commission."""
    product = make_product(price_vnd=80000)
    sale(product, 3, method="cod", when=vn(2026, 10, 10))
    statement = build(product.producer, OCTOBER)
    assert statement.platform_sales_vnd == 0
    assert statement.commission_vnd == 24000
    assert statement.net_payable_vnd == -24000


def test_producer_commission_override_is_used_and_snapshotted():
    """A producer's own rate replaces the default, and a later rate change does not alter the statement."""
    producer = make_producer(commission_rate_bp=750)
    product = make_product(producer=producer, price_vnd=200000)
    sale(product, 1, when=vn(2026, 10, 3))
    statement = build(producer, OCTOBER)
    assert statement.commission_rate_bp == 750
    assert statement.commission_vnd == 15000
    producer.commission_rate_bp = 300
    db.session.flush()
    db.session.refresh(statement)
    assert statement.commission_vnd == 15000
    assert statement.net_payable_vnd == 185000


def test_commission_rounds_half_away_from_zero():
    """Commission is whole đồng; a negative base (refunds only) gives commission back symmetrically."""
    assert commission_on(12345, 1000) == 1235
    assert commission_on(12344, 1000) == 1234
    assert commission_on(-12345, 1000) == -1235
    assert commission_on(0, 1000) == 0


def test_refund_after_settlement_lands_in_the_next_period():
    """A refund of a sale already settled is not lost: the next statement deducts it and gives the commission back."""
    product = make_product(price_vnd=100000)
    entry = sale(product, 2, when=vn(2026, 10, 20))
    october = build(product.producer, OCTOBER)
    assert october.net_payable_vnd == 180000
    ledger.record_reversal(entry, occurred_at=vn(2026, 11, 3))
    november = build(product.producer, NOVEMBER_FIRST_HALF)
    assert november.platform_sales_vnd == 0
    assert november.platform_refunds_vnd == 200000
    assert november.commission_vnd == -20000
    assert november.net_payable_vnd == -180000
    db.session.refresh(october)
    assert october.net_payable_vnd == 180000 and october.entry_count == 1


def test_an_entry_written_late_is_carried_into_the_next_statement():
    """A sale dated inside an already settled period (e.g. uploaded late) is settled by the next statement."""
    product = make_product(price_vnd=50000)
    sale(product, 1, when=vn(2026, 10, 2))
    build(product.producer, OCTOBER)
    sale(product, 1, when=vn(2026, 10, 30))
    november = build(product.producer, NOVEMBER_FIRST_HALF)
    assert november.platform_sales_vnd == 50000
    assert november.entry_count == 1


def test_period_boundaries_follow_vietnam_time():
    """A sale at 00:30 on 1 November in Vietnam (17:30 UTC on 31 October) belongs to November."""
    product = make_product(price_vnd=10000)
    sale(product, 1, when=vn(2026, 10, 31, 23, 59))
    sale(product, 1, when=vn(2026, 11, 1, 0, 30))
    october = build(product.producer, OCTOBER)
    assert october.platform_sales_vnd == 10000
    assert build(product.producer, NOVEMBER_FIRST_HALF).platform_sales_vnd == 10000


def test_other_producers_sales_are_not_in_the_statement():
    """A statement contains only its own producer's ledger entries."""
    mine, theirs = make_product(price_vnd=10000), make_product(price_vnd=99000)
    sale(mine, 1, when=vn(2026, 10, 5))
    sale(theirs, 1, when=vn(2026, 10, 5))
    statement = build(mine.producer, OCTOBER)
    assert statement.platform_sales_vnd == 10000
    assert {entry.product_id for entry in services.statement_entries(statement)} == {mine.id}


def test_an_overlapping_period_is_refused():
    """Once a period has a statement, no statement of the same producer may overlap it."""
    product = make_product()
    sale(product, 1, when=vn(2026, 10, 5))
    build(product.producer, OCTOBER)
    sale(product, 1, when=vn(2026, 11, 5))
    with pytest.raises(services.PeriodAlreadySettled):
        build(product.producer, (date(2026, 10, 31), date(2026, 11, 10)))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 1


def test_a_ledger_entry_cannot_be_settled_twice_even_bypassing_the_service():
    """The database refuses a second statement line for the same sale entry."""
    product = make_product()
    entry = sale(product, 1, when=vn(2026, 10, 5))
    statement = build(product.producer, OCTOBER)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(StatementEntry(statement_id=statement.id, sale_entry_id=entry.id))
            db.session.flush()


@pytest.mark.parametrize("period, message", [
    ((date(2026, 10, 31), date(2026, 10, 1)), "end on or after"),
    ((date(2026, 11, 1), date(2026, 11, 28)), "after its last day"),
    ((date(2024, 1, 1), date(2026, 10, 31)), "at most"),
])
def test_bad_periods_are_refused(period, message):
    """Reversed, unfinished or over-long periods are refused with a clear message."""
    product = make_product()
    sale(product, 1, when=vn(2026, 10, 5))
    with pytest.raises(services.InvalidPeriod) as refused:
        build(product.producer, period)
    assert message in refused.value.message


def test_a_period_without_sales_is_refused():
    """Nothing to settle gives a message, not an empty statement."""
    with pytest.raises(services.NothingToSettle):
        build(make_producer(), OCTOBER)


def test_mark_paid_once():
    """A statement is paid out once with its bank reference; a second attempt is refused."""
    product = make_product()
    sale(product, 1, when=vn(2026, 10, 5))
    statement = build(product.producer, OCTOBER)
    admin = make_user(role=Role.ADMIN)
    services.mark_paid(statement, "  VCB 123456  ", actor=admin)
    assert statement.status == StatementStatus.PAID
    assert statement.bank_reference == "VCB 123456"
    assert statement.paid_by_id == admin.id and statement.paid_at is not None
    with pytest.raises(services.AlreadyPaid):
        services.mark_paid(statement, "VCB 999", actor=admin)
    assert statement.bank_reference == "VCB 123456"


def test_mark_paid_needs_a_reference():
    """An empty or overlong bank reference is refused and the statement stays open."""
    product = make_product()
    sale(product, 1, when=vn(2026, 10, 5))
    statement = build(product.producer, OCTOBER)
    for reference in ("", "   ", "x" * 101):
        with pytest.raises(services.DomainError):
            services.mark_paid(statement, reference, actor=make_user(role=Role.ADMIN))
    assert statement.status == StatementStatus.OPEN


def test_real_orders_settle_goods_and_shipping_and_a_full_refund_gives_both_back():
    """A prepaid order pays the producer goods + shipping - commission; its later refund is deducted next time."""
    producer = make_producer(shipping_fee_vnd=30000)
    product = make_product(producer=producer, price_vnd=100000, stock=5)
    buyer = make_user()
    order = place(buyer, [(product, 2)], method="vietqr")
    pay_by_transfer(order)
    sub_order = order.producer_orders[0]
    assert sub_order.status == "paid"
    today = today_vn()
    statement = services.build_statement(producer, today, today, today=date.fromordinal(today.toordinal() + 2))
    assert statement.platform_sales_vnd == 200000
    assert statement.shipping_fees_vnd == 30000
    assert statement.commission_vnd == 20000
    assert statement.net_payable_vnd == 210000
    fees = order_fees(sub_order)
    assert (fees.commission_rate_bp, fees.commission_vnd, fees.shipping_fee_vnd) == (1000, 20000, 30000)
    assert fees.statement.id == statement.id and fees.producer_earns_vnd == 210000
    refunds.cancel_sub_order(sub_order, actor=buyer, reason="changed my mind")
    assert sub_order.status == "refunded"
    later = date.fromordinal(today.toordinal() + 1)
    refund_statement = services.build_statement(producer, later, later,
                                                today=date.fromordinal(today.toordinal() + 2))
    assert refund_statement.platform_refunds_vnd == 200000
    assert refund_statement.shipping_fees_vnd == -30000
    assert refund_statement.net_payable_vnd == -200000 - 30000 + 20000


def _paid_sub_orders(producer, product, buyer, count):
    sub_orders = []
    for _n in range(count):
        order = place(buyer, [(product, 1)], method="vietqr")
        pay_by_transfer(order)
        sub_orders.append(order.producer_orders[0])
    return sub_orders


def test_shipping_fees_of_many_sub_orders_are_read_in_one_query(query_counter):
    """Each prepaid sub-order's shipping fee is counted once, a refunded one's given back, and the work does
    not grow by one query per sub-order."""
    producer = make_producer(shipping_fee_vnd=30000)
    product = make_product(producer=producer, price_vnd=100000, stock=20)
    buyer = make_user()
    sub_orders = _paid_sub_orders(producer, product, buyer, 4)
    entries = services.unsettled_entries(producer.id, vn(2100, 1, 1))
    with query_counter:
        assert services.shipping_fees(entries) == 4 * 30000
    assert query_counter.count == 1
    refunds.cancel_sub_order(sub_orders[0], actor=buyer, reason="changed my mind")
    reversals = [entry for entry in services.unsettled_entries(producer.id, vn(2100, 1, 1)) if entry.reverses_id]
    assert reversals and services.shipping_fees(reversals) == -30000
    assert services.shipping_fees(services.unsettled_entries(producer.id, vn(2100, 1, 1))) == 3 * 30000


def test_fees_for_a_page_of_sub_orders_matches_order_fees_in_one_query(query_counter):
    """The order list's fees: settled sub-orders keep their statement's rate, unsettled ones take today's, each
    exactly as order_fees gives it, and the settling statements are found with one query for the page."""
    producer = make_producer(shipping_fee_vnd=30000)
    product = make_product(producer=producer, price_vnd=100000, stock=20)
    buyer = make_user()
    settled = _paid_sub_orders(producer, product, buyer, 2)
    today = today_vn()
    statement = services.build_statement(producer, today, today, today=date.fromordinal(today.toordinal() + 1))
    unsettled = _paid_sub_orders(producer, product, buyer, 1)
    producer.commission_rate_bp = 500
    db.session.flush()
    page = settled + unsettled
    with query_counter:
        fees = fees_for(page)
    assert query_counter.count == 1
    assert set(fees) == {sub.id for sub in page}
    for sub in settled:
        assert fees[sub.id].statement.id == statement.id and fees[sub.id].commission_rate_bp == 1000
        assert (fees[sub.id].commission_vnd, fees[sub.id].producer_earns_vnd) == (10000, 120000)
    assert fees[unsettled[0].id].statement is None and fees[unsettled[0].id].commission_rate_bp == 500
    assert (fees[unsettled[0].id].commission_vnd, fees[unsettled[0].id].producer_earns_vnd) == (5000, 125000)
    assert all(fees[sub.id] == order_fees(sub) for sub in page)
    assert fees_for([]) == {}
