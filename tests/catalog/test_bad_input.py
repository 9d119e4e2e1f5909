"""Odd or hostile input gives a proper page or an empty result, never a server error."""

import pytest

from marketplace.catalog import filtering
from tests.catalog.sample import names_on

EVERYTHING = 6


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1.5", "٣", " 1 "])
def test_meaningless_page_numbers_show_the_first_page(client, catalogue, page):
    """page=0, -1, abc and other non-numbers fall back to the first page."""
    response = client.get("/products", query_string={"page": page})
    assert response.status_code == 200
    assert len(names_on(response)) == EVERYTHING


@pytest.mark.parametrize("page", ["2", "999", str(10**12), "9" * 5000])
def test_pages_past_the_last_are_not_found_in_the_site_style(client, catalogue, page):
    """A page number past the last page answers 404 with the site's error page."""
    response = client.get("/products", query_string={"page": page})
    assert response.status_code == 404
    assert 'class="error-page"' in response.get_data(as_text=True)


@pytest.mark.parametrize("args", [
    {"min_price": "500000", "max_price": "100"},
    {"min_price": "-5"},
    {"max_price": "-5"},
    {"min_price": "abc", "max_price": "xyz"},
    {"min_price": "1e9"},
    {"max_price": str(10**30)},
    {"min_price": "12,5"},
    {"stars": "7"},
    {"stars": "abc"},
    {"stars": "-3"},
    {"group": "9.9"},
    {"group": "1.4.1.1"},
    {"group": "'; DROP TABLE products; --"},
    {"province": "9999"},
    {"province": "abc"},
    {"province": "-1"},
    {"in_stock": "yes"},
    {"sort": "price_asc; DROP TABLE products"},
    {"sort": "unknown"},
    {"lang": "xx"},
])
def test_invalid_filters_are_ignored(client, catalogue, args):
    """Impossible, negative, non-numeric or unknown filter values are dropped: the whole catalogue shows."""
    response = client.get("/products", query_string=args)
    assert response.status_code == 200
    assert len(names_on(response)) == EVERYTHING


def test_a_huge_minimum_price_gives_an_empty_result(client, catalogue):
    """A minimum price above any real price shows no product, without an overflow."""
    for value in (str(10**15), "9" * 40):
        response = client.get("/products", query_string={"min_price": value})
        assert response.status_code == 200
    assert names_on(client.get("/products", query_string={"min_price": str(10**15)})) == []


def test_parse_filters_never_raises_on_garbage():
    """Any mapping of strings parses to a usable state."""
    garbage = {"q": "\x00" * 10, "stars": "\x00", "group": "\u202e", "province": "𝟙", "min_price": "٣٠٠",
               "max_price": "\ud800", "sort": "x" * 1000, "page": "\x00"}
    filters = filtering.parse_filters(garbage)
    assert filters.stars is None and filters.group is None and filters.province is None
    assert filters.min_price is None and filters.page == 1 and filters.q == "" and filters.effective_sort == "newest"


@pytest.mark.parametrize("query", [
    '"', "'", '""', "\\", "%", "_", "%_%", "*", "-", "^", ":", "(", ")", "AND", "OR", "NOT", "NEAR",
    "1=1; --", "<script>alert(1)</script>", "🙂🍜🇻🇳", "ｎｕｏｃ ｍａｍ", "x" * 10_000, "nước mắm " * 2000,
])
def test_odd_search_strings_give_a_proper_page(client, catalogue, query):
    """Quotes, FTS operators, SQL-looking text, emoji and 10,000 characters give a normal page (a NUL byte is
    a 400 before any view: tests/security/test_bad_input.py)."""
    response = client.get("/products", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    suggest = client.get("/search/suggest", query_string={"q": query})
    assert suggest.status_code == 200
    assert isinstance(suggest.get_json()["suggestions"], list)
    assert client.get("/search", query_string={"q": query}).status_code == 302


@pytest.mark.parametrize("path", [
    "/products/khong-ton-tai", "/products/" + "a" * 5000, "/products/..%2F..%2Fetc",
    "/shops/khong-ton-tai", "/shops/" + "b" * 5000, "/shops/a%0Ab", "/products/nuoc-mam-phu-quoc/extra",
])
def test_unknown_slugs_are_not_found(client, catalogue, path):
    """Unknown product and shop slugs answer 404 in the site's style."""
    response = client.get(path)
    assert response.status_code == 404
    assert 'class="error-page"' in response.get_data(as_text=True)


def test_control_characters_and_broken_encoding_in_a_query_are_harmless(client, catalogue):
    """Invalid UTF-8 in q gives a normal page and is not stored raw; a NUL byte (refused by PostgreSQL) is the
    client's mistake, 400, before any view runs (tests/security/test_bad_input.py)."""
    from marketplace.catalog.models import ZeroResultSearch
    from marketplace.extensions import db

    assert client.get("/products?q=kh%00ong+co+%FF%FE").status_code == 400
    assert client.get("/products?q=%00").status_code == 400
    assert client.get("/search/suggest?q=%00%FF").status_code == 400
    assert client.get("/products?q=khong+co+%FF%FE").status_code == 200
    assert client.get("/search/suggest?q=%FF").status_code == 200
    stored = db.session.scalars(db.select(ZeroResultSearch.query)).all()
    assert stored and all("\x00" not in text for text in stored)
