"""Figures read from the sales ledger: periods in Vietnam time, products, channels, provinces, low stock."""

from datetime import date

from werkzeug.datastructures import MultiDict

from marketplace import geo
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.reports import figures
from marketplace.stock import services as stock
from marketplace.stock.models import Location, LocationKind
from tests.factories import make_producer, make_product
from tests.settlements.sample import sale, vn

TODAY = date(2026, 11, 28)


def period(start, end, by="day"):
    return figures.FigureFilters(start, end, by)


def test_revenue_by_day_counts_vietnam_days_and_nets_refunds():
    """Sales late in the evening count on Vietnam's day; a refund lowers that day's revenue and units."""
    product = make_product(price_vnd=10000)
    sale(product, 2, when=vn(2026, 11, 2, 23, 30))
    refunded = sale(product, 1, when=vn(2026, 11, 3, 0, 15))
    ledger.record_reversal(refunded, occurred_at=vn(2026, 11, 3, 9))
    rows = figures.timeline(product.producer_id, period(date(2026, 11, 1), date(2026, 11, 4)))
    assert [(row.key, row.units, row.revenue_vnd) for row in rows] == [
        ("2026-11-01", 0, 0), ("2026-11-02", 2, 20000), ("2026-11-03", 0, 0), ("2026-11-04", 0, 0)]


def test_revenue_by_week_and_month():
    """Weeks start on Monday and months on the 1st; every bucket of the period is listed."""
    product = make_product(price_vnd=5000)
    sale(product, 1, when=vn(2026, 9, 30))
    sale(product, 3, when=vn(2026, 10, 1))
    sale(product, 2, when=vn(2026, 10, 20))
    weeks = figures.timeline(product.producer_id, period(date(2026, 9, 28), date(2026, 10, 25), "week"))
    assert [(row.key, row.units) for row in weeks] == [
        ("2026-09-28", 4), ("2026-10-05", 0), ("2026-10-12", 0), ("2026-10-19", 2)]
    months = figures.timeline(product.producer_id, period(date(2026, 9, 1), date(2026, 10, 31), "month"))
    assert [(row.label, row.units, row.revenue_vnd) for row in months] == [
        ("09/2026", 1, 5000), ("10/2026", 5, 25000)]


def test_by_product_channel_and_province():
    """Products best first; online and each showroom by name; buyer provinces by name."""
    producer = make_producer()
    tea, sauce = make_product("Chè Shan tuyết", producer=producer, price_vnd=50000), \
        make_product("Tương Cự Đà", producer=producer, price_vnd=30000)
    showroom = Location(kind=LocationKind.SHOWROOM, name="Điểm OCOP Ba Đình")
    db.session.add(showroom)
    db.session.flush()
    sale(tea, 2, when=vn(2026, 11, 5), province_code=1)
    sale(sauce, 1, when=vn(2026, 11, 5), province_code=79)
    sale(sauce, 4, when=vn(2026, 11, 6), channel="showroom", location_id=showroom.id, province_code=None)
    filters = period(date(2026, 11, 1), date(2026, 11, 10))
    assert [(row.label, row.units, row.revenue_vnd) for row in figures.by_product(producer.id, filters)] == [
        ("Tương Cự Đà", 5, 150000), ("Chè Shan tuyết", 2, 100000)]
    channels = {row.label: (row.units, row.revenue_vnd) for row in figures.by_channel(producer.id, filters)}
    assert channels == {"Điểm OCOP Ba Đình": (4, 120000), "Online": (3, 130000)}
    provinces = {row.label: row.revenue_vnd for row in figures.by_province(producer.id, filters)}
    assert provinces == {geo.province_name(1): 100000, geo.province_name(79): 30000, "Unknown": 120000}
    assert [row.label for row in figures.top_products(producer.id, filters, limit=1)] == ["Tương Cự Đà"]


def test_figures_never_include_another_producers_sales():
    """Every figure is scoped to the producer asked for."""
    mine, theirs = make_product(price_vnd=1000), make_product(price_vnd=999000)
    sale(mine, 1, when=vn(2026, 11, 5))
    sale(theirs, 1, when=vn(2026, 11, 5))
    filters = period(date(2026, 11, 1), date(2026, 11, 10))
    assert figures.totals(figures.timeline(mine.producer_id, filters)).revenue_vnd == 1000
    assert [row.key for row in figures.by_product(mine.producer_id, filters)] == [str(mine.id)]


def test_low_stock_lists_levels_at_or_below_their_threshold():
    """Levels at or under their alert threshold are listed; others and levels without threshold are not."""
    producer = make_producer()
    low = make_product("Mật ong bạc hà", producer=producer, stock=2)
    exact = make_product("Miến dong", producer=producer, stock=5)
    fine = make_product("Gạo ST25", producer=producer, stock=50)
    make_product("Không ngưỡng", producer=producer, stock=1)
    warehouse = stock.warehouse_for(producer)
    for product, threshold in ((low, 5), (exact, 5), (fine, 5)):
        stock.level_for(product.id, warehouse.id).low_stock_threshold = threshold
    db.session.flush()
    rows = figures.low_stock(producer.id)
    assert [(row.product_name, row.quantity, row.threshold) for row in rows] == [
        ("Mật ong bạc hà", 2, 5), ("Miến dong", 5, 5)]


def test_filters_are_parsed_leniently():
    """Garbage in the query string gives the defaults and a message, never an error."""
    default = figures.parse_filters(MultiDict(), today=TODAY)
    assert (default.date_from, default.date_to, default.granularity, default.errors) == (
        date(2026, 10, 30), TODAY, "day", [])
    bad = figures.parse_filters(MultiDict({"from": "31/02/2026", "to": "tomorrow", "by": "hour"}), today=TODAY)
    assert bad.date_to == TODAY and bad.granularity == "day" and len(bad.errors) == 3
    swapped = figures.parse_filters(MultiDict({"from": "2026-11-20", "to": "01/11/2026"}), today=TODAY)
    assert (swapped.date_from, swapped.date_to) == (date(2026, 11, 1), date(2026, 11, 20))
    huge = figures.parse_filters(MultiDict({"from": "2001-01-01", "to": "2026-11-01"}), today=TODAY)
    assert (huge.date_to - huge.date_from).days + 1 == figures.MAX_DAYS and huge.granularity == "month"
    long_daily = figures.parse_filters(MultiDict({"from": "2026-01-01", "to": "2026-11-01", "by": "day"}),
                                       today=TODAY)
    assert long_daily.granularity == "week"
