"""Public shop pages: a verified producer's story and its public products."""

import re

from marketplace.producers.models import VerificationStatus
from tests.catalog.sample import build_catalogue, names_on
from tests.factories import make_producer, make_product


def test_shop_page_shows_story_type_province_verification_and_public_products(client):
    """The shop shows who the producer is and only its public products."""
    catalogue = build_catalogue()
    response = client.get("/shops/htx-gom-bat-trang?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Hợp tác xã Gốm Bát Tràng</h1>" in html
    assert "Ba đời làm gốm bên sông Hồng." in html
    assert "Cooperative" in html
    assert "Hà Nội" in html
    assert "Verified OCOP producer" in html
    assert set(names_on(response)) == {"Khăn lụa Vạn Phúc", "Bộ bát đĩa hoa sen đỏ Bát Tràng", "Tương Đường Lâm"}
    an_giang = names_on(client.get("/shops/nuoc-mam-khai-hoan"))
    assert an_giang == ["Nước mắm Phú Quốc Khải Hoàn 40°N"]
    assert catalogue["hidden"]["draft"].name not in an_giang


def test_unverified_or_suspended_producers_have_no_shop(client):
    """Pending, rejected and suspended producers' shop pages answer 404."""
    producer = make_producer(verified=False, slug="cho-xac-minh")
    make_product(producer=producer)
    assert client.get("/shops/cho-xac-minh").status_code == 404
    producer.verification_status = VerificationStatus.SUSPENDED
    assert client.get("/shops/cho-xac-minh").status_code == 404
    producer.verification_status = VerificationStatus.VERIFIED
    assert client.get("/shops/cho-xac-minh").status_code == 200


def test_shop_products_are_paginated(app, client, monkeypatch):
    """Products come a page at a time; pages past the last are 404, bad page numbers show page 1."""
    monkeypatch.setitem(app.config, "CATALOG_PAGE_SIZE", 2)
    producer = make_producer(slug="htx-mat-ong")
    for n in range(3):
        make_product(f"Mật ong số {n}", producer=producer)
    first = client.get("/shops/htx-mat-ong")
    assert len(names_on(first)) == 2
    assert re.search(r'<a rel="next" href="/shops/htx-mat-ong\?page=2"', first.get_data(as_text=True))
    assert names_on(client.get("/shops/htx-mat-ong?page=2")) == ["Mật ong số 0"]
    assert client.get("/shops/htx-mat-ong?page=3").status_code == 404
    assert len(names_on(client.get("/shops/htx-mat-ong?page=abc"))) == 2


def test_shop_without_public_products_says_so(client):
    """A verified shop with nothing on sale shows a message, not an empty grid."""
    make_producer(slug="htx-moi")
    response = client.get("/shops/htx-moi?lang=en")
    assert response.status_code == 200
    assert "This shop has no products on sale at the moment." in response.get_data(as_text=True)
