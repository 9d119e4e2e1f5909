"""The JSON API's error messages speak the client's language: ?lang= as on the site, else Accept-Language, else
Vietnamese (the site's default); the details' messages too, and Content-Language says which."""

import pytest

from marketplace.extensions import limiter
from tests.api.test_showroom_sales import URL as TILL_URL
from tests.api.test_showroom_sales import _auth, _body, till  # noqa: F401  the till fixture
from tests.factories import make_product

API = "/api/v1"
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def _error(response, status: int, language: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Language"] == language
    assert "Accept-Language" in response.headers["Vary"]
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    return body


def test_a_404_is_in_vietnamese_unless_the_client_reads_english(client):
    vietnamese = _error(client.get(f"{API}/products/khong-co"), 404, "vi")
    assert vietnamese["message"] == "Không có sản phẩm công khai nào ở địa chỉ này."
    english = _error(client.get(f"{API}/products/khong-co", headers=ENGLISH), 404, "en")
    assert english["message"] == "No public product has this address."
    producer = _error(client.get(f"{API}/producers/khong-co", headers=ENGLISH), 404, "en")
    assert producer["message"] == "No verified producer has this address."


@pytest.mark.parametrize(("headers", "query", "language"), [
    ({"Accept-Language": "fr-FR, en;q=0.5"}, "", "en"),       # the best the API speaks
    ({"Accept-Language": "en;q=0.3, vi;q=0.8"}, "", "vi"),    # q-values weighed
    ({"Accept-Language": "de, fr"}, "", "vi"),                # neither: the site's default
    ({"Accept-Language": "vi"}, "?lang=en", "en"),            # ?lang= wins, as on the site
    (ENGLISH, "?lang=vi", "vi"),
])
def test_the_language_is_chosen_like_the_sites(client, headers, query, language):
    body = _error(client.get(f"{API}/showrooms/999999{query}", headers=headers), 404, language)
    expected = {"vi": "Không có điểm bán nào đang hoạt động ở địa chỉ này.", "en": "No open showroom has this address."}
    assert body["message"] == expected[language]


def test_a_bad_query_argument_names_it_in_the_clients_language(client):
    query = f"{API}/products?stars=9&province=abc&group=x"
    vietnamese = _error(client.get(query), 422, "vi")
    assert vietnamese["message"] == "Một tham số truy vấn không hợp lệ: xem phần chi tiết."
    assert vietnamese["details"] == {"stars": ["Phải là một trong các giá trị: 3, 4, 5."],
                                     "province": ["Không phải số nguyên hợp lệ."],
                                     "group": ["Mã ngành (1) hoặc mã nhóm (1.4)."]}
    english = _error(client.get(query, headers=ENGLISH), 422, "en")
    assert english["message"] == "A query argument is not valid: see details."
    assert english["details"] == {"stars": ["Must be one of: 3, 4, 5."], "province": ["Not a valid integer."],
                                  "group": ["A sector (1) or group (1.4) code."]}


def test_a_page_past_the_last_says_so(client):
    make_product("Nước mắm Cát Hải")
    body = _error(client.get(f"{API}/products?page=7"), 404, "vi")
    assert body["message"] == "Trang 7 vượt quá trang cuối." and body["details"] == {"page": 7}
    body = _error(client.get(f"{API}/showrooms?page=7"), 404, "vi")
    assert body["message"] == "Trang 7 vượt quá trang cuối (1)." and body["details"] == {"page": 7, "last_page": 1}
    body = _error(client.get(f"{API}/showrooms?page=7&lang=en"), 404, "en")
    assert body["message"] == "Page 7 is past the last page (1)."


def test_unknown_api_urls_and_methods_answer_in_the_clients_language(client):
    assert _error(client.get(f"{API}/khong-co"), 404, "vi")["message"] == "Không có nội dung công khai nào ở địa chỉ này."
    assert _error(client.get(f"{API}/khong-co", headers=ENGLISH), 404, "en")["message"] == \
        "Nothing public has this address."
    body = _error(client.post(f"{API}/products", headers=ENGLISH), 405, "en")
    assert body["message"] == "This method is not allowed at this address."


def test_the_rate_limit_answer_is_translated(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_READ_RATE_LIMIT", "1 per minute")
    limiter.reset()
    try:
        assert client.get(f"{API}/showrooms").status_code == 200
        body = _error(client.get(f"{API}/showrooms"), 429, "vi")
        assert body["message"] == "Quá nhiều yêu cầu từ địa chỉ này. Vui lòng chờ một lát rồi thử lại."
        body = _error(client.get(f"{API}/showrooms", headers=ENGLISH), 429, "en")
        assert body["message"] == "Too many requests from this address. Please wait a moment and try again."
    finally:
        limiter.reset()


def test_the_till_api_speaks_the_tills_language(client, till):  # noqa: F811 the fixture imported above
    _showroom, _product, secret = till
    assert _error(client.post(TILL_URL, json=_body()), 401, "vi")["message"] == \
        "Hãy gửi mã máy bán hàng hợp lệ: Authorization: Bearer <mã>."
    body = _error(client.post(TILL_URL, json=_body(quantity=0), headers={**_auth(secret), **ENGLISH}), 422, "en")
    assert body["message"] == "The body does not match the schema: see details."
    assert body["details"]["lines"]["0"]["quantity"] == ["Must be from 1 to 9999."]
    body = _error(client.post(TILL_URL, json=_body(sku="KHONG-CO"), headers=_auth(secret)), 404, "vi")
    assert body["message"] == "Điểm bán này không bán sản phẩm này."
    assert body["details"] == {"line": 0, "sku": "KHONG-CO"}  # what the till sent is echoed as it was
    body = _error(client.post(TILL_URL, json=_body(unit_price=1), headers={**_auth(secret), **ENGLISH}), 422, "en")
    assert body["message"] == "The unit price is not the catalogue's price for this product."
