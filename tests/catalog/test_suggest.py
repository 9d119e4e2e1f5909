"""Search suggestions as you type: a small JSON endpoint used by static/js/site.js."""

from tests.factories import make_producer, make_product


def test_suggestions_match_prefixes_as_you_type(client, catalogue):
    """'bat tr' already suggests Bát Tràng, with a link and a short description line."""
    response = client.get("/search/suggest?q=bat+tr")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    suggestions = response.get_json()["suggestions"]
    assert suggestions[0]["name"] == "Bộ bát đĩa hoa sen đỏ Bát Tràng"
    assert suggestions[0]["url"] == "/products/bo-bat-dia-bat-trang"
    assert "1.200.000" in suggestions[0]["meta"] and "Hà Nội" in suggestions[0]["meta"]
    assert set(suggestions[0]) == {"name", "url", "meta"}


def test_suggestions_are_accent_insensitive(client, catalogue):
    """'ĐƯỜNG' and 'duong' give the same suggestion."""
    upper = client.get("/search/suggest", query_string={"q": "ĐƯỜNG"}).get_json()["suggestions"]
    plain = client.get("/search/suggest?q=duong").get_json()["suggestions"]
    assert [item["name"] for item in upper] == [item["name"] for item in plain] == ["Tương Đường Lâm"]


def test_at_most_eight_suggestions(client):
    """A common word gives eight suggestions, not more."""
    producer = make_producer()
    for n in range(12):
        make_product(f"Mắm tôm loại {n}", producer=producer)
    assert len(client.get("/search/suggest?q=mam").get_json()["suggestions"]) == 8


def test_hidden_products_are_never_suggested(client, catalogue):
    """Unverified, draft and expired products are not suggested."""
    names = [item["name"] for item in client.get("/search/suggest?q=nuoc+mam").get_json()["suggestions"]]
    assert names == ["Nước mắm Phú Quốc Khải Hoàn 40°N"]


def test_empty_query_gives_no_suggestions(client, catalogue):
    """No words, no suggestions (and no error)."""
    for q in ("", " ", "!!!"):
        assert client.get("/search/suggest", query_string={"q": q}).get_json() == {"suggestions": []}
