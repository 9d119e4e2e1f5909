"""The showroom till in a real browser (Debian's chromium driven by Playwright): it keeps selling offline and
sends the queued sales once when the network returns; a sale whose stock is gone is kept for the manager."""

import shutil
import time
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots
from marketplace.showrooms.models import DiscardedTillSale, PosSale, PosSaleLine, StaffRole
from tests.factories import DEFAULT_PASSWORD, make_product
from tests.fixtures.browser import CHROMIUM
from tests.showrooms.helpers import deliver, make_showroom, make_staff

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def shop(app):
    showroom = make_showroom("Điểm OCOP Phố Cổ")
    manager = make_staff(showroom, StaffRole.MANAGER, email="manager@example.test")
    sauce = make_product("Tương Cự Đà", price_vnd=45000, barcode="8934563138165")
    tea = make_product("Trà hoa vàng Ba Chẽ", price_vnd=120000)
    deliver(showroom, sauce, 5, lot="T1", best_before=date(2027, 3, 1))
    deliver(showroom, tea, 2, lot="H1", best_before=date(2027, 5, 1))
    db.session.commit()
    return showroom, manager, sauce, tea


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def _sign_in(page, base, email):
    page.goto(base + "/accounts/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def _sell(page, query, quantity=1, cash="1000000"):
    page.fill("#pos-q", query)
    page.press("#pos-q", "Enter")
    page.wait_for_selector("#pos-lines .pos-qty input")
    if quantity != 1:
        page.fill("#pos-lines .pos-qty input", str(quantity))
        page.press("#pos-lines .pos-qty input", "Tab")
    page.fill("#pos-cash", cash)
    page.keyboard.press("F9")
    page.wait_for_selector("#pos-done:not([hidden])")


def _wait_until(condition, timeout=15.0):
    """Poll from Python (the page's CSP forbids the string evaluation wait_for_function uses)."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def _queue(page, showroom_id):
    return page.evaluate(f"JSON.parse(localStorage.getItem('pos-queue-{showroom_id}') || '[]')")


def test_offline_sales_are_sent_once_when_back_online(browser, live_server, shop):
    showroom, manager, sauce, tea = shop
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/manage/showrooms/{showroom.id}/pos")
    page.wait_for_selector("#pos:not([hidden])")
    context.set_offline(True)
    page.wait_for_selector("#pos-status.pos-offline")
    _sell(page, "tuong cu da", quantity=2)          # words without accents, found in the till's own list
    _sell(page, "8934563138165")                    # a scanned barcode
    _sell(page, "tra hoa vang", quantity=3)         # only 2 in stock: the server will refuse it
    assert [entry["state"] for entry in _queue(page, showroom.id)] == ["pending"] * 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 0

    context.set_offline(False)
    _wait_until(lambda: all(entry["state"] == "conflict" for entry in _queue(page, showroom.id)))
    queue = _queue(page, showroom.id)
    assert len(queue) == 1 and "Trà hoa vàng Ba Chẽ" in queue[0]["error"]
    page.wait_for_selector("#pos-conflicts:not([hidden])")
    assert "Trà hoa vàng" in page.inner_text("#pos-conflict-list")

    db.session.commit()  # end the read snapshot: the live server wrote meanwhile
    sale_lines = db.session.scalar(sa.select(sa.func.count()).select_from(PosSaleLine))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == sale_lines == 2
    assert lots.level_quantity(sauce.id, showroom.location_id) == 2
    assert lots.level_quantity(tea.id, showroom.location_id) == 2

    # Reloading sends nothing twice; the conflict is still there for the manager.
    page.reload()
    page.wait_for_selector("#pos-conflicts:not([hidden])")
    db.session.commit()  # end the read snapshot: the live server wrote meanwhile
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 2
    context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_till_fits_the_screen_and_works_with_keys(browser, live_server, shop, width):
    showroom, manager, _sauce, _tea = shop
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/manage/showrooms/{showroom.id}/pos")
    page.wait_for_selector("#pos:not([hidden])")
    page.fill("#pos-q", "8934563138166")
    page.press("#pos-q", "Enter")
    assert "số kiểm tra" in page.inner_text("#pos-message")  # Vietnamese, the default language
    _sell(page, "8934563138165")
    page.wait_for_selector("#pos-receipt:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.click("#pos-receipt")
    page.wait_for_selector(".receipt")
    assert "Tương Cự Đà" in page.inner_text(".receipt")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()


def test_a_queued_sale_is_kept_when_the_session_has_ended(browser, live_server, shop):
    """Signed out meanwhile: the post comes back as the login page, not a sale, so the sale stays queued."""
    showroom, manager, _sauce, _tea = shop
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/manage/showrooms/{showroom.id}/pos")
    page.wait_for_selector("#pos:not([hidden])")
    context.set_offline(True)
    page.wait_for_selector("#pos-status.pos-offline")
    _sell(page, "tuong cu da")
    context.clear_cookies()
    context.set_offline(False)
    page.wait_for_selector("#pos-message.pos-message-bad")
    assert [entry["state"] for entry in _queue(page, showroom.id)] == ["pending"]
    db.session.commit()  # end the read snapshot
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 0
    context.close()


def test_a_discarded_conflict_is_recorded_on_the_server_before_it_leaves_the_till(browser, live_server, shop):
    """The manager discards a sale the server refused: the till asks why, the server keeps who/what/why, and only
    then the sale leaves the browser's queue."""
    showroom, manager, _sauce, tea = shop
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/manage/showrooms/{showroom.id}/pos")
    page.wait_for_selector("#pos:not([hidden])")
    context.set_offline(True)
    page.wait_for_selector("#pos-status.pos-offline")
    _sell(page, "tra hoa vang", quantity=3)  # only 2 in stock
    context.set_offline(False)
    _wait_until(lambda: [entry["state"] for entry in _queue(page, showroom.id)] == ["conflict"])
    page.wait_for_selector("#pos-conflicts:not([hidden])")
    page.once("dialog", lambda dialog: dialog.accept("Khách đã đổi ý"))
    page.click("#pos-conflict-list button:has-text('Bỏ đơn')")
    _wait_until(lambda: _queue(page, showroom.id) == [])
    db.session.commit()  # end the read snapshot: the live server wrote meanwhile
    row = db.session.scalars(sa.select(DiscardedTillSale)).one()
    assert (row.reason, row.discarded_by_id, row.lines[0]["quantity"]) == ("Khách đã đổi ý", manager.id, 3)
    assert "Trà hoa vàng" in row.conflict
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 0
    assert lots.level_quantity(tea.id, showroom.location_id) == 2
    page.goto(f"{live_server}/manage/showrooms/{showroom.id}/pos/discarded")
    assert "Khách đã đổi ý" in page.inner_text("main")
    context.close()
