"""Every program analytics figure against the hand-computed ledger of analytics_sample, read both from the
ledger directly (nothing folded into the summary yet) and from the refreshed summary."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.reports import analytics, summary
from tests.reports.analytics_sample import EXPECTED, FIRST, LAST, PERIOD, build_ledger

TODAY = date(2026, 11, 20)


@pytest.fixture(params=["ledger", "summary"])
def made(request):
    """The sample ledger, read straight from the ledger or after the summary has folded it in."""
    made = build_ledger()
    if request.param == "summary":
        assert summary.refresh_summary() == 12
        assert summary.pending_entries() == 0
    else:
        assert summary.pending_entries() >= 12
    return made


def _filters(**extra):
    return analytics.parse_filters(MultiDict({**PERIOD, **extra}), today=TODAY)


def _triples(rows):
    return {row.key: (row.units, row.revenue_vnd, row.orders) for row in rows}


def test_totals_and_growth_against_the_previous_period(made):
    """Totals are net of the refund; the previous week had one vase; growth is +575 %."""
    growth = analytics.growth(_filters())
    assert (growth.current.units, growth.current.revenue_vnd, growth.current.orders) == EXPECTED["totals"]
    assert (growth.previous.units, growth.previous.revenue_vnd, growth.previous.orders) == EXPECTED["previous"]
    assert (growth.previous_from, growth.previous_to) == (date(2026, 10, 26), date(2026, 11, 1))
    assert round(growth.revenue_percent, 4) == round((1_349_999 - 200_000) * 100 / 200_000, 4)
    assert growth.units_percent == 1900.0
    assert growth.orders_percent == 700.0


def test_by_channel_names_each_showroom(made):
    """Online, the showroom by its name and linkage, best revenue first."""
    rows = analytics.by_channel(_filters())
    assert [row.label for row in rows] == ["Điểm OCOP Mẫu", "Supply-demand linkage", "Online"]
    expected = EXPECTED["channels"]
    assert _triples(rows) == {f"showroom:{made.showroom.location_id}": expected["showroom"],
                              "linkage": expected["linkage"], "online": expected["online"]}


def test_by_producer_and_buyer_province_and_flows(made):
    """Producer provinces, buyer provinces (till sales: not recorded) and each pair of them."""
    producers, buyers, flows = analytics.province_figures(_filters())
    assert {int(key): value for key, value in _triples(producers).items()} == EXPECTED["producer_provinces"]
    assert {int(key or 0): value for key, value in _triples(buyers).items()} == EXPECTED["buyer_provinces"]
    assert [row.label for row in buyers] == ["Not recorded", "Hà Nội", "Hồ Chí Minh"]
    assert {(flow.from_code, flow.to_code or 0): (flow.units, flow.revenue_vnd, flow.orders) for flow in flows} \
        == EXPECTED["flows"]
    assert (flows[0].from_label, flows[0].to_label) == ("An Giang", "Hà Nội")


def test_by_group_star_and_producer_type(made):
    """Groups and star levels give units and revenue; producer types give orders too."""
    groups, stars, types = analytics.product_figures(_filters())
    assert {row.key: (row.units, row.revenue_vnd) for row in groups} == EXPECTED["groups"]
    assert [row.label for row in groups] == ["1.4 Condiments", "1.5 Tea", "4.1 Household and decorative crafts"]
    assert {row.key: (row.units, row.revenue_vnd) for row in stars} == EXPECTED["stars"]
    assert all(row.orders is None for row in groups + stars)
    assert _triples(types) == EXPECTED["types"]
    assert [row.label for row in types] == ["Enterprise", "Cooperative", "Household business"]


def test_over_time_by_day_week_month_and_quarter(made):
    """Days in Vietnam time (23:30 on the 8th is in, 00:30 on the 9th is out); coarser buckets add up."""
    days = analytics.timeline(_filters())
    assert [row.key for row in days] == [f"2026-11-0{d}" for d in range(2, 9)]
    by_day = {date.fromisoformat(row.key): (row.units, row.revenue_vnd, row.orders) for row in days if not row.is_empty}
    assert by_day == EXPECTED["days"]
    weeks = analytics.timeline(_filters(by="week"))
    assert [(row.key, row.revenue_vnd) for row in weeks] == [("2026-11-02", 1_349_999)]
    assert weeks[0].label == "Week of 02/11/2026"
    months = analytics.timeline(_filters(by="month"))
    assert [(row.label, row.units, row.orders) for row in months] == [("11/2026", 20, 8)]
    quarters = analytics.timeline(_filters(by="quarter"))
    assert [(row.label, row.revenue_vnd) for row in quarters] == [("Q4/2026", 1_349_999)]


def test_top_products_and_producers(made):
    """Best revenue first, today's names."""
    assert [(row.label, row.units, row.revenue_vnd) for row in analytics.top_products(_filters())] == [
        ("Nước mắm B", 14, 650_000), ("Chè A", 5, 499_999), ("Bình gốm C", 1, 200_000)]
    assert [(row.label, row.orders) for row in analytics.top_producers(_filters())] == [
        ("Công ty Nước mắm B", 3), ("HTX Chè A", 4), ("Hộ Gốm C", 1)]
    assert [row.label for row in analytics.top_products(_filters(), limit=1)] == ["Nước mắm B"]


@pytest.mark.parametrize(("extra", "expected"), [
    ({"channel": "online"}, (6, 400_000, 4)),
    ({"channel": "linkage"}, (10, 450_000, 1)),
    ({"star": "5"}, (5, 499_999, 4)),
    ({"province": "91"}, (14, 650_000, 3)),
    ({"group": "1"}, (19, 1_149_999, 7)),
    ({"group": "4.1"}, (1, 200_000, 1)),
    ({"group": "1.5", "channel": "showroom"}, (3, 299_999, 2)),
])
def test_filters_narrow_every_figure(made, extra, expected):
    """Channel, star level, producer province, sector or group: the totals of what is left."""
    total = analytics.totals(_filters(**extra))
    assert (total.units, total.revenue_vnd, total.orders) == expected


def test_one_showroom_filter(made):
    """channel=showroom:<location> keeps that showroom's sales."""
    filters = _filters(channel=f"showroom:{made.showroom.location_id}")
    assert filters.errors == []
    total = analytics.totals(filters)
    assert (total.units, total.revenue_vnd, total.orders) == EXPECTED["channels"]["showroom"]
    assert filters.as_args()["channel"] == f"showroom:{made.showroom.location_id}"


@pytest.mark.parametrize(("args", "message"), [
    ({"from": "yesterday"}, "The start date was not understood; use dd/mm/yyyy."),
    ({"to": "2026-13-45"}, "The end date was not understood; use dd/mm/yyyy."),
    ({"by": "hour"}, "Unknown grouping; figures are shown by day."),
    ({"province": "2"}, "Unknown province; every province is shown."),
    ({"province": "²"}, "Unknown province; every province is shown."),
    ({"group": "9.9"}, "Unknown product group; every group is shown."),
    ({"star": "2"}, "The star level must be 3, 4 or 5; every level is shown."),
    ({"star": "５"}, "The star level must be 3, 4 or 5; every level is shown."),
    ({"channel": "shop"}, "Unknown sales channel; every channel is shown."),
    ({"channel": "showroom:99999"}, "Unknown sales channel; every channel is shown."),
    ({"channel": "showroom:1e9"}, "Unknown sales channel; every channel is shown."),
])
def test_bad_filter_values_are_reported_and_ignored(args, message):
    """Each value that is not understood gets its message and its default."""
    filters = analytics.parse_filters(MultiDict(args), today=TODAY, showrooms={})
    assert filters.errors == [message]
    assert (filters.province, filters.group, filters.star, filters.channel) == (None, None, None, None)


def test_period_rules():
    """Default last 30 days; swapped dates; at most five years; long periods grouped more coarsely."""
    filters = analytics.parse_filters(MultiDict(), today=TODAY, showrooms={})
    assert (filters.date_from, filters.date_to, filters.granularity) == (date(2026, 10, 22), TODAY, "day")
    swapped = analytics.parse_filters(MultiDict({"from": "2026-11-08", "to": "2026-11-02"}), today=TODAY, showrooms={})
    assert (swapped.date_from, swapped.date_to) == (FIRST, LAST)
    assert swapped.errors == ["The start date was after the end date; they were swapped."]
    long = analytics.parse_filters(MultiDict({"from": "2015-01-01", "to": "2026-11-20"}), today=TODAY, showrooms={})
    assert long.days == analytics.MAX_DAYS and long.granularity == "month"
    year = analytics.parse_filters(MultiDict({"from": "2026-01-01", "to": "2026-11-20"}), today=TODAY, showrooms={})
    assert year.granularity == "week" and year.notes


def test_refresh_command_folds_new_entries(runner):
    """flask reports refresh-summary folds what is new, then nothing the second time."""
    build_ledger()
    first = runner.invoke(args=["reports", "refresh-summary"])
    assert first.exit_code == 0 and "12 ledger entries folded in" in first.output
    again = runner.invoke(args=["reports", "refresh-summary"])
    assert "0 ledger entries folded in" in again.output
    assert summary.pending_entries() == 0
