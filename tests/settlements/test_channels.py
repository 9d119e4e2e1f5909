"""One statement per producer and period over every channel: sections per channel, showroom and collector,
commission at each section's rate in whole đồng, and every ledger entry of the period settled exactly once."""

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import period_bounds
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import SaleEntry
from marketplace.orders.models import OrderLine, ProducerOrder
from marketplace.settlements import services
from marketplace.settlements.fees import collector_of
from marketplace.settlements.labels import PRODUCER_VIEW, owed_label
from marketplace.settlements.models import Collector, Statement, StatementEntry, StatementSection
from marketplace.showrooms import sales
from tests.factories import make_product, make_user
from tests.settlements.channels import OCTOBER, TODAY, october, till
from tests.settlements.sample import place, sale, vn


def build(producer, period=OCTOBER, today=TODAY):
    return services.build_statement(producer, *period, today=today)


def _by_key(statement):
    return {(s.channel, s.showroom_name, s.collected_by): s for s in statement.sections}


def test_each_section_takes_its_own_rate_and_says_who_pays(monkeypatch):
    """Online at OCOP Market's 10 %, each showroom at its own rate; the showroom owes its till money, OCOP Market
    the online money (also for an order picked up at a showroom), and the producer owes the COD commission."""
    month = october(monkeypatch)
    statement = build(month.producer)
    sections = _by_key(statement)
    assert list(sections) == [
        ("online", "", Collector.MARKETPLACE), ("online", "", Collector.PRODUCER),
        ("showroom", "Điểm OCOP Bát Tràng", Collector.SHOWROOM),
        ("showroom", "Điểm OCOP Phố Cổ", Collector.MARKETPLACE), ("showroom", "Điểm OCOP Phố Cổ", Collector.SHOWROOM),
    ]
    online = sections[("online", "", Collector.MARKETPLACE)]
    assert (online.sales_vnd, online.refunds_vnd, online.commission_rate_bp) == (90000 + 99999, 99999, 1000)
    assert (online.commission_vnd, online.due_vnd) == (9000, 81000)
    cod = sections[("online", "", Collector.PRODUCER)]
    assert (cod.sales_vnd, cod.commission_vnd, cod.due_vnd) == (45000, 4500, -4500)
    pickup = sections[("showroom", "Điểm OCOP Phố Cổ", Collector.MARKETPLACE)]
    assert (pickup.sales_vnd, pickup.commission_rate_bp, pickup.commission_vnd, pickup.due_vnd) == (
        33333, 1500, 5000, 28333)
    old_quarter = sections[("showroom", "Điểm OCOP Phố Cổ", Collector.SHOWROOM)]
    # 3 x 45.000 + 2 x 33.333 = 201.666, minus a 1.001 đồng discount spread over the lines.
    assert old_quarter.sales_vnd == 200665 and old_quarter.commission_rate_bp == 1500
    assert old_quarter.commission_vnd == 30100  # 30.099,75 rounds to 30.100
    assert old_quarter.due_vnd == 200665 - 30100
    assert {(line.product_name, line.units_sold) for line in old_quarter.lines} == {("Gạo thử", 2),
                                                                                    ("Nước mắm thử", 3)}
    bat_trang = sections[("showroom", "Điểm OCOP Bát Tràng", Collector.SHOWROOM)]
    assert (bat_trang.sales_vnd, bat_trang.refunds_vnd) == (45000 + 133332, 133332)
    assert {(line.product_name, line.units_sold, line.units_returned) for line in bat_trang.lines} == {
        ("Gạo thử", 4, 4), ("Nước mắm thử", 1, 0)}
    assert (bat_trang.commission_rate_bp, bat_trang.commission_vnd, bat_trang.due_vnd) == (1250, 5625, 39375)
    # OCOP Market's balance: online due + pickup due - COD commission; the showrooms': their till sections.
    # (the picked-up order here is a regular order, so OCOP Market also pays its shipping fee out).
    marketplace_balance = 81000 + 28333 - 4500 + statement.shipping_fees_vnd
    assert statement.net_payable_vnd == marketplace_balance
    assert statement.showroom_payable_vnd == (200665 - 30100) + 39375
    assert services.statement_balances(statement) == [
        (None, marketplace_balance), ("Điểm OCOP Bát Tràng", 39375), ("Điểm OCOP Phố Cổ", 200665 - 30100)]


def test_commission_is_whole_dong_rounded_half_away_from_zero_per_section():
    """Each section's commission is rounded once to whole đồng; a section of returns only gives it back."""
    product = make_product(price_vnd=333)
    entries = [sale(product, 1, when=vn(2026, 10, 1)), sale(product, 1, when=vn(2026, 10, 2), method="cod")]
    [card, cod] = services.compute_sections(entries, 1500)
    assert (card.collected_by, card.commission_vnd, card.due_vnd) == (Collector.MARKETPLACE, 50, 283)  # 49,95
    assert (cod.collected_by, cod.commission_vnd, cod.due_vnd) == (Collector.PRODUCER, 50, -50)
    eighth = services.compute_sections(entries[:1], 1250)[0]
    assert eighth.commission_vnd == 42  # 41,625
    product_half = make_product(price_vnd=10005)
    [half] = services.compute_sections([sale(product_half, 1, when=vn(2026, 10, 3))], 1000)
    assert half.commission_vnd == 1001  # 1.000,5 rounds up
    for section in (card, cod, eighth, half):
        assert isinstance(section.commission_vnd, int) and isinstance(section.due_vnd, int)


def test_sum_of_all_statements_equals_the_ledger_per_channel(monkeypatch):
    """Every producer's October statement together hold exactly the ledger's October sums per channel: money
    (sales - refunds), units, and each entry once; commission + due add up to net in every section."""
    month = october(monkeypatch)
    statements = [build(month.producer), build(month.other_producer)]
    start, end = period_bounds(*OCTOBER)
    ledger = dict(db.session.execute(
        sa.select(SaleEntry.channel, sa.func.sum(SaleEntry.total_vnd))
        .where(SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end).group_by(SaleEntry.channel)).all())
    units = dict(db.session.execute(
        sa.select(SaleEntry.channel, sa.func.sum(SaleEntry.quantity))
        .where(SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end).group_by(SaleEntry.channel)).all())
    settled: dict[str, int] = {}
    settled_units: dict[str, int] = {}
    for statement in statements:
        for section in statement.sections:
            settled[section.channel] = settled.get(section.channel, 0) + section.net_sales_vnd
            settled_units[section.channel] = (settled_units.get(section.channel, 0)
                                              + section.units_sold - section.units_returned)
            if section.collected_by == Collector.PRODUCER:
                assert section.due_vnd == -section.commission_vnd
            else:
                assert section.commission_vnd + section.due_vnd == section.net_sales_vnd
            assert sum(line.net_sales_vnd for line in section.lines) == section.net_sales_vnd
        assert statement.net_sales_vnd == sum(section.net_sales_vnd for section in statement.sections)
    assert settled == ledger and settled_units == units
    assert set(ledger) == {"online", "showroom"}
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementEntry)) == entries
    assert sum(statement.entry_count for statement in statements) == entries


def test_a_till_return_after_settlement_is_carried_and_worded_as_owed_to_the_showroom(monkeypatch):
    """A till sale settled in October and voided in November: November's statement has the showroom section
    negative, and the producer reads that it owes the showroom, not a bare negative number."""
    month = october(monkeypatch)
    build(month.producer)
    late = till(month.old_quarter, month.manager, [(month.fish_sauce, 1)], "till-oq-0003", vn(2026, 10, 30))
    build(month.producer, (date(2026, 11, 1), date(2026, 11, 15)))  # the late 30 October sale is carried here
    monkeypatch.setattr("marketplace.ledger.services.utcnow", lambda: vn(2026, 11, 20))
    sales.void_sale(late, month.manager, "customer brought it back")
    november = build(month.producer, (date(2026, 11, 16), date(2026, 11, 30)), today=date(2026, 12, 5))
    [section] = november.sections
    assert (section.channel, section.showroom_name, section.collected_by) == (
        "showroom", "Điểm OCOP Phố Cổ", Collector.SHOWROOM)
    assert (section.sales_vnd, section.refunds_vnd, section.commission_vnd, section.due_vnd) == (
        0, 45000, -6750, -38250)
    assert november.showroom_payable_vnd == -38250 and november.net_payable_vnd == 0
    assert owed_label(-38250, view=PRODUCER_VIEW, showroom="Điểm OCOP Phố Cổ") == \
        "You owe Điểm OCOP Phố Cổ 38.250\xa0₫"


def test_void_and_rebuild_settles_each_entry_once_with_the_same_sections(monkeypatch):
    """Voiding releases every entry of every channel; the rebuilt statement takes them all again, once."""
    month = october(monkeypatch)
    first = build(month.producer)
    figures = sorted((s.channel, s.showroom_name, s.collected_by, s.net_sales_vnd, s.due_vnd) for s in first.sections)
    count = first.entry_count
    services.void_statement(first, "built with the wrong period", actor=None)
    second = build(month.producer)
    assert sorted((s.channel, s.showroom_name, s.collected_by, s.net_sales_vnd, s.due_vnd)
                  for s in second.sections) == figures
    settled = db.session.scalars(sa.select(StatementEntry.statement_id)).all()
    assert len(settled) == count and set(settled) == {second.id}
    # The void statement keeps its frozen sections on record.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementSection)
                             .where(StatementSection.statement_id == first.id)) == len(figures)
    assert db.session.get(Statement, first.id).is_void


def test_who_collected_the_money_decides_the_collector():
    """On the showroom channel an online order paid online is OCOP Market's money, anything else the
    showroom's (a till card payment too); elsewhere cash on delivery is the producer's."""
    def entry(channel, method, order_line_id=None):
        return SaleEntry(channel=channel, payment_method=method, order_line_id=order_line_id)

    assert collector_of(entry("showroom", "card")) == Collector.SHOWROOM
    assert collector_of(entry("showroom", "cash")) == Collector.SHOWROOM
    assert collector_of(entry("showroom", "card", 7), {7: "card"}) == Collector.MARKETPLACE
    assert collector_of(entry("showroom", "vietqr", 7), {7: "vietqr"}) == Collector.MARKETPLACE
    assert collector_of(entry("showroom", "momo", 7), {7: "momo"}) == Collector.MARKETPLACE
    # Paid at the counter on collection: the entry carries the counter's method (card too), the order is not
    # prepaid, so the showroom has the money.
    assert collector_of(entry("showroom", "card", 7), {7: "cod"}) == Collector.SHOWROOM
    assert collector_of(entry("showroom", "cash", 7), {7: "cod"}) == Collector.SHOWROOM
    assert collector_of(entry("showroom", "card", 7), {7: None}) == Collector.SHOWROOM  # a pickup paid at the counter
    assert collector_of(entry("online", "cod", 7)) == Collector.PRODUCER
    assert collector_of(entry("linkage", "vietqr", 7)) == Collector.MARKETPLACE
    assert collector_of(entry("online", "card", 7)) == Collector.MARKETPLACE


def test_an_order_paid_at_the_counter_on_pickup_is_owed_by_the_showroom_even_by_card(monkeypatch):
    """Two orders picked up at the same showroom, both recorded with method "card": the one paid online is OCOP
    Market's to pay out, the one paid at the counter (the order itself was not prepaid) the showroom's."""
    month = october(monkeypatch)
    for method, day in (("vietqr", 21), ("cod", 22)):
        order = place(make_user(role=Role.CONSUMER), [(month.fish_sauce, 1)], method=method)
        line = db.session.scalars(sa.select(OrderLine).join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
                                  .where(ProducerOrder.order_id == order.id)).one()
        ledger.record_sale(product_id=month.fish_sauce.id, producer_id=month.producer.id, quantity=1,
                           unit_price_vnd=45000, payment_method="card", product_name="Nước mắm thử",
                           producer_name="Producer", order_line_id=line.id, channel="showroom",
                           location_id=month.bat_trang.location_id, reference=f"order:{order.number}",
                           occurred_at=vn(2026, 10, day))
    sections = _by_key(build(month.producer))
    assert sections[("showroom", "Điểm OCOP Bát Tràng", Collector.MARKETPLACE)].sales_vnd == 45000
    assert sections[("showroom", "Điểm OCOP Bát Tràng", Collector.SHOWROOM)].sales_vnd == 45000 + 45000 + 133332


def test_real_pickups_paid_online_and_at_the_counter_by_card_land_with_their_collectors():
    """Through the real click and collect: a card order paid online and an order paid at the counter with the
    card terminal, both picked up at one showroom, settle as OCOP Market's money and the showroom's money."""
    from datetime import timedelta

    from marketplace.dates import today_vn
    from marketplace.orders import cart as carts
    from marketplace.orders import checkout, lifecycle, pickups
    from marketplace.orders.queries import SUB_ORDER_GRAPH
    from marketplace.orders.status import OrderStatus
    from tests.orders.helpers import address
    from tests.showrooms.helpers import deliver, make_showroom, make_staff

    tea = make_product("Trà thử", price_vnd=120000, stock=10)
    showroom = make_showroom("Điểm OCOP Thử Nhận Hàng", commission_rate_bp=1000)
    deliver(showroom, tea, 4, lot="TEA-1", best_before=date(2030, 1, 1))
    clerk = make_staff(showroom)
    for method, counter in (("card", ""), ("cod", "card")):
        buyer = make_user(role=Role.CONSUMER)
        carts.add_to_cart(tea.id, 1, user=buyer)
        order, _created = checkout.place_order(buyer, address=address(), payment_method=method,
                                               token=checkout.new_checkout_token(), pickups={tea.producer_id: showroom.id})
        db.session.flush()
        sub = db.session.scalars(sa.select(ProducerOrder).where(ProducerOrder.order_id == order.id)
                                 .options(*SUB_ORDER_GRAPH)).one()
        if method == "card":
            lifecycle.change_status(sub, OrderStatus.PAID)
        pickups.prepare(sub, actor=clerk)
        pickups.hand_over(sub, actor=clerk, counter_payment_method=counter)
    assert {entry.payment_method for entry in db.session.scalars(sa.select(SaleEntry))} == {"card"}
    day = today_vn()
    statement = services.build_statement(tea.producer, day, day, today=day + timedelta(days=1))
    sections = {section.collected_by: section for section in statement.sections}
    assert set(sections) == {Collector.MARKETPLACE, Collector.SHOWROOM}
    assert sections[Collector.MARKETPLACE].sales_vnd == sections[Collector.SHOWROOM].sales_vnd == 120000
    assert sections[Collector.SHOWROOM].showroom_id == showroom.id
    assert statement.showroom_payable_vnd == 108000
