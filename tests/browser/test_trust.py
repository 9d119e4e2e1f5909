"""Hearts, "follow this shop" and the copy-link button in a real browser: with JavaScript the forms are sent in
the background and the buttons change in place (no reload), by mouse or keyboard."""

import shutil

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.wishlists.models import FollowedShop, SavedProduct
from tests.factories import DEFAULT_PASSWORD, make_producer, make_product, make_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
# The page's CSP forbids evaluating strings, so waits use Playwright's own assertions.
expect = playwright_api.expect
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
]



@pytest.fixture
def shopper(live_server):
    """A signed-in shopper's chromium page (phone width) and the user."""
    producer = make_producer("HTX Chè Shan Tuyết", slug="htx-che-shan-tuyet")
    make_product("Chè Shan Tuyết cổ thụ", producer=producer, slug="che-shan-tuyet")
    user = make_user("nguoimua@example.test")
    db.session.commit()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(live_server + "/accounts/login")
        page.fill("input[name=email]", "nguoimua@example.test")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        yield page, user
        browser.close()


def _count(model, user) -> int:
    db.session.rollback()  # a new read: the open one would keep seeing its snapshot
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.user_id == user.id))


def test_the_heart_saves_without_a_reload_by_mouse_and_keyboard(shopper, live_server):
    page, user = shopper
    page.goto(live_server + "/products/che-shan-tuyet")
    marker = page.evaluate("() => { window.notReloaded = true; return window.notReloaded; }")
    assert marker is True
    heart = page.locator(".product-actions .heart")
    assert heart.get_attribute("aria-pressed") == "false"
    heart.click()
    expect(heart).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => window.notReloaded") is True
    assert _count(SavedProduct, user) == 1
    heart.focus()
    page.keyboard.press("Enter")
    expect(heart).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => window.notReloaded") is True
    assert _count(SavedProduct, user) == 0


def test_follow_toggles_in_place_and_copy_link_is_offered(shopper, live_server):
    page, user = shopper
    page.goto(live_server + "/shops/htx-che-shan-tuyet")
    marker = page.evaluate("() => { window.notReloaded = true; return window.notReloaded; }")
    assert marker is True
    assert page.locator(".share-copy").is_visible()
    page.locator(".follow-form button").click()
    expect(page.locator(".follow-form button")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => window.notReloaded") is True
    assert _count(FollowedShop, user) == 1
    page.locator(".share-copy").click()
    expect(page.locator(".share-status")).not_to_have_text("")
