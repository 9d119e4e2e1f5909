"""The read API (GET /api/v1/...): the catalogue's filters and search, pages (X-Pagination and Link), the error
body, ETags (304), no private field, and nothing hidden, unpublished or suspended in any list."""

import json
from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.models import CertificateStatus, ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db, limiter
from marketplace.linkage import requests as demand_requests
from marketplace.producers.models import VerificationStatus
from marketplace.showrooms import services as showroom_services
from tests.factories import make_certificate, make_producer, make_product, make_user
from tests.linkage.sample import post as post_request
from tests.promotions.test_campaigns import campaign
from tests.showrooms.helpers import deliver, make_showroom

API = "/api/v1"
ERROR_KEYS = {"error", "message", "details"}


def _get(client, path, **headers):
    return client.get(API + path, headers=headers)


def _slugs(response):
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()]


def _pagination(response) -> dict:
    return json.loads(response.headers["X-Pagination"])


def _assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["error"] == code and body["message"], body
    return body


# --- Products ---------------------------------------------------------------------------------------------

@pytest.fixture()
def catalogue():
    hanoi = make_producer("HTX Nước mắm Cát Hải", province_code=1, slug="htx-cat-hai", phone="0900000001",
                          email="htx@example.test", tax_code="0101234567")
    other = make_producer("HTX Chè Thái", province_code=19, slug="htx-che-thai")
    products = {
        "nuoc-mam": make_product("Nước mắm Cát Hải", producer=hanoi, slug="nuoc-mam", price_vnd=120000, stars=5,
                                 group_code="1.4"),
        "tuong": make_product("Tương bần", producer=hanoi, slug="tuong", price_vnd=45000, stars=3, stock=0,
                              group_code="1.4"),
        "che": make_product("Chè Tân Cương", producer=other, slug="che", price_vnd=300000, stars=4,
                            group_code="1.5"),
    }
    # Never public: a draft, an archived product, an uncertified one, an expired certificate, an unverified producer.
    make_product("Nước mắm nháp", producer=hanoi, slug="draft", status=ProductStatus.DRAFT)
    make_product("Nước mắm cũ", producer=hanoi, slug="archived", status=ProductStatus.ARCHIVED)
    make_product("Nước mắm chưa chứng nhận", producer=hanoi, slug="uncertified", stars=None)
    expired = make_product("Nước mắm hết hạn", producer=hanoi, slug="expired", stars=None)
    make_certificate(expired, decision_date=today_vn() - timedelta(days=1200),
                     valid_until=today_vn() - timedelta(days=1))
    make_product("Nước mắm chờ duyệt", producer=make_producer(verified=False, slug="pending-shop"), slug="pending")
    suspended = make_producer("HTX tạm dừng", slug="suspended-shop")
    make_product("Nước mắm tạm dừng", producer=suspended, slug="suspended")
    suspended.verification_status = VerificationStatus.SUSPENDED
    db.session.flush()
    return products


def test_products_list_only_public_ones_with_public_fields(client, catalogue):
    response = _get(client, "/products")
    assert sorted(_slugs(response)) == ["che", "nuoc-mam", "tuong"]
    card = next(item for item in response.get_json() if item["slug"] == "nuoc-mam")
    assert card["price"] == 120000 and card["star_level"] == 5 and card["in_stock"] is True
    assert card["producer"] == {"slug": "htx-cat-hai", "name": "HTX Nước mắm Cát Hải"}
    assert card["url"] == "http://localhost/products/nuoc-mam" and card["image"] is None
    text = response.get_data(as_text=True)
    for private in ("0900000001", "htx@example.test", "0101234567"):
        assert private not in text
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("query", "expected"), [
    ("q=tuong+ban", ["tuong"]),
    ("q=T%C3%A2n%20C%C6%B0%C6%A1ng", ["che"]),
    ("q=nuoc+mam&stars=5", ["nuoc-mam"]),
    ("stars=4", ["che", "nuoc-mam"]),
    ("group=1.5", ["che"]),
    ("group=1", ["che", "nuoc-mam", "tuong"]),
    ("province=19", ["che"]),
    ("min_price=100000&max_price=200000", ["nuoc-mam"]),
    ("in_stock=true", ["che", "nuoc-mam"]),
])
def test_products_take_the_catalogues_filters_and_search(client, catalogue, query, expected):
    assert sorted(_slugs(_get(client, f"/products?{query}"))) == expected


def test_products_sort_as_the_catalogue(client, catalogue):
    assert _slugs(_get(client, "/products?sort=price_asc")) == ["tuong", "nuoc-mam", "che"]
    assert _slugs(_get(client, "/products?sort=price_desc")) == ["che", "nuoc-mam", "tuong"]


def test_products_are_paginated_with_x_pagination_and_link_headers(client, catalogue):
    first = _get(client, "/products?sort=price_asc&page_size=2")
    assert _slugs(first) == ["tuong", "nuoc-mam"]
    assert _pagination(first) == {"total": 3, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 1,
                                  "next_page": 2}
    link = first.headers["Link"]
    assert '<http://localhost/api/v1/products?sort=price_asc&page=2&page_size=2>; rel="next"' in link
    assert 'rel="last"' in link and 'rel="prev"' not in link
    second = _get(client, "/products?sort=price_asc&page_size=2&page=2")
    assert _slugs(second) == ["che"]
    assert _pagination(second)["previous_page"] == 1 and 'rel="prev"' in second.headers["Link"]
    past = _assert_error(_get(client, "/products?page=3&page_size=2"), 404, "not_found")
    assert past["details"]["page"] == 3


def test_an_empty_search_is_page_one_of_nothing(client, catalogue):
    response = _get(client, "/products?q=xyzzyqwerty")
    assert response.get_json() == [] and _pagination(response) == {"total": 0, "total_pages": 0}


@pytest.mark.parametrize("query", ["stars=2", "stars=four", "sort=cheapest", "page=0", "page_size=101",
                                   "group=tea", "min_price=-1", "in_stock=maybe"])
def test_a_bad_query_argument_is_a_422_naming_it(client, catalogue, query):
    body = _assert_error(_get(client, f"/products?{query}"), 422, "validation_error")
    assert query.split("=")[0] in body["details"]


def test_product_detail_and_the_404_body(client, catalogue):
    response = _get(client, "/products/nuoc-mam")
    body = response.get_json()
    assert body["slug"] == "nuoc-mam" and body["group_code"] == "1.4" and body["images"] == []
    assert body["certificate"]["star_level"] == 5 and body["certificate"]["status"] == "valid"
    assert body["certificate"]["verify_url"].startswith("http://localhost/verify/")
    for slug in ("draft", "archived", "uncertified", "expired", "pending", "suspended", "no-such-product"):
        _assert_error(_get(client, f"/products/{slug}"), 404, "not_found")


def test_product_detail_names_the_showrooms_holding_it(client, catalogue):
    showroom = make_showroom("Điểm OCOP Thử")
    deliver(showroom, catalogue["che"], 3)
    body = _get(client, "/products/che").get_json()
    assert body["showrooms"] == [{"slug": showroom.slug, "name": "Điểm OCOP Thử"}]


def test_an_unchanged_answer_is_a_304_with_its_etag(client, catalogue):
    first = _get(client, "/products?page_size=2")
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "no-cache"
    again = _get(client, "/products?page_size=2", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    other_page = _get(client, "/products?page_size=2&page=2", **{"If-None-Match": etag})
    assert other_page.status_code == 200
    detail = _get(client, "/products/che")
    assert _get(client, "/products/che", **{"If-None-Match": detail.headers["ETag"]}).status_code == 304
    catalogue["che"].price_vnd = 310000
    db.session.flush()
    changed = _get(client, "/products/che", **{"If-None-Match": detail.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["price"] == 310000


# --- Producers --------------------------------------------------------------------------------------------

def test_producers_are_the_verified_ones_without_contact_or_tax_details(client, catalogue):
    response = _get(client, "/producers")
    assert _slugs(response) == ["htx-che-thai", "htx-cat-hai"]  # by name; pending and suspended never
    producer = next(item for item in response.get_json() if item["slug"] == "htx-cat-hai")
    assert set(producer) == {"slug", "name", "legal_name", "type", "province_code", "province", "address", "story",
                             "logo", "url"}
    assert producer["type"] == "HTX" and producer["url"] == "http://localhost/shops/htx-cat-hai"
    assert _slugs(_get(client, "/producers?province=19")) == ["htx-che-thai"]
    for slug in ("pending-shop", "suspended-shop", "nobody"):
        _assert_error(_get(client, f"/producers/{slug}"), 404, "not_found")


def test_a_producers_products_are_its_public_ones(client, catalogue):
    assert sorted(_slugs(_get(client, "/producers/htx-cat-hai/products"))) == ["nuoc-mam", "tuong"]
    _assert_error(_get(client, "/producers/suspended-shop/products"), 404, "not_found")


# --- Showrooms --------------------------------------------------------------------------------------------

def test_showrooms_are_the_active_ones_without_internal_terms(client):
    open_one = make_showroom("Điểm OCOP Hoàn Kiếm")
    closed = make_showroom("Điểm OCOP Đã đóng")
    showroom_services.set_active(closed, False)
    response = _get(client, "/showrooms")
    assert _slugs(response) == [open_one.slug]
    body = response.get_json()[0]
    assert "commission_rate_bp" not in body and "max_discount_bp" not in body and "location_id" not in body
    assert body["map_url"].startswith("https://www.openstreetmap.org/")
    assert _get(client, f"/showrooms/{open_one.slug}").get_json()["name"] == "Điểm OCOP Hoàn Kiếm"
    _assert_error(_get(client, f"/showrooms/{closed.slug}"), 404, "not_found")
    by_commune = _get(client, f"/showrooms?commune={open_one.ward_code}")
    assert _slugs(by_commune) == [open_one.slug], by_commune.get_json()
    assert _get(client, "/showrooms?commune=1").get_json() == []


# --- Certificates -----------------------------------------------------------------------------------------

def test_certificates_are_the_office_decided_ones_of_verified_producers(client, catalogue):
    product = catalogue["che"]
    old = make_certificate(product, stars=3, decision_date=today_vn() - timedelta(days=1500),
                           valid_until=today_vn() - timedelta(days=400))
    revoked = make_certificate(product, stars=4, status=CertificateStatus.REVOKED)
    submitted = make_certificate(product, stars=5, status=CertificateStatus.SUBMITTED)
    response = _get(client, "/certificates?product=che")
    codes = {item["verification_code"]: item["status"] for item in response.get_json()}
    assert codes[old.verification_code] == "expired" and codes[revoked.verification_code] == "revoked"
    assert submitted.verification_code not in codes and len(codes) == 3
    assert [c["verification_code"] for c in _get(client, "/certificates?product=che&status=expired").get_json()] == [
        old.verification_code]
    everything = _get(client, "/certificates?page_size=100").get_json()
    assert {c["product"]["slug"] for c in everything} == {"nuoc-mam", "tuong", "che", "archived", "expired"}
    assert _get(client, f"/certificates/{revoked.verification_code}").get_json()["status"] == "revoked"
    _assert_error(_get(client, f"/certificates/{submitted.verification_code}"), 404, "not_found")
    _assert_error(_get(client, "/certificates?status=lost"), 422, "validation_error")


# --- Campaigns --------------------------------------------------------------------------------------------

def test_campaigns_are_the_running_ones_with_their_public_products(client, catalogue, english_request_context):
    archived = make_product("Mắm cũ", slug="old-sauce", status=ProductStatus.ARCHIVED)
    running = campaign("Quà Tết OCOP", products=(catalogue["che"], archived))
    campaign("Hè", days=(5, 10), products=(catalogue["che"],))
    campaign("Ẩn", hidden=True, products=(catalogue["che"],))
    campaign("Đã qua", days=(-10, -1), products=(catalogue["che"],))
    assert _slugs(_get(client, "/campaigns")) == [running.slug]
    detail = _get(client, f"/campaigns/{running.slug}").get_json()
    assert [p["slug"] for p in detail["products"]] == ["che"] and detail["selection"] == "chosen"
    _assert_error(_get(client, "/campaigns/he"), 404, "not_found")


# --- Demand requests --------------------------------------------------------------------------------------

def test_demand_requests_show_what_is_wanted_never_who_to_contact(client):
    open_request = post_request()
    hidden = post_request(title="Quảng cáo rác")
    demand_requests.hide_request(hidden, actor=make_user(role=Role.ADMIN), reason="spam")
    author = make_user()
    closed = post_request(author, title="Chè búp khô")
    demand_requests.close_request(closed, actor=author)
    response = _get(client, "/demand-requests")
    assert [item["id"] for item in response.get_json()] == [open_request.id]
    text = response.get_data(as_text=True)
    for private in ("Trần Thị Mai", "0912 345 678", "mai@nhahangsen.example", "contact"):
        assert private not in text
    body = response.get_json()[0]
    assert body["organisation"] == "Nhà hàng Sen Tây Hồ" and body["target_price"] == 450000
    assert _get(client, f"/demand-requests/{closed.id}").get_json()["status"] == "closed"
    _assert_error(_get(client, f"/demand-requests/{hidden.id}"), 404, "not_found")
    _assert_error(_get(client, "/demand-requests/2147483648"), 404, "not_found")
    found = _get(client, "/demand-requests?q=nuoc+mam&province=1&group=1.4")
    assert [i["id"] for i in found.get_json()] == [open_request.id], found.get_json()
    assert _get(client, "/demand-requests?group=1.5").get_json() == []


# --- The whole API ----------------------------------------------------------------------------------------

def test_unknown_api_urls_and_bad_bytes_get_the_same_error_body(client):
    _assert_error(_get(client, "/nothing-here"), 404, "not_found")
    _assert_error(_get(client, "/products?q=a%00b"), 400, "bad_request")
    _assert_error(client.post(API + "/products"), 405, "method_not_allowed")


def test_the_openapi_document_describes_every_read_endpoint(client):
    spec = client.get(API + "/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/products", "/products/{slug}", "/producers", "/producers/{slug}", "/producers/{slug}/products",
                 "/showrooms", "/showrooms/{slug}", "/certificates", "/certificates/{code}", "/campaigns",
                 "/campaigns/{slug}", "/demand-requests", "/demand-requests/{request_id}"):
        operation = paths[API + path]["get"]
        assert {"200", "304", "404", "default"} <= set(operation["responses"]), path
    product_list = paths[API + "/products"]["get"]
    assert {p.get("name") for p in product_list["parameters"]} >= {"q", "stars", "group", "province", "min_price",
                                                                    "max_price", "in_stock", "sort", "page",
                                                                    "page_size"}
    assert {"X-Pagination", "Link", "ETag"} <= set(product_list["responses"]["200"]["headers"])
    demand = spec["components"]["schemas"]["DemandRequestOut"]["properties"]
    assert not {"contact_name", "contact_phone", "contact_email", "author_id"} & set(demand)
    assert spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}


def test_reads_are_rate_limited_per_address_with_the_error_body(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_READ_RATE_LIMIT", "2 per minute")
    limiter.reset()
    try:
        for _ in range(2):
            assert _get(client, "/showrooms").status_code == 200
        _assert_error(_get(client, "/showrooms"), 429, "rate_limited")
    finally:
        limiter.reset()
