"""The rollups (reports.rollups): the same figures from the rollups, from the product-level day summary and
from the ledger alone, over periods cut into years, months and days; and a product whose group or stars (or
whose producer's province or type) change is filed under today's attributes, before and after the refresh."""

from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import SaleEntry
from marketplace.producers.models import Producer, ProducerType
from marketplace.reports import analytics, rollups, summary
from marketplace.reports.models import GRAINS, ProductKey, SalesDay, SalesRollup, SummaryMark
from tests.factories import make_producer, make_product
from tests.reports.analytics_sample import build_ledger, sell
from tests.settlements.sample import vn

TODAY = date(2026, 11, 20)
#: A year, months and days; months and days; days only; a period that starts on a month's last day.
PERIODS = [("2025-01-01", "2026-11-20"), ("2025-12-01", "2026-11-08"), ("2026-11-02", "2026-11-08"),
           ("2025-06-30", "2026-10-31")]
SELECTIONS = [{}, {"channel": "online"}, {"channel": "showroom"}, {"star": "5"}, {"province": "1"}, {"group": "1"},
              {"group": "1.4", "province": "91"}, {"star": "4", "channel": "linkage"}]


def _more_history(made):
    """Sales in earlier months and years, on month and year edges (Vietnam time), and a refund of one."""
    sell(made.tea, 3, 100_000, when=vn(2025, 1, 15), reference="order:h1", province=79)
    sell(made.sauce, 20, 40_000, when=vn(2025, 6, 30, 23, 30), reference="linkage:h1", channel="linkage", province=1)
    sell(made.vase, 2, 200_000, when=vn(2025, 12, 31, 23, 59), reference="pos:h1", channel="showroom",
         location_id=made.showroom.location_id)
    early = sell(made.tea, 1, 100_000, when=vn(2026, 10, 1, 0, 10), reference="order:h2", province=1)
    ledger.record_reversal(early, reference="refund:h2", occurred_at=vn(2026, 10, 31, 23))
    db.session.commit()


def _figures(args: dict, *, keys_current=None) -> dict:
    """Every figure of the analytics pages for one period and selection, as plain values."""
    filters = analytics.parse_filters(MultiDict(args), today=TODAY)
    filters.keys_current = keys_current
    assert not filters.errors

    def rows(found):
        return sorted((row.key, row.label, row.units, row.revenue_vnd, row.orders) for row in found)

    producers, buyers, flows = analytics.province_figures(filters)
    groups, stars, types = analytics.product_figures(filters)
    figures = {"channels": rows(analytics.by_channel(filters)), "totals": rows([analytics.totals(filters)]),
               "top_products": rows(analytics.top_products(filters)), "producers": rows(producers),
               "top_producers": rows(analytics.top_producers(filters)), "buyers": rows(buyers),
               "flows": sorted((f.from_code, f.to_code or 0, f.units, f.revenue_vnd, f.orders) for f in flows),
               "groups": rows(groups), "stars": rows(stars), "types": rows(types)}
    for by in ("day", "week", "month", "quarter"):
        figures[by] = rows(analytics.timeline(analytics.parse_filters(MultiDict({**args, "by": by}), today=TODAY)))
    return figures


def _all_figures(**kw) -> dict:
    return {(period, str(selection)): _figures({"from": period[0], "to": period[1], **selection}, **kw)
            for period in PERIODS for selection in SELECTIONS}


def test_periods_are_cut_into_whole_years_months_and_days():
    """The coarsest grain a part of the period allows; a level without day rows still gets the days."""
    assert rollups.segments(date(2024, 12, 30), date(2026, 3, 2), GRAINS) == [
        ("day", date(2024, 12, 30), date(2024, 12, 31)), ("year", date(2025, 1, 1), date(2025, 1, 1)),
        ("month", date(2026, 1, 1), date(2026, 2, 1)), ("day", date(2026, 3, 1), date(2026, 3, 2))]
    assert rollups.segments(date(2025, 1, 1), date(2025, 12, 30), ("month",)) == [
        ("month", date(2025, 1, 1), date(2025, 11, 1)), ("day", date(2025, 12, 1), date(2025, 12, 30))]
    assert rollups.segments(date(2026, 2, 1), date(2026, 2, 28), ("day",)) == [("day", date(2026, 2, 1),
                                                                                   date(2026, 2, 28))]


def test_each_figure_reads_the_smallest_level_that_holds_it():
    """Channel figures the channel level; a star filter the kind level; flows the province level, with a
    group filter the kind_province level; top producers the producer level, with a star filter the product
    level; products by buyer province only the product-level day summary; levels keyed by attributes are
    left aside while attributes changed."""
    choose = rollups.choose_level
    assert choose({"location"}, keys_current=True).name == "channel"
    assert choose({"location", "star"}, keys_current=True).name == "kind"
    assert choose({"province", "buyer"}, keys_current=True).name == "province"
    assert choose({"province", "group", "type"}, keys_current=True).name == "kind_province"
    assert choose({"province", "buyer", "group"}, keys_current=True).name == "kind_province"
    assert choose({"location", "buyer", "product"}, keys_current=True) is None
    assert choose({"producer", "province"}, keys_current=True).name == "producer"
    assert choose({"producer", "star"}, keys_current=True).name == "product"
    assert choose({"star"}, keys_current=False).name == "product"
    assert choose({"location"}, keys_current=False).name == "channel"


def test_rollups_give_the_ledgers_figures_for_every_period_and_selection():
    """Read from the ledger alone (nothing folded in), then from the rollups and the day summary, then from
    the product-level rows only: the same figures, every one of them."""
    made = build_ledger()
    _more_history(made)
    from_ledger = _all_figures()
    assert summary.refresh_summary() == 17
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesRollup).where(SalesRollup.grain == "year"))
    assert _all_figures() == from_ledger
    assert _all_figures(keys_current=False) == from_ledger
    year = from_ledger[(PERIODS[0], "{}")]
    # The sample's week, the vase of 30/10 and the sauce of 09/11, and the history (its refund nets to 0).
    assert year["totals"][0][2:] == (20 + 1 + 1 + 3 + 20 + 2 + 1 - 1,
                                     1_349_999 + 200_000 + 50_000 + 300_000 + 800_000 + 400_000, 8 + 1 + 1 + 4)
    assert [row[1] for row in year["month"] if row[3]] == ["01/2025", "06/2025", "12/2025", "10/2026", "11/2026"]


def _move_attributes(made):
    """Tea loses a star, the fish sauce moves to group 1.3, producer A moves to Hồ Chí Minh and becomes an
    enterprise."""
    made.tea.star_level = 4
    made.sauce.group_code = "1.3"
    made.a.province_code = 79
    made.a.type = ProducerType.ENTERPRISE
    db.session.commit()


def _ledger_by(column) -> dict:
    """A direct SUM over the ledger by an attribute of today's product or producer (the whole ledger)."""
    found = db.session.execute(
        sa.select(column, sa.func.sum(SaleEntry.quantity), sa.func.sum(SaleEntry.total_vnd))
        .join(Product, Product.id == SaleEntry.product_id).join(Producer, Producer.id == SaleEntry.producer_id)
        .group_by(column)).all()
    return {str(key): (int(units), int(revenue)) for key, units, revenue in found}


def test_changed_attributes_are_todays_before_and_after_the_refresh():
    """After a refresh, attributes change: the figures read today's at once (the rollups keyed by attributes
    are left aside), the page's refresh moves the product's sales, and then the rollups hold today's."""
    made = build_ledger()
    _more_history(made)
    summary.refresh_summary()
    db.session.commit()
    _move_attributes(made)
    assert rollups.keys_changed()
    args = {"from": "2025-01-01", "to": "2026-11-20"}
    before = _all_figures()
    figures = before[(PERIODS[0], "{}")]
    assert {row[0]: row[2:4] for row in figures["groups"]} == _ledger_by(Product.group_code)
    assert {row[0]: row[2:4] for row in figures["stars"]} == _ledger_by(Product.star_level)
    assert {row[0]: row[2:4] for row in figures["producers"]} == _ledger_by(Producer.province_code)
    assert {row[0]: row[2:4] for row in figures["types"]} == {
        str(getattr(key, "value", key)): value for key, value in _ledger_by(Producer.type).items()}
    assert "1.5" not in {row[0] for row in _figures({**args, "star": "5"})["groups"]}
    assert summary.refresh_summary() == 0
    assert not rollups.keys_changed()
    assert db.session.get(ProductKey, made.tea.id).star_key == 4
    assert _all_figures() == before
    kind = db.session.execute(sa.select(SalesRollup.star_key, sa.func.sum(SalesRollup.units)).where(
        SalesRollup.level == "kind", SalesRollup.grain == "day").group_by(SalesRollup.star_key)).all()
    assert {star: int(units) for star, units in kind} == {
        int(star): units for star, (units, _revenue) in _ledger_by(Product.star_level).items()}


@pytest.mark.parametrize("where", ["ledger", "summary"])
def test_new_products_are_filed_as_they_are_today(where):
    """A product first sold after the last refresh has no key until the next one, which files it."""
    build_ledger()
    summary.refresh_summary()
    beekeeper = make_producer("HTX Ong D", province_code=22, type=ProducerType.COOPERATIVE)
    honey = make_product("Mật ong D", producer=beekeeper, price_vnd=300_000, stars=4, group_code="1.6", stock=0)
    sell(honey, 2, 300_000, when=vn(2026, 11, 3), reference="order:d1", province=22)
    db.session.commit()
    if where == "summary":
        assert summary.refresh_summary() == 1
        assert db.session.get(ProductKey, honey.id).group_code == "1.6"
    groups = _figures({"from": "2026-11-01", "to": "2026-11-30"})["groups"]
    assert [row[2:4] for row in groups if row[0] == "1.6"] == [(2, 600_000)]


def _ledger_alone() -> dict:
    """Every figure with the summary emptied (read from the ledger entries alone), then the summary rebuilt."""
    for model in (SalesRollup, SalesDay, ProductKey, SummaryMark):
        db.session.execute(sa.delete(model))
    figures = _all_figures()
    db.session.rollback()
    return figures


def test_refunds_and_voids_after_a_refresh_reach_every_level_and_grain():
    """After a refresh: a refund dated in an earlier year (folded into year and month rows), a till sale voided
    the same day, a refund this month and a new sale. Before the next refresh (read from the ledger above the
    mark) and after it (folded into the rollups and the day summary) every figure equals the ledger alone."""
    made = build_ledger()
    _more_history(made)
    summary.refresh_summary()
    db.session.commit()

    def entry(reference):
        return db.session.scalar(sa.select(SaleEntry).where(SaleEntry.reference == reference))

    ledger.record_reversal(entry("order:h1"), reference="refund:h1", occurred_at=vn(2025, 2, 3, 9))
    ledger.record_reversal(entry("pos:h1"), reference="pos:h1:void", occurred_at=vn(2025, 12, 31, 23, 59))
    ledger.record_reversal(entry("order:1"), reference="refund:1", occurred_at=vn(2026, 11, 7, 8))
    sell(made.vase, 1, 200_000, when=vn(2026, 11, 8, 10), reference="order:n1", province=22)
    db.session.commit()
    pending = _all_figures()
    assert summary.refresh_summary() == 4
    db.session.commit()
    folded = _all_figures()
    assert pending == folded == _ledger_alone()
    year = folded[(PERIODS[0], "{}")]
    # The tea of 01/2025 refunded in 02/2025 (a minus in February), the vase of 31/12/2025 voided that day.
    assert [(row[1], row[3]) for row in year["month"] if row[3] and row[1].endswith("2025")] == [
        ("01/2025", 300_000), ("02/2025", -300_000), ("06/2025", 800_000)]
