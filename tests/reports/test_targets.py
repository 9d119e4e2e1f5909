"""The program targets table: each figure by its written rule, on a hand-made catalogue."""

from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.models import CertificateStatus, ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import ProducerType
from marketplace.reports import targets
from tests.factories import make_certificate, make_producer, make_product, make_user
from tests.showrooms.helpers import make_showroom

HTX, DN, HKD = ProducerType.COOPERATIVE, ProducerType.ENTERPRISE, ProducerType.HOUSEHOLD


@pytest.fixture
def catalogue():
    """5 verified producers (2 HTX, 2 DN, 1 HKD) and an unverified HTX; 6 listed products (one 5-star), a draft,
    an unverified producer's product and a revoked certificate; two certificates end within 90 days."""
    today = today_vn()
    h1, h2 = make_producer(type=HTX), make_producer(type=HTX)
    d1, d2 = make_producer(type=DN), make_producer(type=DN, province_code=91)
    k1 = make_producer(type=HKD)
    unverified = make_producer(type=HTX, verified=False)
    make_product("Năm sao", producer=h1, stars=5)
    make_product("Bốn sao A", producer=h2, stars=4)
    make_product("Bốn sao B", producer=d1, stars=4)
    soon = make_product("Sắp hết hạn", producer=d2, stars=None)
    make_certificate(soon, stars=3, valid_until=today + timedelta(days=10))
    edge = make_product("Hết hạn sau 90 ngày", producer=k1, stars=None)
    make_certificate(edge, stars=4, valid_until=today + timedelta(days=90))
    later = make_product("Hết hạn sau 91 ngày", producer=k1, stars=None)
    make_certificate(later, stars=3, valid_until=today + timedelta(days=91))
    make_product("Bản nháp", producer=h1, stars=5, status=ProductStatus.DRAFT)
    make_product("Chưa xác minh", producer=unverified, stars=5)
    revoked = make_product("Bị thu hồi", producer=d1, stars=None)
    make_certificate(revoked, stars=3, valid_until=today + timedelta(days=5), status=CertificateStatus.REVOKED)
    make_showroom()
    db.session.commit()
    return today


def _by_key():
    return {target.key: target for target in targets.program_targets()}


def test_each_target_is_computed_by_its_rule(catalogue):
    """Listed 3+ star products, the 5-star share, cooperative and enterprise shares, showrooms, expiring."""
    found = _by_key()
    listed = found["listed_products"]
    assert (listed.value, listed.actual, listed.met) == (6, "6", False)
    assert "valid certificate of 3 stars or more" in listed.rule
    five = found["five_star_share"]
    assert (five.value, five.of, five.actual, five.met) == (1, 6, "16,7\xa0%", True)
    cooperatives = found["cooperative_share"]
    assert (cooperatives.value, cooperatives.of, cooperatives.actual, cooperatives.met) == (2, 5, "40\xa0%", True)
    enterprises = found["enterprise_share"]
    assert (enterprises.value, enterprises.of, enterprises.met) == (2, 5, True)
    showrooms = found["showroom_provinces"]
    assert (showrooms.value, showrooms.of, showrooms.met) == (1, 34, False)
    expiring = found["expiring_certificates"]
    assert (expiring.value, expiring.met) == (2, None)


def test_shares_fall_short_and_nothing_to_divide(app):
    """One verified household business: no cooperative, no enterprise; no listed product: no 5-star share."""
    make_producer(type=HKD)
    db.session.commit()
    found = _by_key()
    assert (found["cooperative_share"].actual, found["cooperative_share"].met) == ("0\xa0%", False)
    assert found["enterprise_share"].met is False
    assert (found["five_star_share"].actual, found["five_star_share"].met) == ("no listed product", None)


def test_value_chain_is_reported_as_not_recorded():
    """The platform holds no value-chain data: no figure, no verdict, and the rule says why."""
    chain = _by_key()["value_chain_share"]
    assert (chain.actual, chain.met, chain.value) == ("", None, None)
    assert "does not record" in chain.rule


def test_expiring_certificates_in_the_next_90_days(catalogue):
    """Valid certificates ending today..today+90, soonest first; revoked ones and day 91 left out."""
    rows = targets.expiring_certificates()
    assert [(row.product_name, row.days_left, row.star_level) for row in rows] == [
        ("Sắp hết hạn", 10, 3), ("Hết hạn sau 90 ngày", 90, 4)]
    assert rows[0].province == "An Giang"


def test_producers_per_province(catalogue):
    """All 34 provinces, with verified producers, listed products and open showrooms."""
    rows = {row.code: row for row in targets.producers_per_province()}
    assert len(rows) == 34
    assert (rows[1].producers, rows[1].listed_products, rows[1].showrooms) == (4, 5, 1)
    assert (rows[91].producers, rows[91].listed_products, rows[91].showrooms) == (1, 1, 0)
    assert (rows[96].producers, rows[96].listed_products) == (0, 0)


def test_targets_page_shows_rules_and_not_recorded(client, login_as, catalogue):
    """The page lists every target with its rule, the verdicts and the expiring certificates."""
    login_as(make_user(role=Role.ADMIN))
    db.session.commit()
    text = client.get("/admin/analytics/targets?lang=en").get_data(as_text=True)
    assert "Share of products in a closed value chain" in text and "Not recorded" in text
    assert "16,7\xa0%" in text and "not yet met" in text
    assert "Sắp hết hạn" in text and "Hết hạn sau 91 ngày" not in text.split('data-table="expiring"')[1]
    assert "Decision 919/QĐ-TTg" in text
