"""The catalogue page: filters, facet counts, sorting, pages and shareable links."""

import re

import pytest

from marketplace.catalog import facets, filtering
from marketplace.extensions import db
from tests.catalog.sample import AN_GIANG, HA_NOI, LAM_DONG, names_on
from tests.factories import make_producer, make_product

ALL_PUBLIC = {
    "Khăn lụa Vạn Phúc", "Chè Shan tuyết cổ thụ", "Lan hồ điệp Đà Lạt", "Bộ bát đĩa hoa sen đỏ Bát Tràng",
    "Tương Đường Lâm", "Nước mắm Phú Quốc Khải Hoàn 40°N",
}


def facets_for(**args) -> facets.Facets:
    return facets.facet_counts(filtering.parse_filters({key: str(value) for key, value in args.items()}))


def test_the_catalogue_lists_only_public_products(client, catalogue):
    """Unverified producers, drafts and expired certificates stay out of the list and its counts."""
    response = client.get("/products")
    assert response.status_code == 200
    assert set(names_on(response)) == ALL_PUBLIC
    assert facets_for().total == 6


@pytest.mark.parametrize(("args", "expected"), [
    ({"stars": 3}, ALL_PUBLIC),
    ({"stars": 4}, {"Khăn lụa Vạn Phúc", "Chè Shan tuyết cổ thụ", "Bộ bát đĩa hoa sen đỏ Bát Tràng",
                    "Nước mắm Phú Quốc Khải Hoàn 40°N"}),
    ({"stars": 5}, {"Bộ bát đĩa hoa sen đỏ Bát Tràng", "Nước mắm Phú Quốc Khải Hoàn 40°N"}),
    ({"group": "1.4"}, {"Tương Đường Lâm", "Nước mắm Phú Quốc Khải Hoàn 40°N"}),
    ({"group": "1"}, {"Tương Đường Lâm", "Nước mắm Phú Quốc Khải Hoàn 40°N", "Chè Shan tuyết cổ thụ"}),
    ({"group": "4"}, {"Khăn lụa Vạn Phúc", "Bộ bát đĩa hoa sen đỏ Bát Tràng"}),
    ({"province": HA_NOI}, {"Khăn lụa Vạn Phúc", "Bộ bát đĩa hoa sen đỏ Bát Tràng", "Tương Đường Lâm"}),
    ({"province": LAM_DONG, "stars": 4}, {"Chè Shan tuyết cổ thụ"}),
    ({"min_price": 300000}, {"Khăn lụa Vạn Phúc", "Lan hồ điệp Đà Lạt", "Bộ bát đĩa hoa sen đỏ Bát Tràng"}),
    ({"max_price": "150.000"}, {"Chè Shan tuyết cổ thụ", "Tương Đường Lâm"}),
    ({"min_price": 150000, "max_price": 350000}, {"Chè Shan tuyết cổ thụ", "Lan hồ điệp Đà Lạt",
                                                  "Nước mắm Phú Quốc Khải Hoàn 40°N"}),
    ({"in_stock": 1}, ALL_PUBLIC - {"Tương Đường Lâm"}),
    ({"in_stock": 1, "group": "1.4"}, {"Nước mắm Phú Quốc Khải Hoàn 40°N"}),
])
def test_each_filter_narrows_the_list(client, catalogue, args, expected):
    """Stars (minimum), group or sector, province, price range and in stock each filter the products."""
    response = client.get("/products", query_string=args)
    assert response.status_code == 200
    assert set(names_on(response)) == expected


def test_star_facet_counts_minimum_levels_with_other_filters_applied(catalogue):
    """3+/4+/5 counts include every other filter but not the star filter itself."""
    assert facets_for().stars == {3: 6, 4: 4, 5: 2}
    assert facets_for(stars=5).stars == {3: 6, 4: 4, 5: 2}
    assert facets_for(province=HA_NOI).stars == {3: 3, 4: 2, 5: 1}
    assert facets_for(stars=5).total == 2


def test_group_facet_counts_ignore_the_group_filter_but_not_the_others(catalogue):
    """Choosing a group still shows the other groups' counts; choosing stars changes them."""
    assert facets_for(group="1.4").groups == {"1.4": 2, "4.1": 1, "5.1": 1, "1.5": 1, "4.2": 1}
    assert facets_for(stars=4).groups == {"1.4": 1, "4.1": 1, "1.5": 1, "4.2": 1}
    assert facets_for().sectors == {"1": 3, "4": 2, "5": 1}


def test_province_facet_counts(catalogue):
    """Counts per province, with the other filters applied."""
    assert facets_for().provinces == {HA_NOI: 3, AN_GIANG: 1, LAM_DONG: 2}
    assert facets_for(province=HA_NOI).provinces == {HA_NOI: 3, AN_GIANG: 1, LAM_DONG: 2}
    assert facets_for(group="1.4").provinces == {HA_NOI: 1, AN_GIANG: 1}


def test_price_facet_counts_each_range(catalogue):
    """Price ranges count products in each band, ignoring the price filter itself."""
    expected = [(None, 99_999, 1), (100_000, 199_999, 1), (200_000, 499_999, 3), (500_000, 999_999, 0),
                (1_000_000, None, 1)]
    assert facets_for().prices == expected
    assert facets_for(min_price=1_000_000).prices == expected
    assert facets_for(province=LAM_DONG).prices == [(None, 99_999, 0), (100_000, 199_999, 1),
                                                    (200_000, 499_999, 1), (500_000, 999_999, 0), (1_000_000, None, 0)]


def test_in_stock_facet_counts(catalogue):
    """The in-stock count ignores the in-stock filter and applies the others."""
    assert facets_for().in_stock == 5
    assert facets_for(in_stock=1).in_stock == 5
    assert facets_for(province=HA_NOI).in_stock == 2


def test_facet_counts_are_shown_as_links_that_keep_the_state(client, catalogue):
    """Facet links carry the current filters and show their counts."""
    html = client.get("/products?province=1&sort=price_asc").get_data(as_text=True)
    assert re.search(r'href="/products\?[^"]*stars=5[^"]*"', html)
    link = re.search(r'href="(/products\?[^"]*stars=4[^"]*)"', html).group(1)
    assert "province=1" in link and "sort=price_asc" in link


@pytest.mark.parametrize(("sort", "expected"), [
    ("newest", ["Khăn lụa Vạn Phúc", "Chè Shan tuyết cổ thụ", "Lan hồ điệp Đà Lạt", "Bộ bát đĩa hoa sen đỏ Bát Tràng",
                "Tương Đường Lâm", "Nước mắm Phú Quốc Khải Hoàn 40°N"]),
    ("price_asc", ["Tương Đường Lâm", "Chè Shan tuyết cổ thụ", "Nước mắm Phú Quốc Khải Hoàn 40°N",
                   "Lan hồ điệp Đà Lạt", "Khăn lụa Vạn Phúc", "Bộ bát đĩa hoa sen đỏ Bát Tràng"]),
    ("price_desc", ["Bộ bát đĩa hoa sen đỏ Bát Tràng", "Khăn lụa Vạn Phúc", "Lan hồ điệp Đà Lạt",
                    "Nước mắm Phú Quốc Khải Hoàn 40°N", "Chè Shan tuyết cổ thụ", "Tương Đường Lâm"]),
    ("stars", ["Bộ bát đĩa hoa sen đỏ Bát Tràng", "Nước mắm Phú Quốc Khải Hoàn 40°N", "Khăn lụa Vạn Phúc",
               "Chè Shan tuyết cổ thụ", "Lan hồ điệp Đà Lạt", "Tương Đường Lâm"]),
    ("best_selling", ["Nước mắm Phú Quốc Khải Hoàn 40°N", "Chè Shan tuyết cổ thụ", "Bộ bát đĩa hoa sen đỏ Bát Tràng",
                      "Tương Đường Lâm", "Lan hồ điệp Đà Lạt", "Khăn lụa Vạn Phúc"]),
    ("", ["Khăn lụa Vạn Phúc", "Chè Shan tuyết cổ thụ", "Lan hồ điệp Đà Lạt", "Bộ bát đĩa hoa sen đỏ Bát Tràng",
          "Tương Đường Lâm", "Nước mắm Phú Quốc Khải Hoàn 40°N"]),
])
def test_each_sort_orders_the_products(client, catalogue, sort, expected):
    """Newest (default without a query), price both ways, stars and best-selling each order the cards."""
    assert names_on(client.get("/products", query_string={"sort": sort})) == expected


def test_relevance_sort_with_a_query_puts_name_matches_first(client, catalogue):
    """Searching 'tuong' lists the product named Tương first (default sort with a query)."""
    make_product("Bánh đa nem", producer=make_producer("Cơ sở Bánh"), description="Chấm với tương bần")
    assert names_on(client.get("/products?q=tuong")) == ["Tương Đường Lâm", "Bánh đa nem"]


def test_pages_hold_the_page_size_and_link_to_each_other(app, client, monkeypatch):
    """With 2 per page, 5 products make 3 pages; page links keep the filters."""
    monkeypatch.setitem(app.config, "CATALOG_PAGE_SIZE", 2)
    producer = make_producer()
    for n in range(5):
        make_product(f"Mật ong rừng số {n}", producer=producer, price_vnd=100_000 + n)
    first = client.get("/products?q=mat+ong&sort=price_asc")
    assert names_on(first) == ["Mật ong rừng số 0", "Mật ong rừng số 1"]
    html = first.get_data(as_text=True)
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "page=2" in next_link and "q=mat+ong" in next_link and "sort=price_asc" in next_link
    assert names_on(client.get(next_link)) == ["Mật ong rừng số 2", "Mật ong rừng số 3"]
    assert names_on(client.get("/products?q=mat+ong&sort=price_asc&page=3")) == ["Mật ong rừng số 4"]


def test_default_page_size_is_24(app, client):
    """CATALOG_PAGE_SIZE is 24: 25 products make two pages."""
    assert app.config["CATALOG_PAGE_SIZE"] == 24
    producer = make_producer()
    for n in range(25):
        make_product(f"Trà hoa vàng {n}", producer=producer)
    assert len(names_on(client.get("/products"))) == 24
    assert len(names_on(client.get("/products?page=2"))) == 1


def test_filter_chips_remove_one_filter_each(client, catalogue):
    """Each active filter shows a chip whose link drops only that filter."""
    html = client.get("/products?stars=4&province=1&group=4").get_data(as_text=True)
    chips = [href.replace("&amp;", "&") for href in re.findall(r'<a class="chip" href="([^"]+)"', html)]
    assert len(chips) == 3
    assert any("stars" not in chip and "province=1" in chip and "group=4" in chip for chip in chips)
    assert any("province" not in chip and "stars=4" in chip and "group=4" in chip for chip in chips)
    assert any("group" not in chip and "stars=4" in chip and "province=1" in chip for chip in chips)


def test_the_state_round_trips_through_the_query_string():
    """parse_filters(filters.args()) gives the same state back: links can be shared."""
    args = {"q": "nước mắm", "stars": "4", "group": "1.4", "province": "91", "min_price": "1000",
            "max_price": "500000", "in_stock": "1", "sort": "price_desc", "page": "2"}
    filters = filtering.parse_filters(args)
    again = filtering.parse_filters({key: str(value) for key, value in filters.args(page=2).items()})
    assert again == filters


def test_an_empty_result_says_so_and_offers_a_way_back(client, catalogue):
    """No match shows a message and a link to the whole catalogue, not an empty grid."""
    # Nothing one typo away either ("khong co gi" now reads as "thong co gi", which finds a product).
    response = client.get("/products?q=xylophone+qqqq&lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No products match" in html
    assert 'href="/products"' in html


def test_english_page_uses_english_group_names(client, catalogue):
    """Group names follow the chosen language."""
    english = client.get("/products?lang=en").get_data(as_text=True)
    assert "Condiments" in english


def test_counts_are_reused_until_the_catalogue_changes(client, catalogue, query_counter):
    """A repeated filter state (another page or sort) reuses its counts; other filter states are counted."""
    db.session.commit()
    def counts(url: str) -> int:
        query_counter.of_page(client, url)
        return sum("count(" in sql.lower() for sql in query_counter.statements)

    assert counts("/products?province=1&page=1") == 4  # stars, groups, provinces, in stock (prices: sum)
    assert counts("/products?province=1&sort=price_asc") == 0
    assert counts("/products?province=68") == 4
