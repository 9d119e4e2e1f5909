"""The producer sign-up page in a real browser at 390 px: choosing a merged province offers its old
provinces at once (static/js/old_provinces.js), and the page fits the phone in both languages."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
]

TUYEN_QUANG, HANOI = 8, 1


@pytest.fixture
def phone(live_server):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 390, "height": 800})
        yield page
        browser.close()


def _choices(page) -> list[str]:
    return page.eval_on_selector_all("#old_province_code option", "options => options.map(o => o.textContent)")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_choosing_a_province_offers_its_old_provinces_on_a_phone(phone, live_server, language):
    phone.goto(f"{live_server}/manage/join?lang={language}")
    phone.select_option("#province_code", str(TUYEN_QUANG))
    phone.wait_for_function("document.querySelectorAll('#old_province_code option').length === 3")
    assert _choices(phone)[1:] == ["Hà Giang", "Tuyên Quang"]
    phone.select_option("#old_province_code", "2")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # A province that did not merge: its only old province is chosen by itself.
    phone.select_option("#province_code", str(HANOI))
    phone.wait_for_function("document.querySelectorAll('#old_province_code option').length === 2")
    assert phone.input_value("#old_province_code") == str(HANOI)
