"""The storefront in a real browser (Debian's chromium driven by Playwright) on a 375-pixel-wide phone."""

import shutil

import pytest

from marketplace.extensions import db
from tests.factories import make_producer, make_product

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
]



@pytest.fixture
def phone(live_server):
    """A chromium page with a phone-sized viewport."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 375, "height": 800})
        yield page
        browser.close()


@pytest.fixture
def catalogue(app):
    """A small committed catalogue."""
    producer = make_producer("Hợp tác xã Nước mắm Phú Quốc", slug="htx-nuoc-mam-phu-quoc", province_code=91,
                             story="Nghề làm nước mắm truyền thống.")
    products = [
        make_product("Nước mắm Phú Quốc 40 độ đạm thượng hạng", producer=producer, stars=5, slug="nuoc-mam-phu-quoc-40",
                     description="Đặc sản đảo ngọc, ủ chượp trong thùng gỗ."),
        make_product("Nước mắm nhĩ cá cơm", producer=producer, stars=4, slug="nuoc-mam-nhi-ca-com"),
        make_product("Tương Đường Lâm", stars=3, slug="tuong-duong-lam", group_code="1.4"),
    ]
    db.session.commit()
    return products


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_pages_fit_a_phone_screen(phone, live_server, catalogue):
    """Home, catalogue, product and shop pages have no horizontal scrolling at 375 px."""
    for path in ("/", "/products", "/products?q=nuoc+mam&stars=4", "/products/nuoc-mam-phu-quoc-40",
                 "/shops/htx-nuoc-mam-phu-quoc", "/products/does-not-exist"):
        phone.goto(live_server + path)
        assert _overflow(phone) <= 0, f"{path} scrolls sideways on a phone"


def test_star_badge_reads_as_text_for_screen_readers(phone, live_server, catalogue):
    """The badge on the product page carries its star level as accessible text."""
    phone.goto(live_server + "/products/nuoc-mam-phu-quoc-40")
    badge = phone.locator(".star-badge").first
    assert "5" in (badge.get_attribute("aria-label") or "")
    assert badge.is_visible()


def test_suggestions_appear_while_typing_without_accents(phone, live_server, catalogue):
    """Typing 'nuoc mam' in the search box lists the matching products, with accents, as you type."""
    phone.goto(live_server + "/")
    phone.fill("#site-search", "nuoc mam")
    phone.wait_for_selector("#search-suggestions li", timeout=5000)
    text = phone.inner_text("#search-suggestions")
    assert "Nước mắm Phú Quốc" in text


def test_language_switch_is_kept_while_browsing(phone, live_server, catalogue):
    """Choosing EN in the header keeps English on the next page."""
    phone.goto(live_server + "/")
    phone.click(".lang-switch a[lang=en]")
    phone.goto(live_server + "/products")
    assert phone.get_attribute("html", "lang") == "en"
