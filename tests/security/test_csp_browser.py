"""The Content-Security-Policy in a real browser (Debian's chromium through Playwright): the storefront's
pages, their script and the search suggestions run without a single violation."""

import shutil

import pytest

from marketplace.extensions import db
from tests.factories import make_producer, make_product

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def site(app, live_server):
    """The app served on a free port of 127.0.0.1, with a small committed catalogue."""
    producer = make_producer("Hợp tác xã Chè Tân Cương", slug="htx-che-tan-cuong")
    make_product("Chè Tân Cương đặc biệt", producer=producer, stars=5, slug="che-tan-cuong")
    db.session.commit()
    return live_server


def test_pages_run_without_csp_violations(site):
    violations = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        for path in ("/", "/products", "/products/che-tan-cuong", "/shops/htx-che-tan-cuong", "/accounts/login",
                     "/accounts/signup", "/cart", "/no-such-page"):
            response = page.goto(site + path)
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.goto(site + "/")
        page.fill("#site-search", "che tan")
        page.wait_for_selector("#search-suggestions li", timeout=5000)
        browser.close()
    assert violations == []
