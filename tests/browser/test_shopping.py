"""The cart's quantity steppers and the bank transfer's copy buttons in a real browser (Debian's chromium) at phone
width: with JavaScript the quantity changes in place (no reload) by mouse, keyboard and typing, the page never
scrolls sideways, and the copy buttons put the account number, the amount and the transfer note on the clipboard."""

import shutil

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.models import Cart, CartLine
from tests.factories import DEFAULT_PASSWORD, make_product, make_user
from tests.orders.helpers import place

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
# The page's CSP forbids evaluating strings, so waits use Playwright's own assertions.
expect = playwright_api.expect
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
]
EMAIL = "nguoimua@example.test"



@pytest.fixture
def shopper(live_server):
    """A signed-in shopper's chromium page at phone width (390 px), allowed to use the clipboard, and the user."""
    user = make_user(EMAIL)
    db.session.commit()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.goto(live_server + "/accounts/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        yield page, user
        browser.close()


def _quantity(user, product) -> int:
    db.session.rollback()  # a new read: the open one would keep seeing its snapshot
    return db.session.scalar(sa.select(CartLine.quantity).join(Cart).where(Cart.user_id == user.id,
                                                                           CartLine.product_id == product.id))


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_stepper_updates_the_line_in_place_by_mouse_keyboard_and_typing(shopper, live_server):
    page, user = shopper
    product = make_product("Chè Shan Tuyết cổ thụ", price_vnd=50000, stock=6)
    carts.add_to_cart(product.id, 2, user=user)
    db.session.commit()
    page.goto(live_server + "/cart")
    assert page.evaluate("() => { window.notReloaded = true; return window.notReloaded; }") is True
    assert _no_sideways_scroll(page)
    plus = page.locator('.stepper-button[data-step="1"]')
    box = plus.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert not page.locator(".stepper-apply").is_visible()  # no separate "update" button with the script
    plus.click()
    expect(page.locator(".stepper-input")).to_have_value("3")
    expect(page.locator(".cart-line-amount")).to_have_text("150.000\xa0₫")
    expect(page.locator(".nav-cart .cart-count")).to_have_text("3")
    assert page.evaluate("() => window.notReloaded") is True
    assert _quantity(user, product) == 3
    # Keyboard: focus stays on the button after the line is redrawn, so Enter again works.
    page.locator('.stepper-button[data-step="-1"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator(".cart-line-amount")).to_have_text("100.000\xa0₫")
    expect(page.locator(".stepper-input")).to_have_value("2")
    expect(page.locator('.stepper-button[data-step="-1"]')).to_be_focused()
    assert _quantity(user, product) == 2
    # Typing a number and Enter.
    page.locator(".stepper-input").fill("5")
    page.locator(".stepper-input").press("Enter")
    expect(page.locator(".cart-line-amount")).to_have_text("250.000\xa0₫")
    assert _quantity(user, product) == 5
    # More than the stock: the reason appears under the line, the cart keeps 5.
    page.locator(".stepper-input").fill("9")
    page.locator(".stepper-input").press("Enter")
    expect(page.locator(".stepper-error")).to_contain_text("6")
    assert _quantity(user, product) == 5
    assert page.evaluate("() => window.notReloaded") is True
    assert _no_sideways_scroll(page)


def test_copy_buttons_put_the_transfer_details_on_the_clipboard(shopper, live_server):
    page, user = shopper
    order = place(user, [make_product(price_vnd=120000, stock=5)], method="vietqr")
    db.session.commit()
    page.goto(live_server + f"/payments/vietqr/{order.number}")
    assert _no_sideways_scroll(page)
    buttons = page.locator(".copy-button")
    expect(buttons).to_have_count(3)
    for index in range(3):
        expect(buttons.nth(index)).to_be_visible()
    page.locator('.copy-button[data-copy-target="copy-amount"]').click()
    expect(page.locator('.copy-button[data-copy-target="copy-amount"]')).to_have_text("Đã sao chép")
    assert page.evaluate("() => navigator.clipboard.readText()") == str(order.total_vnd)
    page.locator('.copy-button[data-copy-target="copy-note"]').click()
    expect(page.locator(".copy-status")).to_contain_text(order.number)
    assert page.evaluate("() => navigator.clipboard.readText()") == order.number
    page.locator('.copy-button[data-copy-target="copy-account"]').click()
    expect(page.locator(".copy-status")).to_contain_text("0001000000000")
    assert page.evaluate("() => navigator.clipboard.readText()") == "0001000000000"
    with page.expect_download() as download:
        page.get_by_role("link", name="Lưu mã QR").click()
    assert download.value.suggested_filename == f"vietqr-{order.number}.png"
