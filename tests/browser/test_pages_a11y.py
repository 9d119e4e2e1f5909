"""Every page each role can reach, in Debian's chromium, at 390 px (phone) and 1366 px (laptop), in Vietnamese.

The catalogue is the committed illustrative one (`flask demo load`: producers, shops, orders, statements,
showrooms, till sales, campaigns, demand requests, reviews), plus one signed-in account per role with a known
password: a buyer who has orders, a member of the demo producer that has a statement, the staff of a demo
showroom and an administrator. One URL per route the role may use (the access table of
tests/security/test_route_access.py says which); files (exports, QR codes, feeds, JSON) are not pages.

The crawl runs once for the module (one browser, one context per role); each test then asserts one property of
what it saw:
- no page is wider than the window;
- axe-core finds no violation of impact serious or critical (colour contrast included), once per route: at
  both widths for the public pages, at the phone's width for the signed-in ones;
- no interactive element is smaller than 24x24 CSS px (WCAG 2.2 target size; a link inside a sentence is
  exempt, as WCAG's "inline" exception says);
- no English sentence of the app or the form library and no raw enum value is visible;
- every page weighs under 100 KB before images, and no stylesheet or script comes from another host.
Each failing page's screenshot is saved under tests/browser/artifacts/ (CI keeps that folder).
"""

import json
import logging
import os
import re
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.catalog.models import Certificate, Product
from marketplace.catalog.status import CertificateStatus, ProductStatus
from marketplace.demo.loader import load_demo
from marketplace.extensions import db
from marketplace.linkage.models import DemandRequest, Linkage
from marketplace.orders.models import Address, Order, OrderLine, PaymentMethod, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.promotions.models import Campaign, TradeFair
from marketplace.questions.models import Question
from marketplace.reviews.models import Review
from marketplace.settlements.models import Statement, StatementSection
from marketplace.showrooms.models import Consignment, Lot, Pickup, PosSale, Showroom, StaffRole, TillClose
from marketplace.showrooms.services import add_member
from marketplace.vouchers.models import Voucher
from tests.core.test_vietnamese_only import english_phrases, leaks, raw_values
from tests.factories import DEFAULT_PASSWORD, make_producer, make_product, make_user
from tests.fixtures.app import _empty_all_tables
from tests.orders.helpers import hanoi_ward
from tests.security.test_route_access import ACCESS, ADMIN, CONSUMER, GUEST, PRODUCER, STAFF

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is a dev dependency")
pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install chromium)"),
    # What a page looks like does not depend on the database, and the sweep is the suite's longest module: CI runs
    # it in the SQLite half only, to stay within its time budget (the database paths are covered by the rest).
    pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                       reason="the page sweep runs in the SQLite half of CI"),
]

ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = (390, 1366)
ROLES = (GUEST, CONSUMER, PRODUCER, STAFF, ADMIN)
MAX_PAGE_BYTES = 100 * 1024

#: Routes that answer with a file, a redirect or JSON rather than a page, and routes that need a secret
#: token sent by e-mail (their pages are the same forms the tests of their packages read).
NOT_PAGES = re.compile(
    r"\.(png|svg|ics|xlsx|json|<fmt>)$|^/(static|media)/|/export/|^/api/|/webhook$|/ipn$|/return$|/success$"
    r"|^/healthz$|^/checkout/wards$|^/language/|^/accounts/logout$|/suggest$|/lookup$|<token>|/cancel/<number>$|/scan$"
    r"|^/payments/pay/")

# Collects sizes, positions and fonts in the page (run by Playwright over the DevTools protocol, not eval).
MEASURE = """() => {
  const inlineInText = (el) => {
    if (el.tagName !== 'A') return false;
    const block = el.closest('p, li, dd, td, small, .hint, .muted, figcaption, label');
    if (!block) return false;
    const own = (el.textContent || '').trim().length;
    return (block.textContent || '').trim().length > own + 3;
  };
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])')) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.closest('.visually-hidden, .skip-link, [hidden]')) continue;
    if ((box.width < 23.5 || box.height < 23.5) && !inlineInText(el)) {
      small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  const assets = [...document.querySelectorAll('link[rel=stylesheet][href], script[src]')].map(e => e.href || e.src);
  return {overflow: document.documentElement.scrollWidth - window.innerWidth, small: small.slice(0, 12),
          text: document.body.innerText, assets};
}"""


@dataclass
class PageResult:
    role: str
    url: str
    width: int
    status: int
    overflow: int = 0
    small: list = field(default_factory=list)
    axe: list = field(default_factory=list)
    leaks: list = field(default_factory=list)
    weight: int = 0
    foreign_assets: list = field(default_factory=list)
    shot: str = ""


def _first(statement):
    return db.session.scalars(statement.limit(1)).first()


def _accounts() -> dict:
    """One signed-in account per role over the demo catalogue, each with the test password."""
    statement = _first(sa.select(Statement).order_by(Statement.id))
    producer = db.session.get(Producer, statement.producer_id)
    buyer_id = db.session.scalars(sa.select(Order.buyer_id).group_by(Order.buyer_id)
                                  .order_by(sa.func.count().desc()).limit(1)).first()
    buyer = db.session.get(User, buyer_id)
    showroom = _first(sa.select(Showroom).order_by(Showroom.id))
    member = make_user("thanhvien.kiemthu@example.test", role=Role.PRODUCER, producer=producer)
    staff = make_user("nhanvien.kiemthu@example.test", role=Role.SHOWROOM_STAFF, location_id=showroom.location_id)
    add_member(showroom, staff, StaffRole.MANAGER)
    admin = make_user("vanphong.kiemthu@example.test", role=Role.ADMIN)
    buyer.password_hash = hash_password(DEFAULT_PASSWORD)
    buyer.is_active = True
    db.session.flush()
    return {"buyer": buyer, "producer": producer, "member": member, "showroom": showroom, "staff": staff,
            "admin": admin}


def _values(accounts) -> dict[str, dict[str, object]]:
    """For each URL argument, the value each role uses (a row that role may see)."""
    producer, showroom, buyer = accounts["producer"], accounts["showroom"], accounts["buyer"]
    public_product = _first(sa.select(Product).where(Product.status == ProductStatus.ACTIVE).order_by(Product.id))
    own_product = _first(sa.select(Product).where(Product.producer_id == producer.id).order_by(Product.id))
    certificate = _first(sa.select(Certificate).where(Certificate.product_id == own_product.id))
    valid = _first(sa.select(Certificate).where(Certificate.status == CertificateStatus.VALID))
    order = _first(sa.select(Order).where(Order.buyer_id == buyer.id).order_by(Order.id.desc()))
    # A delivered line of the buyer's that has no review yet (the review form), if the demo has one.
    line = _first(sa.select(OrderLine).join(ProducerOrder).join(Order, Order.id == ProducerOrder.order_id)
                  .outerjoin(Review, Review.order_line_id == OrderLine.id)
                  .where(Order.buyer_id == buyer.id, ProducerOrder.status == OrderStatus.DELIVERED, Review.id.is_(None)))
    line_order = db.session.get(Order, db.session.get(ProducerOrder, line.producer_order_id).order_id) if line else None
    qr_order = _first(sa.select(Order).where(Order.buyer_id == buyer.id, Order.payment_method == PaymentMethod.VIETQR))
    sub_order = _first(sa.select(ProducerOrder).where(ProducerOrder.producer_id == producer.id))
    any_sub_order = _first(sa.select(ProducerOrder).order_by(ProducerOrder.id))
    statement = _first(sa.select(Statement).where(Statement.producer_id == producer.id))
    showroom_statement = _first(sa.select(StatementSection.statement_id)
                                .where(StatementSection.showroom_id == showroom.id))
    pickup = _first(sa.select(Pickup).where(Pickup.showroom_id == showroom.id))
    lot = _first(sa.select(Lot).order_by(Lot.id))
    own_lot = _first(sa.select(Lot).join(Product, Product.id == Lot.product_id).where(Product.producer_id == producer.id))
    request = _first(sa.select(DemandRequest).order_by(DemandRequest.id))
    linkage = _first(sa.select(Linkage).where(Linkage.producer_id == producer.id)) or _first(sa.select(Linkage))
    voucher = _first(sa.select(Voucher).order_by(Voucher.id))
    common = {
        "slug": public_product.slug, "code": valid.verification_code, "number": order.number,
        "line_id": line.id if line else None, "request_id": request.id, "linkage_id": linkage.id if linkage else 0,
        "product_id": own_product.id, "certificate_id": certificate.id if certificate else 0,
        "producer_order_id": (sub_order or any_sub_order).id, "statement_id": statement.id,
        "showroom_id": showroom.id, "producer_id": producer.id, "voucher_id": voucher.id if voucher else 0,
        "campaign_id": _first(sa.select(Campaign.id)), "fair_id": _first(sa.select(TradeFair.id)),
        "question_id": _first(sa.select(Question.id)) or 0, "review_id": _first(sa.select(Review.id)) or 0,
        "consignment_id": _first(sa.select(Consignment.id).where(Consignment.showroom_id == showroom.id)) or 0,
        "close_id": _first(sa.select(TillClose.id).where(TillClose.showroom_id == showroom.id)) or 0,
        "sale_id": _first(sa.select(PosSale.id).where(PosSale.showroom_id == showroom.id)) or 0,
    }
    by_rule = {
        "/shops/<slug>": {"slug": producer.slug},
        "/campaigns/<slug>": {"slug": _first(sa.select(Campaign.slug))},
        "/fairs/<slug>": {"slug": _first(sa.select(TradeFair.slug))},
        "/lot/<code>": {"code": lot.public_code if lot else "none"},
        "/manage/lots/<code>/labels": {"code": own_lot.public_code if own_lot else None},
        "/orders/<number>/review/<int:line_id>": {"number": line_order.number if line else None},
        "/payments/vietqr/<number>": {"number": qr_order.number if qr_order else None},
        "/admin/certificates/<int:certificate_id>": {"certificate_id": valid.id},
        "/manage/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>":
            {"producer_order_id": pickup.producer_order_id if pickup else 0},
        "/manage/statements/showroom/<int:showroom_id>/<int:statement_id>": {"statement_id": showroom_statement or 0},
        "/manage/consignments/<int:consignment_id>":
            {"consignment_id": _first(sa.select(Consignment.id).where(Consignment.producer_id == producer.id)) or 0},
    }
    return {"common": common, "by_rule": by_rule, "producer_id": producer.id,
            "linkage_member": linkage is not None and linkage.producer_id == producer.id}


#: Public pages a signed-in role also visits (its header differs); the others are the guest's to check.
SIGNED_IN_PUBLIC = ("/", "/products/<slug>", "/cart")
#: A buyer's own things: only the buyer has them (another account gets 404, as it should).
BUYERS_OWN = re.compile(r"<number>|<int:line_id>|^/checkout$")
#: Back-office pages of one producer: the office and showroom staff name the producer in ?producer=.
PRODUCER_SCOPED = re.compile(r"^/manage/(?!showrooms|assist$|$)")


def _urls(app, role: str, values) -> list[str]:
    """One URL per route this role may use (ACCESS), with arguments that name a row it may see."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        allowed = ACCESS.get(rule.rule, frozenset())
        if "GET" not in rule.methods or role not in allowed or NOT_PAGES.search(rule.rule):
            continue
        if role != GUEST and len(allowed) == len(ROLES) and rule.rule not in SIGNED_IN_PUBLIC:
            continue
        if role != CONSUMER and BUYERS_OWN.search(rule.rule):
            continue
        if rule.rule == "/demand/linkages/<int:linkage_id>" and not (
                role == ADMIN or (role == PRODUCER and values["linkage_member"])):
            continue
        arguments = dict(values["common"])
        arguments.update(values["by_rule"].get(rule.rule, {}))
        if any(arguments.get(name) is None for name in rule.arguments):
            continue  # the demo has no such row for this role
        text = rule.rule
        for name in rule.arguments:
            text = re.sub(r"<(?:[^:>]+:)?" + re.escape(name) + ">", str(arguments[name]), text)
        if role in (ADMIN, STAFF) and PRODUCER_SCOPED.search(rule.rule):
            text += f"?producer={values['producer_id']}"
        urls.append(text)
    return urls


@pytest.fixture(scope="module")
def server(app):
    """The app served on a free port of 127.0.0.1 for the whole module."""
    app.config["SERVER_NAME"] = None
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    instance = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{instance.server_port}"
    instance.shutdown()
    thread.join(timeout=5)
    app.config["SERVER_NAME"] = "localhost"


@pytest.fixture(scope="module")
def live_site(app, server):
    """The demo catalogue and the four accounts, committed (the tests' committed marker empties the tables)."""
    with app.app_context():
        try:
            load_demo()
            accounts = _accounts()
            values = _values(accounts)
            db.session.commit()
            emails = {CONSUMER: accounts["buyer"].email, PRODUCER: accounts["member"].email,
                      STAFF: accounts["staff"].email, ADMIN: accounts["admin"].email}
            with app.test_request_context():
                urls = {role: _urls(app, role, values) for role in ROLES}
        except Exception:
            db.session.rollback()
            _empty_all_tables()
            raise
        finally:
            db.session.remove()
    return {"base": server, "emails": emails, "urls": urls}


@pytest.fixture(scope="module")
def browser():
    """One chromium for the module."""
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield instance
        instance.close()


def signed_in_context(browser, base: str, email: str | None, width: int = WIDTHS[0]):
    """A browser context in Vietnamese, signed in through the login form (a guest when email is None)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    host = urlsplit(base).hostname
    context.add_cookies([{"name": "lang", "value": "vi", "domain": host, "path": "/"}])
    if email:
        page = context.new_page()
        page.goto(base + "/accounts/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/accounts/login" not in page.url, f"{email} could not sign in"
        page.close()
    return context


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}


def _violation(found: dict) -> str:
    node = found["nodes"][0]
    return (f"{found['id']} ({found['impact']}, {len(found['nodes'])} elements): {node['target']} "
            f"{node.get('failureSummary', '')[:200]}")


def _slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[:80] or "home"


@pytest.fixture(scope="module")
def crawl(live_site, browser):
    """Every page of every role at both widths: what each showed."""
    base, results = live_site["base"], []
    raw, english = raw_values(), english_phrases()
    axe = axe_module.Axe()
    checked_by_axe, axe_seconds, started_at = set(), 0.0, time.perf_counter()
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()  # only this run's failures stay
    for role in ROLES:
        context = signed_in_context(browser, base, live_site["emails"].get(role))
        page = context.new_page()
        for url in live_site["urls"][role]:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(base + url)
            status = response.status if response else 0
            if status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
                results.append(PageResult(role, url, 0, status))
                continue
            weight = len(response.body())
            for width in WIDTHS:  # the same page laid out again at each width, without a reload
                page.set_viewport_size({"width": width, "height": 900})
                result = PageResult(role, url, width, status, weight=weight)
                measured = page.evaluate(MEASURE)
                result.overflow = measured["overflow"]
                result.small = measured["small"]
                # Paths and addresses shown on purpose (an API endpoint for a till) are not words.
                words = re.sub(r"\S*/\S*", " ", measured["text"])
                result.leaks = sorted(set(leaks(words, raw, english)))
                result.foreign_assets = [a for a in measured["assets"] if not a.startswith(base)]
                # axe once per route (the same template for every role): at both widths for the shop's
                # public pages, at the phone's for the rest (what it checks hardly depends on the width).
                key = (re.sub(r"\d+", "N", url), width)
                if key not in checked_by_axe and (width == WIDTHS[0] or role == GUEST):
                    checked_by_axe.add(key)
                    started = time.perf_counter()
                    found = axe.run(page, options=AXE_OPTIONS)
                    axe_seconds += time.perf_counter() - started
                    result.axe = [_violation(v) for v in found.response["violations"]
                                  if v["impact"] in ("serious", "critical")]
                if result.overflow > 0 or result.small or result.axe or result.leaks:
                    result.shot = str(ARTIFACTS / f"{role.replace(' ', '_')}-{_slug(url)}-{width}.png")
                    page.screenshot(path=result.shot, full_page=True)
                results.append(result)
        context.close()
    (ARTIFACTS / "report.json").write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    pages = [r for r in results if r.status == 200]
    print(f"\nchecked {len(pages)} page views ({len({(r.role, r.url) for r in pages})} pages of "
          f"{len(ROLES)} roles at {len(WIDTHS)} widths), axe on {len(checked_by_axe)} "
          f"({axe_seconds:.0f} s of {time.perf_counter() - started_at:.0f} s); "
          f"not a page: {[(r.role, r.url, r.status) for r in results if r.status != 200]}")
    return results


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(problems)


def test_every_role_reaches_its_pages(crawl):
    """Each page of the table answers 200 to a role it lets in (not 403, not an error)."""
    bad = [f"{r.role} {r.url}: {r.status}" for r in crawl if r.status in (0, 403) or r.status >= 500]
    assert not bad, _report(bad)
    assert len([r for r in crawl if r.status == 200]) > 150


def test_no_page_is_wider_than_the_window(crawl):
    problems = [f"{r.role} {r.url} at {r.width}px: {r.overflow}px too wide ({r.shot})" for r in crawl if r.overflow > 0]
    assert not problems, _report(problems)


def test_no_serious_accessibility_violation(crawl):
    problems = [f"{r.role} {r.url} at {r.width}px: {v}" for r in crawl for v in r.axe]
    assert not problems, _report(problems)


def test_every_target_is_at_least_24_px(crawl):
    problems = [f"{r.role} {r.url} at {r.width}px: {', '.join(r.small)}" for r in crawl if r.small]
    assert not problems, _report(problems)


def test_vietnamese_pages_show_no_english_nor_codes(crawl):
    problems = [f"{r.role} {r.url}: {r.leaks}" for r in crawl if r.leaks and r.width == WIDTHS[0]]
    assert not problems, _report(problems)


def test_pages_are_light_and_use_no_cdn(crawl):
    """Every page's HTML is under 100 KB (before images) and its CSS and JavaScript come from the site."""
    heavy = [f"{r.role} {r.url}: {r.weight // 1024} KB" for r in crawl if r.weight > MAX_PAGE_BYTES]
    foreign = [f"{r.role} {r.url}: {r.foreign_assets}" for r in crawl if r.foreign_assets]
    assert not heavy and not foreign, _report(heavy + foreign)
    print(f"\nheaviest page: {max(r.weight for r in crawl) // 1024} KB")


# ---------------------------------------------------------------------------------------------------------------
# Keyboard only: search, add to cart, check out, and the producer marks the parcel shipped.

#: True when the focused element shows a focus ring (an outline or a ring drawn with box-shadow).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
}"""
FOCUSED = "() => { const el = document.activeElement; return el ? el.outerHTML.slice(0, 300) : ''; }"


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching the selector has the focus; it must show a focus ring."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(el) => el === document.activeElement"):
            assert page.evaluate(FOCUS_RING), f"no visible focus ring on {page.evaluate(FOCUSED)}"
            return
    raise AssertionError(f"{selector} is never reached with the Tab key on {page.url}")


def enter(page) -> None:
    """Press Enter on the focused control and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def keyboard_shop(app):
    """A public product, a buyer with a saved address and the producer's member (committed)."""
    producer = make_producer("HTX Chè Tân Cương Bàn Phím", slug="htx-che-ban-phim")
    product = make_product("Chè Tân Cương búp non", producer=producer, slug="che-tan-cuong-bup-non", stars=4, stock=20)
    buyer = make_user("nguoimua.banphim@example.test")
    province_code, ward_code = hanoi_ward()
    db.session.add(Address(user_id=buyer.id, full_name="Nguyễn Thị Bàn Phím", phone="0912345678",
                           province_code=province_code, ward_code=ward_code, street="Số 5 phố Huế"))
    member = make_user("htx.banphim@example.test", role=Role.PRODUCER, producer=producer)
    db.session.commit()
    return {"product": product, "buyer": buyer, "member": member, "producer": producer}


def test_search_cart_checkout_and_shipping_work_with_the_keyboard_alone(server, browser, keyboard_shop):
    """Every step is reached with Tab, done with Enter or typing, and the focused control shows a ring."""
    buyer = signed_in_context(browser, server, keyboard_shop["buyer"].email)
    page = buyer.new_page()
    page.goto(server + "/")
    tab_to(page, "#site-search")
    page.keyboard.type("che tan cuong")
    enter(page)
    assert "/products?" in page.url
    tab_to(page, "main a[href='/products/che-tan-cuong-bup-non']")
    enter(page)
    assert page.url.endswith("/products/che-tan-cuong-bup-non")
    tab_to(page, ".add-to-cart button[type=submit]")
    enter(page)
    tab_to(page, "a.nav-cart")
    enter(page)
    assert "Chè Tân Cương búp non" in page.inner_text("main")
    tab_to(page, "main a[href^='/checkout'], main button[formaction^='/checkout']")
    enter(page)
    assert page.url.endswith("/checkout")
    # With JavaScript the communes load by themselves: the no-JavaScript button is hidden, not just styled.
    for button in page.locator("button[name=refresh_wards]").all():
        assert not button.is_visible()
    tab_to(page, "form.checkout-form button[type=submit]:not([name])")
    enter(page)
    assert "/orders/" in page.url
    buyer.close()

    db.session.rollback()
    sub_order = db.session.scalars(sa.select(ProducerOrder).where(
        ProducerOrder.producer_id == keyboard_shop["producer"].id)).one()
    producer = signed_in_context(browser, server, keyboard_shop["member"].email)
    page = producer.new_page()
    page.goto(f"{server}/manage/orders/{sub_order.id}")
    confirm = page.locator("form[action$='/confirm'] button[type=submit]")
    if confirm.count():
        tab_to(page, "form[action$='/confirm'] button[type=submit]")
        enter(page)
    tab_to(page, "#carrier")
    page.keyboard.type("Viettel Post")
    tab_to(page, "#tracking_number")
    page.keyboard.type("VTP123456789")
    tab_to(page, "form[action$='/ship'] button[type=submit]")
    enter(page)
    shown = page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "keyboard-shipped.png"), full_page=True)
    producer.close()
    db.session.rollback()
    assert db.session.get(ProducerOrder, sub_order.id).tracking_number == "VTP123456789", shown
