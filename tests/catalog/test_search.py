"""Vietnamese search: accents, case, prefixes, ranking, and the record of searches that found nothing."""

import unicodedata

import pytest
import sqlalchemy as sa

from marketplace.catalog import filtering, queries, search
from marketplace.catalog.models import ZeroResultSearch
from marketplace.extensions import db
from tests.catalog.sample import names_on
from tests.factories import make_producer, make_product


def found(q: str) -> list[str]:
    filters = filtering.parse_filters({"q": q})
    return [product.name for product in queries.catalog_page(filters, 24).products]


@pytest.mark.parametrize(("query", "expected"), [
    ("nuoc mam phu quoc", "Nước mắm Phú Quốc Khải Hoàn 40°N"),
    ("DUONG LAM", "Tương Đường Lâm"),
    ("ĐƯỜNG LÂM", "Tương Đường Lâm"),
    ("da lat", "Lan hồ điệp Đà Lạt"),
    ("bat tr", "Bộ bát đĩa hoa sen đỏ Bát Tràng"),
    ("khai hoan", "Nước mắm Phú Quốc Khải Hoàn 40°N"),
])
def test_accent_and_case_insensitive_search_finds_the_product(catalogue, query, expected):
    """Typing without accents, in capitals or only the start of a word still finds the product."""
    assert expected in found(query)


def test_dac_san_finds_dac_san_in_a_description(catalogue):
    """'dac san' finds a product whose description (not name) says 'Đặc sản'."""
    assert found("dac san") == ["Chè Shan tuyết cổ thụ"]


def test_decomposed_input_matches(catalogue):
    """A query typed on a Mac (NFD, decomposed accents) finds the same product as NFC."""
    decomposed = unicodedata.normalize("NFD", "Phú Quốc")
    assert decomposed != "Phú Quốc"
    assert found(decomposed) == found("Phú Quốc") == ["Nước mắm Phú Quốc Khải Hoàn 40°N"]


def test_search_covers_producer_name_and_province(catalogue):
    """A producer's name or the province finds its products."""
    assert set(found("hoa lan")) == {"Lan hồ điệp Đà Lạt", "Chè Shan tuyết cổ thụ"}
    assert set(found("lam dong")) == {"Lan hồ điệp Đà Lạt", "Chè Shan tuyết cổ thụ"}


def test_every_word_must_match(catalogue):
    """Two words find only products holding both."""
    assert found("nuoc bat") == []
    assert found("tuong lam") == ["Tương Đường Lâm"]


def test_hidden_products_are_never_found(catalogue):
    """Unverified, draft and expired products do not appear in search results."""
    assert found("an danh") == []
    assert found("ban nhap") == []
    assert found("het han") == []
    assert found("nuoc mam") == ["Nước mắm Phú Quốc Khải Hoàn 40°N"]


def test_name_matches_rank_before_description_matches(app):
    """A product named for the words comes before one that only mentions them in its description."""
    producer = make_producer("Cơ sở Thử")
    make_product("Bánh đậu xanh", producer=producer, description="Gốm men lam đặc sắc, gói quà biếu")
    make_product("Bình gốm men lam", producer=producer, description="Bình cắm hoa")
    make_product("Chén trà", producer=producer, description="Men lam và gốm cổ, gốm men lam, gốm, gốm, gốm")
    names = found("gom men lam")
    assert names[0] == "Bình gốm men lam"
    assert set(names[1:]) == {"Bánh đậu xanh", "Chén trà"}


def test_relevance_is_the_default_sort_only_with_a_query():
    """With a query the catalogue sorts by relevance; without one, newest first."""
    assert filtering.parse_filters({"q": "che"}).effective_sort == "relevance"
    assert filtering.parse_filters({}).effective_sort == "newest"
    assert filtering.parse_filters({"sort": "relevance"}).effective_sort == "newest"


def test_fts_syntax_is_neutralised():
    """Operators and quotes typed by a user become plain quoted prefix tokens."""
    assert search.fts_match_string(["a", "b"]) == '"a"* "b"*'
    assert search.ts_query_string(["a", "b"]) == "a:* & b:*"


@pytest.mark.parametrize("query", [
    '"nuoc mam"', "nuoc AND mam", "nuoc OR mam", "NOT nuoc", "NEAR(nuoc mam)", "nuoc*", "^nuoc",
    "search_name:nuoc", "(nuoc)", "-nuoc", "nuoc' OR '1'='1", "'; DROP TABLE products; --", "nuoc:* & !mam",
])
def test_search_syntax_in_queries_is_harmless(client, catalogue, query):
    """FTS operators and SQL-looking text just search for the words; the page answers 200."""
    response = client.get("/products", query_string={"q": query})
    assert response.status_code == 200
    if "nuoc" in query:
        assert "Nước mắm Phú Quốc Khải Hoàn 40°N" in names_on(response) or not names_on(response)
    # Operators are plain words that must all match: only "nuoc" and "mam" find the fish sauce.
    from marketplace.text import search_tokens

    words = set(search_tokens(query))
    expected = ["Nước mắm Phú Quốc Khải Hoàn 40°N"] if words <= {"nuoc", "mam"} else []
    assert names_on(response) == expected


def test_search_page_shows_results_and_keeps_the_query_in_the_box(client, catalogue):
    """/products?q= lists the matches and refills the search box."""
    response = client.get("/products?q=nuoc+mam")
    html = response.get_data(as_text=True)
    assert names_on(response) == ["Nước mắm Phú Quốc Khải Hoàn 40°N"]
    assert 'value="nuoc mam"' in html


def test_search_redirects_to_the_catalogue(client):
    """/search?q=... answers 302 to /products?q=..."""
    response = client.get("/search", query_string={"q": "nước mắm"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/products?q=n%C6%B0%E1%BB%9Bc")
    empty = client.get("/search?q=")
    assert empty.status_code == 302 and empty.headers["Location"] == "/products"


def zero_results() -> list[ZeroResultSearch]:
    return list(db.session.scalars(sa.select(ZeroResultSearch).order_by(ZeroResultSearch.id)))


def test_a_search_that_finds_nothing_is_recorded(client, catalogue):
    """A catalogue search with no result is kept with its NFC query, folded form and language."""
    decomposed = unicodedata.normalize("NFD", "Mắm tôm Hậu Lộc")
    response = client.get("/products", query_string={"q": decomposed, "lang": "en"})
    assert response.status_code == 200
    rows = zero_results()
    assert len(rows) == 1
    assert rows[0].query == "Mắm tôm Hậu Lộc"
    assert rows[0].folded_query == "mam tom hau loc"
    assert rows[0].language == "en"
    assert rows[0].created_at is not None


def test_searches_with_results_suggestions_and_empty_queries_are_not_recorded(client, catalogue):
    """Only a catalogue search with words and no result counts as a demand signal."""
    client.get("/products?q=nuoc+mam")
    client.get("/products?q=")
    client.get("/products?q=%20%20")
    client.get("/products", query_string={"q": "🙂🙂"})
    client.get("/search/suggest?q=xyzzy")
    assert zero_results() == []


def test_a_search_emptied_only_by_other_filters_is_not_recorded(client, catalogue):
    """Fish sauce exists, just not at 5 stars under 1.000 ₫: that is no unmet demand. Unknown words still count."""
    response = client.get("/products?q=nuoc+mam&stars=5&max_price=1000")
    assert response.status_code == 200 and names_on(response) == []
    assert zero_results() == []
    client.get("/products?q=mam+tom+hau+loc&stars=5")
    assert [row.folded_query for row in zero_results()] == ["mam tom hau loc"]


def test_a_query_without_words_finds_nothing(client, catalogue):
    """Only symbols or emoji: an empty result, not the whole catalogue."""
    response = client.get("/products", query_string={"q": "🙂 *** ???"})
    assert response.status_code == 200
    assert names_on(response) == []
