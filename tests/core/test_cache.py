"""The one cache layer (marketplace/cache.py), with every cache on as in production.

What a shopper sees: a change is on the very next page, whatever was cached before it; a page kept for
anonymous visitors is never shown to someone signed in or with a cart; every visitor gets their own CSRF
token in a shared page; an unchanged page is revalidated with 304. What the program office sees: a search
that found nothing is counted every time, cached or not.
"""

import re
import time
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
from flask import g

from config import TestConfig
from marketplace import cache, create_app
from marketplace.catalog import certificates as certificate_services
from marketplace.catalog import products as product_services
from marketplace.catalog.models import Certificate, Product, ProductStatus, ZeroResultSearch
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.producers import verification
from marketplace.producers.models import Producer
from marketplace.stock import services as stock_services
from tests.factories import make_producer, make_product, make_user
from tests.fixtures.queries import QueryCounter

NAME = "Mật ong bạc hà Mèo Vạc"


@pytest.fixture
def honey():
    product = make_product(NAME, price_vnd=250_000, stars=4, stock=20, group_code="1.4", slug="mat-ong-bac-ha")
    db.session.commit()
    return product


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_an_anonymous_page_is_answered_from_the_cache_without_a_query(client, honey, query_counter):
    """The second visit of the same page costs no query: the process knows the storefront's versions (its
    signal says when they change) and the page is kept."""
    first = query_counter.of_page(client, "/products/mat-ong-bac-ha")
    assert first > 1  # rendered: the versions, then the product and the related products
    assert any("cache_versions" in statement for statement in query_counter.statements)
    assert query_counter.of_page(client, "/products/mat-ong-bac-ha") == 0


def test_a_new_release_never_serves_what_an_old_one_cached(app, client, honey, query_counter):
    query_counter.of_page(client, "/products/mat-ong-bac-ha")
    old = app.extensions["ocop_cache"]["release"]
    app.extensions["ocop_cache"]["release"] = "next-release"
    try:
        assert query_counter.of_page(client, "/products/mat-ong-bac-ha") > 1  # rendered again
        assert query_counter.of_page(client, "/products/mat-ong-bac-ha") == 0
    finally:
        app.extensions["ocop_cache"]["release"] = old


def test_pages_carry_validators_and_answer_304_when_unchanged(client, honey):
    first = client.get("/products/mat-ong-bac-ha")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert "Cookie" in first.headers["Vary"]
    again = client.get("/products/mat-ong-bac-ha", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_change_makes_the_old_validator_fail(client, honey):
    etag = client.get("/products/mat-ong-bac-ha").headers["ETag"]
    honey.price_vnd = 199_000
    db.session.commit()
    response = client.get("/products/mat-ong-bac-ha", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "199.000" in response.get_data(as_text=True)


def test_a_product_made_public_shows_on_the_very_next_request_after_a_search_found_nothing(client):
    """The issue's case: a query found nothing (its counts were cached), then a product that matches goes
    public; the next identical request lists and counts it."""
    producer = make_producer()
    draft = make_product(NAME, producer=producer, status=ProductStatus.DRAFT, stars=4, group_code="1.4")
    db.session.commit()
    assert NAME not in page(client, "/products?q=bac+ha")
    assert NAME not in page(client, "/products?group=1.4")
    assert NAME not in page(client, "/")

    product_services.change_product_status(draft, ProductStatus.ACTIVE, actor=None)
    db.session.commit()

    assert NAME in page(client, "/products?q=bac+ha")
    listing = page(client, "/products?group=1.4")
    assert NAME in listing
    assert NAME in [found["name"] for found in client.get("/search/suggest?q=bac").get_json()["suggestions"]]


def test_price_and_archiving_show_at_once(client, honey):
    assert "250.000" in page(client, "/products/mat-ong-bac-ha")
    assert NAME in page(client, "/products?group=1.4")
    honey.price_vnd = 180_000
    db.session.commit()
    assert "180.000" in page(client, "/products/mat-ong-bac-ha")
    assert "180.000" in page(client, "/products?group=1.4")

    product_services.change_product_status(honey, ProductStatus.ARCHIVED, actor=None)
    db.session.commit()
    assert client.get("/products/mat-ong-bac-ha").status_code == 404
    assert NAME not in page(client, "/products?group=1.4")


def _producer_of(product) -> Producer:
    return db.session.get(Producer, product.producer_id)


def _certificate_of(product) -> Certificate:
    return db.session.get(Certificate, product.current_certificate_id)


def test_stock_reaching_zero_and_the_last_units_show_at_once(client, honey):
    warehouse = stock_services.warehouse_for(_producer_of(honey))
    assert "Out of stock" not in page(client, "/products/mat-ong-bac-ha?lang=en")
    stock_services.apply_change(honey.id, warehouse.id, -17, stock_services.MovementKind.ADJUSTMENT, reason="count")
    db.session.commit()
    assert "only 3 left" in page(client, "/products/mat-ong-bac-ha?lang=en")
    stock_services.apply_change(honey.id, warehouse.id, -1, stock_services.MovementKind.ADJUSTMENT, reason="count")
    db.session.commit()
    assert "only 2 left" in page(client, "/products/mat-ong-bac-ha?lang=en")
    stock_services.apply_change(honey.id, warehouse.id, -2, stock_services.MovementKind.ADJUSTMENT, reason="count")
    db.session.commit()
    assert "Out of stock" in page(client, "/products/mat-ong-bac-ha?lang=en")
    assert "Out of stock" in page(client, "/products?group=1.4&lang=en")


def test_units_sold_show_at_once_but_do_not_recount_the_catalogue(app, client, honey):
    page(client, "/products/mat-ong-bac-ha?lang=en")
    with app.test_request_context():
        before = cache.versions()
    ledger.record_sale(product_id=honey.id, producer_id=honey.producer_id, quantity=4, unit_price_vnd=250_000,
                       payment_method="cod", product_name=honey.name, producer_name=_producer_of(honey).name)
    db.session.commit()
    assert "4 sold" in page(client, "/products/mat-ong-bac-ha?lang=en")
    with app.test_request_context():
        after = cache.versions()
    assert after.catalogue == before.catalogue and after.pages != before.pages


def test_a_revoked_certificate_and_a_suspended_producer_show_at_once(client, honey):
    admin = make_user(role="admin")
    assert NAME in page(client, "/products?stars=4")
    certificate_services.revoke_certificate(_certificate_of(honey), actor=admin, reason="Thu hồi")
    db.session.commit()
    assert NAME not in page(client, "/products?stars=4")

    other = make_product("Trà shan tuyết", stars=4, slug="tra-shan-tuyet")
    db.session.commit()
    assert "Trà shan tuyết" in page(client, "/products")
    verification.suspend_producer(_producer_of(other), actor=admin, reason="Vi phạm")
    db.session.commit()
    assert "Trà shan tuyết" not in page(client, "/products")
    assert client.get("/products/tra-shan-tuyet").status_code == 404


def test_a_certificate_expiring_at_midnight_is_not_outlived_by_a_cached_page(client, monkeypatch):
    make_product(NAME, stars=4, slug="mat-ong-bac-ha")
    product = make_product("Chè Thái", stars=4, slug="che-thai")
    _certificate_of(product).valid_until = today_vn()
    product.certified_until = today_vn()
    db.session.commit()
    assert "Chè Thái" in page(client, "/products")
    tomorrow = today_vn() + timedelta(days=1)
    for module in ("marketplace.cache", "marketplace.catalog.listing"):
        monkeypatch.setattr(f"{module}.today_vn", lambda: tomorrow, raising=False)
    assert "Chè Thái" not in page(client, "/products")


def test_a_transaction_that_rolls_back_changes_no_version(app, honey):
    with app.test_request_context():
        before = cache.versions()
    honey.price_vnd = 1_000
    db.session.flush()
    assert cache.sees_uncommitted_changes()
    db.session.rollback()
    assert not cache.sees_uncommitted_changes()
    db.session.commit()
    with app.test_request_context():
        assert cache.versions() == before


def test_signed_in_visitors_never_get_a_shared_page(app, client, honey, login_as):
    anonymous = page(client, "/products/mat-ong-bac-ha")
    assert "Đăng xuất" not in anonymous and "Log out" not in anonymous
    buyer = make_user("an@example.test", full_name="Nguyễn Văn An")
    db.session.commit()
    other = app.test_client()
    login_as(buyer, other)
    response = other.get("/products/mat-ong-bac-ha")
    signed_in = response.get_data(as_text=True)
    assert "Nguyễn Văn An" in signed_in and "Đăng xuất" in signed_in and "Đăng nhập" not in signed_in
    # Their page is theirs: no validator another visitor could revalidate against, never stored by a cache
    # in front, and their answer did not replace the guests' page.
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/products/mat-ong-bac-ha").get_data(as_text=True)
    assert "Nguyễn Văn An" not in again and "Đăng nhập" in again


def test_a_visitor_with_a_cart_gets_their_own_page(app, client, honey):
    page(client, "/products/mat-ong-bac-ha")  # cached for anonymous visitors
    shopper = app.test_client()
    response = shopper.post("/cart/add", data={"product_id": honey.id, "quantity": 2, "next": "/"})
    assert response.status_code in (302, 303)
    html = shopper.get("/products/mat-ong-bac-ha").get_data(as_text=True)
    assert 'class="cart-count' in html and ">2<" in html.replace(" ", "")


def test_each_visitor_gets_their_own_working_csrf_token_in_a_shared_page(app, honey):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        first, second = app.test_client(), app.test_client()
        tokens = []
        for visitor in (first, second):
            g.pop("csrf_token", None)  # each request has its own app context in production; here they share one
            html = page(visitor, "/products/mat-ong-bac-ha")
            assert cache.CSRF_PLACEHOLDER not in html
            token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            tokens.append(token)
        assert tokens[0] != tokens[1]
        # Each token works for its own visitor and not for the other one.
        ok = second.post("/cart/add", data={"csrf_token": tokens[1], "product_id": honey.id, "quantity": 1, "next": "/"})
        assert ok.status_code in (302, 303)
        refused = first.post("/cart/add", data={"csrf_token": tokens[1], "product_id": honey.id, "quantity": 1, "next": "/"})
        assert refused.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_every_search_that_finds_nothing_is_counted_even_with_the_cache(client, honey):
    for _ in range(3):
        page(client, "/products?q=sau+rieng+ri6")
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(ZeroResultSearch)
                                .where(ZeroResultSearch.folded_query == "sau rieng ri6"))
    assert counted == 3


def test_a_members_search_that_finds_nothing_is_counted_once(client, honey, login_as):
    login_as(make_user("lan@example.test", full_name="Trần Thị Lan"))
    for _ in range(2):
        assert "Trần Thị Lan" in page(client, "/products?q=sau+rieng+ri6")
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(ZeroResultSearch)
                                .where(ZeroResultSearch.folded_query == "sau rieng ri6"))
    assert counted == 2


def test_the_facet_counts_are_reused_until_the_catalogue_changes(client, honey, query_counter):
    first = query_counter.of_page(client, "/products?province=1&page=1")
    again = query_counter.of_page(client, "/products?province=1&sort=price_asc")  # other page: counts reused
    assert again < first - 3
    make_product("Chè búp", stars=4, producer=make_producer(province_code=1))
    db.session.commit()
    assert "Chè búp" in page(client, "/products?province=1&sort=price_asc")


def _app_with(database_url, tmp_path, **settings):
    config = type("CacheConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": str(tmp_path), "CACHE_TYPE": "", **settings})
    return create_app(config)


def test_redis_down_costs_speed_never_a_page(database_url, tmp_path, honey):
    """With the cache's Redis not answering, pages are served, and cached in the process's own memory."""
    app = _app_with(database_url, tmp_path, CACHE_REDIS_URL="redis://127.0.0.1:9/0", CACHE_REDIS_TIMEOUT_SECONDS=0.2)
    visitor = app.test_client()
    with app.app_context():
        assert cache.store.uses_redis
    for _ in range(2):
        assert NAME in page(visitor, "/products/mat-ong-bac-ha")
    with app.app_context():
        assert not cache.store.uses_redis  # fell back; tries Redis again after CACHE_REDIS_RETRY_SECONDS


@pytest.mark.committed
def test_processes_share_pages_through_redis_and_see_each_others_changes(database_url, tmp_path, honey):
    """Two app processes on one Redis: a page one of them cached is served by the other; a change committed
    through one is on the other's next page."""
    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.3).flushdb()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    one, two = (_app_with(database_url, tmp_path / str(n), CACHE_REDIS_URL=url, CACHE_KEY_PREFIX="ocop-test:")
                for n in (1, 2))
    first, second = one.test_client(), two.test_client()
    assert "250.000" in page(first, "/products/mat-ong-bac-ha")
    counter = _counter(two)
    counter.of_page(second, "/products/mat-ong-bac-ha")
    # The other process does not know the versions yet: it reads them, and takes the page from Redis.
    assert _own(counter.statements) == [cache._READ_VERSIONS]
    assert _counter(two).of_page(second, "/products/mat-ong-bac-ha") == 0
    _reprice(one, honey, 175_000)
    assert "175.000" in page(second, "/products/mat-ong-bac-ha")
    redis.Redis.from_url(url).flushdb()


def _counter(app) -> QueryCounter:
    """Counts the statements of that app's own engine (a process of its own, with its own connections)."""
    with app.app_context():
        return QueryCounter(db.engine)


def _own(statements: list[str]) -> list[str]:
    """The statements a page sent, without SQLite's BEGIN (the driver's, around every transaction)."""
    return [statement for statement in statements if statement != "BEGIN"]


def _reprice(app, product, price_vnd):
    with app.app_context():
        db.session.get(Product, product.id).price_vnd = price_vnd
        db.session.commit()


@pytest.mark.committed
def test_a_change_through_one_process_is_on_the_next_page_of_every_other(database_url, tmp_path, honey):
    """Each process keeps its own pages and its own copy of the versions (no Redis): a page from the cache
    costs no query at all, yet a change committed by another process is on the very next page (PostgreSQL:
    LISTEN/NOTIFY; SQLite: the signal file beside the database)."""
    one, two = (_app_with(database_url, tmp_path / str(n)) for n in (1, 2))
    first, second = one.test_client(), two.test_client()
    for price in (175_000, 180_000, 185_000):
        for app, visitor in ((one, first), (two, second)):
            page(visitor, "/products/mat-ong-bac-ha")
            assert _counter(app).of_page(visitor, "/products/mat-ong-bac-ha") == 0
        _reprice(one, honey, price)
        shown = f"{price:,}".replace(",", ".")
        assert shown in page(second, "/products/mat-ong-bac-ha")  # another process
        assert shown in page(first, "/products/mat-ong-bac-ha")  # the writer's own


@pytest.mark.committed
def test_without_a_signal_every_page_reads_the_versions(database_url, tmp_path, honey):
    one, two = (_app_with(database_url, tmp_path / str(n), CACHE_VERSIONS_SIGNAL="read") for n in (1, 2))
    page(two.test_client(), "/products/mat-ong-bac-ha")
    counter = _counter(two)
    counter.of_page(two.test_client(), "/products/mat-ong-bac-ha")
    assert _own(counter.statements) == [cache._READ_VERSIONS]
    _reprice(one, honey, 175_000)
    assert "175.000" in page(two.test_client(), "/products/mat-ong-bac-ha")


@pytest.mark.committed
def test_a_lost_listener_costs_a_query_per_page_never_a_stale_one(database_url, tmp_path, honey):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    one, two = (_app_with(database_url, tmp_path / str(n)) for n in (1, 2))
    second = two.test_client()
    page(second, "/products/mat-ong-bac-ha")
    assert _counter(two).of_page(second, "/products/mat-ong-bac-ha") == 0
    two.extensions["ocop_cache"]["watch"].listener.close()  # the server dropped it
    _reprice(one, honey, 175_000)
    assert "175.000" in page(second, "/products/mat-ong-bac-ha")
    counter = _counter(two)
    counter.of_page(second, "/products/mat-ong-bac-ha")
    assert _own(counter.statements) == [cache._READ_VERSIONS]  # read per request until it listens again


def test_suggestions_are_shared_and_follow_every_change(client, honey, query_counter, login_as):
    """The search box's suggestions are nobody's own: the second asker (signed in or not) gets them from the
    cache with one query, and a rename shows on the next keystroke."""
    def names(visitor, q="bac ha"):
        return [found["name"] for found in visitor.get(f"/search/suggest?q={q}").get_json()["suggestions"]]

    assert names(client) == [NAME]
    with query_counter:
        login_as(make_user("b@example.test"))
        assert names(client) == [NAME]
    assert [sql for sql in query_counter.statements if "cache_versions" not in sql and "users" not in sql] == []
    honey.name = "Mật ong bạc hà Đồng Văn"
    db.session.commit()
    assert names(client) == ["Mật ong bạc hà Đồng Văn"]


# --- signed-in visitors: the guests' page with their own parts ------------------------------------------

def _same_page(html: str) -> str:
    """A page with its CSRF tokens (signed afresh on every page) blanked out."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', html)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_member_gets_the_guests_page_with_their_own_parts_exactly_as_if_drawn_for_them(
        app, client, honey, login_as, query_counter, lang):
    from marketplace.orders import cart
    from marketplace.wishlists import services as wishlists

    other = make_product("Trà shan tuyết", stars=4, slug="tra-shan-tuyet", group_code="1.4")
    member = make_user("lan@example.test", full_name="Trần Thị Lan")
    wishlists.save_product(member, honey.id)
    wishlists.follow_shop(member, honey.producer_id)
    cart.add_to_cart(other.id, 2, user=member)
    db.session.commit()
    shop_slug = _producer_of(honey).slug
    urls = [f"/products/mat-ong-bac-ha?lang={lang}", f"/products?group=1.4&lang={lang}", f"/?lang={lang}",
            f"/shops/{shop_slug}?lang={lang}"]
    for url in urls:
        page(client, url)  # a guest's visit keeps the page

    login_as(member)
    served = {url: page(client, url) for url in urls}
    g.pop("_login_user", None)  # as in a request of its own: the member is loaded again
    with query_counter:
        page(client, urls[1])
    # One statement: the member, with their cart's units, saved products and followed shops (accounts.facts).
    sent = [sql for sql in query_counter.statements if sql.split()[0] not in ("BEGIN", "SAVEPOINT", "RELEASE")]
    assert len(sent) == 1 and "FROM users" in sent[0] and "cart_lines" in sent[0], query_counter.statements
    app.config["CACHE_ENABLED"] = False
    try:
        drawn = {url: page(client, url) for url in urls}
    finally:
        app.config["CACHE_ENABLED"] = True
    for url in urls:
        assert _same_page(served[url]) == _same_page(drawn[url]), url
    product_page = served[urls[0]]
    assert "Trần Thị Lan" in product_page and 'class="ask-form"' in product_page
    assert 'aria-pressed="true"' in product_page and cache.CSRF_PLACEHOLDER not in product_page
    assert 'class="cart-count"' in served[urls[1]]


def test_a_member_page_drawn_after_a_change_in_the_same_request_shows_the_change(app, honey):
    """The member's facts are read with them; once the request writes (here: adding to the cart), the page
    counts again instead of showing the units from before."""
    from flask import render_template_string
    from flask_login import login_user

    from marketplace.accounts.policies import load_user
    from marketplace.orders import cart

    member = make_user("lan@example.test", full_name="Trần Thị Lan")
    db.session.commit()
    with app.test_request_context():
        loaded = load_user(member.session_token)  # as Flask-Login loads them: with their facts
        login_user(loaded)
        assert render_template_string("{{ cart_count() }}") == "0"
        cart.add_to_cart(honey.id, 3, user=loaded)
        assert render_template_string("{{ cart_count() }}") == "3"
    g.pop("_login_user", None)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_member_first_on_a_page_keeps_it_for_guests_and_members(app, honey, login_as, query_counter, lang):
    """No guest has had the page: the member's visit draws the guests' page (kept) and gives it to them with
    their own parts; the next guest and the next member get it from the cache."""
    member = make_user("lan@example.test", full_name="Trần Thị Lan")
    db.session.commit()
    shopper = login_as(member, app.test_client())
    shopper.set_cookie("lang", lang)
    html = page(shopper, "/products/mat-ong-bac-ha")
    assert "Trần Thị Lan" in html and cache.CSRF_PLACEHOLDER not in html
    assert ("Đăng xuất" if lang == "vi" else "Log out") in html
    guest = app.test_client()
    guest.set_cookie("lang", lang)
    assert query_counter.of_page(guest, "/products/mat-ong-bac-ha") == 0
    kept = guest.get("/products/mat-ong-bac-ha").get_data(as_text=True)
    assert "Trần Thị Lan" not in kept and ("Đăng nhập" if lang == "vi" else "Log in") in kept
    g.pop("_login_user", None)
    query_counter.of_page(shopper, "/products/mat-ong-bac-ha")
    sent = [sql for sql in query_counter.statements if sql.split()[0] not in ("BEGIN", "SAVEPOINT", "RELEASE")]
    assert len(sent) == 1 and "FROM users" in sent[0]


def test_a_member_never_gets_a_page_another_member_was_served(app, honey, login_as):
    from marketplace.wishlists import services as wishlists

    first, second = make_user("a@example.test", full_name="Người Một"), make_user("b@example.test", full_name="Người Hai")
    wishlists.save_product(first, honey.id)
    db.session.commit()
    page(app.test_client(), "/products/mat-ong-bac-ha")  # the guests' page
    one, two = login_as(first, app.test_client()), login_as(second, app.test_client())
    html_one = page(one, "/products/mat-ong-bac-ha")
    g.pop("_login_user", None)  # Flask-Login keeps the user on g, which the tests' requests share
    html_two = page(two, "/products/mat-ong-bac-ha")
    assert "Người Một" in html_one and "Người Hai" not in html_one
    assert "Người Hai" in html_two and "Người Một" not in html_two
    assert 'aria-pressed="true"' in html_one and 'aria-pressed="true"' not in html_two
    assert "ETag" not in two.get("/products/mat-ong-bac-ha").headers


def test_page_views_carry_no_rate_limit_of_their_own(app):
    """The rate limiter skips page views (cache.page): a limit put on one would never be checked."""
    from flask_limiter.util import get_qualified_name

    from marketplace.extensions import limiter

    pages = [view for view in app.view_functions.values() if getattr(view, cache._PAGE_ATTRIBUTE, False)]
    assert len(pages) >= 5
    assert not {get_qualified_name(view) for view in pages} & set(limiter._marked_for_limiting)


@pytest.mark.committed
def test_versions_changed_outside_the_app_are_read_at_the_next_recheck(database_url, tmp_path, honey):
    """A restored backup or SQL by hand sends no signal: every process reads the row again at least every
    CACHE_VERSIONS_RECHECK_SECONDS (here 0: on every request)."""
    one = _app_with(database_url, tmp_path / "1", CACHE_VERSIONS_RECHECK_SECONDS=0)
    visitor = one.test_client()
    page(visitor, "/products/mat-ong-bac-ha")
    with one.app_context(), db.engine.begin() as connection:  # no ORM session: no version, no signal
        connection.execute(sa.update(Product).where(Product.id == honey.id).values(price_vnd=99_000))
        connection.execute(sa.update(cache.cache_versions).values(catalogue="by-hand", pages="by-hand"))
    assert "99.000" in page(visitor, "/products/mat-ong-bac-ha")


def test_a_row_read_before_a_change_is_not_kept_after_it(app):
    """Threads of one process: a row read before a change was heard of must not become the process's copy."""
    with app.app_context():
        watch = app.extensions["ocop_cache"]["watch"]
        found, generation = watch.known()
        assert found is None
        watch.forget()  # a change heard of (here: this process committed one) while the row was being read
        watch.learn(cache.Versions("old", "old"), generation, 0.0)
        assert watch.known()[0] is None
        _, generation = watch.known()
        watch.learn(cache.Versions("new", "new"), generation, time.monotonic())
        assert watch.known()[0] == cache.Versions("new", "new")
        watch.forget()


def test_a_members_menu_follows_their_cart_and_name(app, client, honey, login_as):
    """The member's header menu is drawn once per thing it shows: a new cart line or a new name is on the next
    page."""
    from marketplace.orders import cart

    member = make_user("lan@example.test", full_name="Trần Thị Lan")
    cart.add_to_cart(honey.id, 2, user=member)
    db.session.commit()
    page(app.test_client(), "/products/mat-ong-bac-ha")  # the guests' page is kept
    login_as(member)

    def menu() -> str:
        g.pop("_login_user", None)  # each request loads the member afresh, as in production
        html = page(client, "/products/mat-ong-bac-ha")
        return re.search(r'<nav class="header-nav".*?</nav>', html, re.S).group(0)

    assert "Trần Thị Lan" in menu() and '>2</span>' in menu()
    cart.add_to_cart(honey.id, 1, user=member)
    db.session.commit()
    assert '>3</span>' in menu()
    member.full_name = "Trần Thị Lan Anh"
    db.session.commit()
    assert "Trần Thị Lan Anh" in menu()


@pytest.mark.committed
def test_a_member_page_from_the_cache_in_a_process_of_its_own(database_url, tmp_path, honey, login_as):
    """As in production (the session on the pool's connections; on PostgreSQL read outside a transaction): the
    member's page from the guests' kept page costs one statement and is theirs."""
    one = _app_with(database_url, tmp_path / "1")
    member = make_user("lan@example.test", full_name="Trần Thị Lan")
    db.session.commit()
    page(one.test_client(), "/products/mat-ong-bac-ha")
    shopper = login_as(member, one.test_client())
    counter = _counter(one)
    counter.of_page(shopper, "/products/mat-ong-bac-ha")
    assert len(_own(counter.statements)) == 1 and "FROM users" in counter.statements[-1]
    html = page(shopper, "/products/mat-ong-bac-ha")
    assert "Trần Thị Lan" in html and "Đăng xuất" in html
