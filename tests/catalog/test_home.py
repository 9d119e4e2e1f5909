"""The home page: featured and newest 5-star products, and browsing by group and by province."""

import re

from tests.catalog.sample import names_on


def test_home_shows_featured_and_newest_five_star_products(client, catalogue):
    """Featured products and the newest 5-star products appear; hidden ones never do."""
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Featured products" in html and "Newest 5-star products" in html
    names = names_on(response)
    assert "Nước mắm ẩn danh" not in names
    # The one featured product, then the other 5-star products newest first: no product shows twice.
    assert names == ["Nước mắm Phú Quốc Khải Hoàn 40°N", "Bộ bát đĩa hoa sen đỏ Bát Tràng"]


def test_home_lists_the_groups_that_have_products_with_counts(client, catalogue):
    """Every product group with public products links to the catalogue filtered by it, with its count;
    a group with none is not offered (issue 13)."""
    html = client.get("/?lang=en").get_data(as_text=True)
    group_links = re.findall(r'href="/products\?group=(\d\.\d)"', html)
    assert sorted(group_links) == ["1.4", "1.5", "4.1", "4.2", "5.1"]
    assert "0 products" not in html
    assert re.search(r'group=1\.4">\s*<span class="tile-name">Condiments</span>\s*<span class="count">2 products</span>',
                     html)
    assert re.search(r'group=5\.1">\s*<span class="tile-name">Flowers</span>\s*<span class="count">1 product</span>', html)


def test_home_lists_provinces_with_products(client, catalogue):
    """Provinces with public products link to the catalogue filtered by province, with counts."""
    html = client.get("/?lang=en").get_data(as_text=True)
    assert re.search(r'province=1">\s*<span class="tile-name">Hà Nội</span>\s*<span class="count">3 products</span>', html)
    assert re.search(r'province=68">\s*<span class="tile-name">Lâm Đồng</span>\s*<span class="count">2 products</span>',
                     html)
    assert "province=96" not in html


def test_empty_home_page_still_renders(client):
    """With no products at all the home page says so instead of failing."""
    response = client.get("/?lang=en")
    assert response.status_code == 200
    assert "No products are listed yet." in response.get_data(as_text=True)


def test_cached_home_lists_still_hide_a_product_that_stopped_being_public(client, catalogue):
    """With the home page cached, a featured product archived a moment ago no longer shows on it."""
    from marketplace.catalog.models import ProductStatus
    from marketplace.extensions import db

    db.session.commit()
    assert "Nước mắm Phú Quốc Khải Hoàn 40°N" in names_on(client.get("/"))
    catalogue["fish_sauce"].status = ProductStatus.ARCHIVED
    db.session.commit()
    assert "Nước mắm Phú Quốc Khải Hoàn 40°N" not in names_on(client.get("/"))


def test_home_cards_show_out_of_stock(client):
    """A featured product with no units says so on its card."""
    from tests.factories import make_product

    make_product("Mật ong bạc hà", stars=5, stock=0, is_featured=True)
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Out of stock" in html
