"""The pages a shop people trust shows (issue 13): what the OCOP stars mean, contact and the operator's legal
notice, returns and privacy, all linked from the footer of every page, in both languages."""

import re

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.status import ProductStatus
from tests.factories import make_producer, make_product, make_user

PAGES = {"/about/ocop-stars": ("What the OCOP stars mean", "Ý nghĩa số sao OCOP"),
         "/about/contact": ("Contact and legal notice", "Liên hệ và thông tin pháp lý"),
         "/about/returns": ("Returns and refunds", "Đổi trả và hoàn tiền"),
         "/about/privacy": ("Privacy policy", "Chính sách bảo mật")}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_reads_in_both_languages_and_is_in_the_footer(client, path):
    english, vietnamese = PAGES[path]
    en = client.get(f"{path}?lang=en").get_data(as_text=True)
    vi = client.get(f"{path}?lang=vi").get_data(as_text=True)
    assert f"<h1>{english}</h1>" in en and f"<h1>{vietnamese}</h1>" in vi
    home = client.get("/?lang=vi").get_data(as_text=True)
    footer = home[home.index('<footer class="site-footer">'):]
    assert f'href="{path}"' in footer


def test_the_footer_names_the_operator_and_says_the_details_are_illustrative(client):
    """Hotline, e-mail, company name, registration and address; unset, labelled as illustrative."""
    page = client.get("/?lang=vi").get_data(as_text=True)
    footer = page[page.index('<footer class="site-footer">'):]
    assert 'href="tel:19000000"' in footer and "hotro@ocop.example" in footer
    assert "Công ty TNHH Chợ OCOP Minh Họa" in footer and "Mã số doanh nghiệp 0100000000" in footer
    assert "Thông tin đơn vị vận hành là minh họa" in footer


def test_a_configured_operator_replaces_the_illustrative_details(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "OPERATOR_NAME", "Công ty TNHH Đặc Sản Việt")
    monkeypatch.setitem(app.config, "OPERATOR_HOTLINE", "1800 1234")
    monkeypatch.setitem(app.config, "OPERATOR_EMAIL", "cskh@dacsan.example")
    page = client.get("/about/contact?lang=vi").get_data(as_text=True)
    assert "Công ty TNHH Đặc Sản Việt" in page and 'href="tel:18001234"' in page
    assert "Thông tin đơn vị vận hành là minh họa" not in page and "Công ty TNHH Chợ OCOP Minh Họa" not in page


def test_the_star_badge_shows_its_number_and_leads_to_the_explainer(client):
    """"OCOP 5★" with the number, not five glyphs; on the product page it links to what the stars mean."""
    make_product("Nước mắm Phú Quốc 40 độ đạm", stars=5, slug="nuoc-mam-40")
    page = client.get("/products/nuoc-mam-40?lang=vi").get_data(as_text=True)
    badge = re.search(r'<a class="star-badge-link" href="/about/ocop-stars">(.*?)</a>', page, re.S)
    assert badge and "5★" in badge.group(1) and "★★" not in badge.group(1)
    assert "Số sao nghĩa là gì?" in badge.group(1)


def test_archiving_a_product_asks_first_and_sits_apart_from_save(client, login_as):
    """Archive is not a button beside Save: it opens a box that says what happens, then confirms."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    product = make_product("Trà hoa vàng", producer=producer, status=ProductStatus.ACTIVE)
    page = client.get(f"/manage/products/{product.id}/edit?lang=en").get_data(as_text=True)
    save_form = page[page.rindex("<form", 0, page.index(">Save</button>")):page.index(">Save</button>")]
    assert 'value="archived"' not in save_form
    zone = page[page.index('class="danger-zone"'):]
    assert re.search(r'<details class="confirm">\s*<summary class="button button-danger">Archive…</summary>', zone)
    assert 'value="archived"' in zone and "Yes, archive it" in zone


def test_approving_and_suspending_a_producer_ask_first(client, login_as):
    login_as(make_user(role=Role.ADMIN))
    waiting = make_producer("HTX Chờ Duyệt", verified=False)
    page = client.get(f"/admin/producers/{waiting.id}?lang=en").get_data(as_text=True)
    assert re.search(r'<summary class="button button-danger">Approve…</summary>', page)
    assert "Yes, approve this producer" in page
    verified = make_producer("HTX Đã Duyệt")
    page = client.get(f"/admin/producers/{verified.id}?lang=en").get_data(as_text=True)
    assert re.search(r'<summary class="button button-danger">Suspend…</summary>', page)
    # Each reason box has its own label (two forms on one page).
    assert 'for="suspend-reason"' in page and 'id="suspend-reason"' in page
