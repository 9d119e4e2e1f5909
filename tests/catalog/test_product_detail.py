"""The product page: what a buyer sees, what search engines read, and what stays hidden."""

import json
import re
from datetime import timedelta

import pytest

from marketplace.catalog.models import Certificate, ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import VerificationStatus
from tests.catalog.sample import names_on
from tests.factories import make_certificate, make_producer, make_product


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_product_page_shows_price_unit_stock_badge_certificate_and_producer(client, catalogue):
    """Price in VND, unit, stock state, star badge, certificate details and a link to the shop."""
    product = catalogue["fish_sauce"]
    certificate = db.session.get(Certificate, product.current_certificate_id)
    html = client.get("/products/nuoc-mam-phu-quoc?lang=en").get_data(as_text=True)
    assert "<h1>Nước mắm Phú Quốc Khải Hoàn 40°N</h1>" in html
    assert "250.000\xa0₫" in html
    assert "chai 500ml" in html
    assert "In stock" in html
    assert 'class="star-badge star-badge-5 star-badge-lg"' in html
    assert "OCOP 5-star product" in html
    assert certificate.decision_number in html
    assert certificate.decision_date.strftime("%d/%m/%Y") in html
    assert certificate.valid_until.strftime("%d/%m/%Y") in html
    assert certificate.authority in html
    assert "95 / 100" in html
    assert 'href="/shops/nuoc-mam-khai-hoan"' in html


def test_out_of_stock_is_shown(client, catalogue):
    """A product with no units in the warehouse says it is out of stock."""
    html = client.get("/products/tuong-duong-lam?lang=en").get_data(as_text=True)
    assert "Out of stock" in html


def test_potential_five_stars_is_flagged(client):
    """A 4-star product that scored 90+ shows the 'potential 5 stars' flag on its badge and certificate."""
    product = make_product("Đông trùng hạ thảo sấy", stars=None, slug="dong-trung-ha-thao")
    make_certificate(product, stars=4, potential_five=True)
    html = client.get("/products/dong-trung-ha-thao?lang=en").get_data(as_text=True)
    assert "potential 5 stars" in html
    assert "star-badge-4" in html


def test_vietnamese_product_page(client, catalogue):
    """By default the page is in Vietnamese."""
    html = client.get("/products/nuoc-mam-phu-quoc").get_data(as_text=True)
    assert "Còn hàng" in html
    assert "Giấy chứng nhận OCOP" in html


def test_title_and_meta_description(client, catalogue):
    """The page title names the product; the meta description comes from its description."""
    html = client.get("/products/nuoc-mam-phu-quoc").get_data(as_text=True)
    assert re.search(r"<title>Nước mắm Phú Quốc Khải Hoàn 40°N ·", html)
    assert '<meta name="description" content="Cá cơm than ủ chượp 12 tháng trong thùng gỗ.">' in html


def test_schema_org_product_data(client, catalogue):
    """JSON-LD describes the product, its brand and an offer in VND with availability."""
    data = json_ld(client.get("/products/nuoc-mam-phu-quoc").get_data(as_text=True))
    assert data["@type"] == "Product"
    assert data["name"] == "Nước mắm Phú Quốc Khải Hoàn 40°N"
    assert data["brand"]["name"] == "Công ty Nước mắm Khải Hoàn"
    assert data["offers"] == {"@type": "Offer", "price": 250000, "priceCurrency": "VND",
                              "availability": "https://schema.org/InStock",
                              "seller": {"@type": "Organization", "name": "Công ty Nước mắm Khải Hoàn"}}
    assert data["url"].endswith("/products/nuoc-mam-phu-quoc")
    assert json_ld(client.get("/products/tuong-duong-lam").get_data(as_text=True))["offers"]["availability"] \
        == "https://schema.org/OutOfStock"


def test_json_ld_cannot_be_broken_out_of(client):
    """A description containing </script> stays inside the JSON-LD block (no script injection)."""
    make_product("Kẹo dừa", slug="keo-dua", description='Ngon</script><script>alert("x")</script>')
    html = client.get("/products/keo-dua").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert json_ld(html)["description"] == 'Ngon</script><script>alert("x")</script>'


@pytest.mark.parametrize("case", ["unverified", "draft", "expired"])
def test_hidden_products_answer_404(client, catalogue, case):
    """A product that is not public has no page."""
    slug = catalogue["hidden"][case].slug
    assert client.get(f"/products/{slug}").status_code == 404


def test_a_product_disappears_when_it_stops_being_public(client, catalogue):
    """Archiving, suspending the producer or a lapsed certificate each turn the page into a 404."""
    product = catalogue["orchid"]
    assert client.get("/products/lan-ho-diep-da-lat").status_code == 200
    product.status = ProductStatus.ARCHIVED
    db.session.flush()
    assert client.get("/products/lan-ho-diep-da-lat").status_code == 404
    product.status = ProductStatus.ACTIVE
    product.producer.verification_status = VerificationStatus.SUSPENDED
    db.session.flush()
    assert client.get("/products/lan-ho-diep-da-lat").status_code == 404
    product.producer.verification_status = VerificationStatus.VERIFIED
    product.certified_until = today_vn() - timedelta(days=1)
    db.session.flush()
    assert client.get("/products/lan-ho-diep-da-lat").status_code == 404


def test_related_products_are_public_products_of_the_same_group(client, catalogue):
    """Related products share the group and never include hidden products or the product itself."""
    response = client.get("/products/nuoc-mam-phu-quoc")
    related = names_on(response)
    assert related == ["Tương Đường Lâm"]


def test_related_products_do_not_cost_a_query_each(client, query_counter):
    """The product page runs the same number of SQL queries with 1 or 8 related products."""
    producer = make_producer()
    make_product("Trà xanh Phìn Hồ", producer=producer, group_code="1.5", slug="tra-xanh-phin-ho")
    make_product("Trà búp tím", producer=make_producer(), group_code="1.5")
    with_one = query_counter.of_page(client, "/products/tra-xanh-phin-ho")
    for n in range(7):
        make_product(f"Trà số {n}", producer=make_producer(), group_code="1.5")
    with_eight = query_counter.of_page(client, "/products/tra-xanh-phin-ho")
    assert len(names_on(client.get("/products/tra-xanh-phin-ho"))) == 8
    assert with_eight == with_one
