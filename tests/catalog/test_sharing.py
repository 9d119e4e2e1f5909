"""Sharing: product and shop pages carry Open Graph and Twitter card tags with absolute URLs built from
SITE_URL (never the request's host), plain Zalo and Facebook share links and a copy-link button."""

import re
from html import unescape
from urllib.parse import quote

from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from tests.factories import make_producer, make_product


def meta(html: str, key: str) -> str | None:
    found = re.search(r'<meta (?:property|name)="' + re.escape(key) + r'" content="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def test_product_page_has_open_graph_and_twitter_tags_with_absolute_urls(client, app):
    producer = make_producer("HTX Gốm Bát Tràng", slug="htx-gom")
    product = make_product("Bình gốm men lam", producer=producer, slug="binh-gom-men-lam", price_vnd=450000)
    db.session.add(ProductImage(product_id=product.id, position=0, storage_key="products/binh.webp",
                                thumb_key="products/binh_thumb.webp", width=800, height=800, alt="Bình"))
    db.session.flush()
    site = app.config["SITE_URL"].rstrip("/")
    html = client.get("/products/binh-gom-men-lam", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert meta(html, "og:title").startswith("Bình gốm men lam") and "450.000" in meta(html, "og:title")
    assert meta(html, "og:type") == "product"
    assert meta(html, "og:url") == f"{site}/products/binh-gom-men-lam"
    assert meta(html, "og:image") == f"{site}/media/products/binh.webp"
    assert meta(html, "product:price:amount") == "450000" and meta(html, "product:price:currency") == "VND"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == f"{site}/media/products/binh.webp"
    assert meta(html, "og:description")
    assert "evil.example" not in html
    encoded = quote(f"{site}/products/binh-gom-men-lam", safe="")
    assert f"https://sp.zalo.me/share_inline?url={encoded}" in unescape(html)
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in unescape(html)
    assert 'data-copy-url="' + f"{site}/products/binh-gom-men-lam" + '"' in html
    assert "<script src=\"https://" not in html  # no third-party script


def test_a_product_without_a_picture_gets_a_summary_card(client):
    make_product("Chè Thái Nguyên", slug="che-thai-nguyen")
    html = client.get("/products/che-thai-nguyen").get_data(as_text=True)
    assert meta(html, "twitter:card") == "summary" and meta(html, "og:image") is None


def test_shop_page_has_tags_and_share_links(client, app):
    producer = make_producer("HTX Mật ong Bắc Kạn", slug="htx-mat-ong", story="Mật ong rừng nguyên chất.")
    make_product("Mật ong bạc hà", producer=producer)
    site = app.config["SITE_URL"].rstrip("/")
    html = client.get("/shops/htx-mat-ong").get_data(as_text=True)
    assert meta(html, "og:title") == "HTX Mật ong Bắc Kạn"
    assert meta(html, "og:url") == f"{site}/shops/htx-mat-ong"
    assert meta(html, "og:description") == "Mật ong rừng nguyên chất."
    assert "https://sp.zalo.me/share_inline?url=" in html and "facebook.com/sharer/sharer.php" in html
