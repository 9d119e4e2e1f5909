"""Wishlists and followed shops: the heart works without JavaScript, each user reads and changes only their
own list, only public products and verified shops can be added, and a page's hearts cost one query."""

import sqlalchemy as sa

from marketplace.catalog.status import ProductStatus
from marketplace.extensions import db
from marketplace.wishlists import services
from marketplace.wishlists.models import FollowedShop, SavedProduct
from tests.factories import make_producer, make_product, make_user


def saved_rows(user):
    return list(db.session.scalars(sa.select(SavedProduct.product_id).where(SavedProduct.user_id == user.id)))


def test_a_guest_heart_leads_to_the_login_page_and_saves_nothing(client):
    product = make_product("Nước mắm Cát Hải", slug="nuoc-mam-cat-hai")
    response = client.post(f"/saved/{product.id}", data={"action": "add", "next": "/products/nuoc-mam-cat-hai"})
    assert response.status_code == 302
    assert "/accounts/login" in response.headers["Location"] and "nuoc-mam-cat-hai" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedProduct)) == 0


def test_saving_without_javascript_goes_back_and_the_heart_is_pressed(client, login_as):
    """The form posts, redirects to the page it came from, and that page shows the heart pressed."""
    product = make_product("Nước mắm Cát Hải", slug="nuoc-mam-cat-hai", group_code="1.4")
    user = make_user()
    login_as(user)
    listing = client.get("/products?group=1.4").get_data(as_text=True)
    assert f'action="/saved/{product.id}"' in listing and 'aria-pressed="false"' in listing
    response = client.post(f"/saved/{product.id}", data={"action": "add", "next": "/products?group=1.4"})
    assert response.status_code == 302 and response.headers["Location"] == "/products?group=1.4"
    assert saved_rows(user) == [product.id]
    listing = client.get("/products?group=1.4").get_data(as_text=True)
    assert 'aria-pressed="true"' in listing
    assert "Nước mắm Cát Hải" in client.get("/saved").get_data(as_text=True)
    client.post(f"/saved/{product.id}", data={"action": "remove", "next": "/saved"})
    assert saved_rows(user) == []


def test_saving_twice_keeps_one_row_and_json_answers_for_the_script(client, login_as):
    product = make_product()
    user = make_user()
    login_as(user)
    for _ in range(2):
        response = client.post(f"/saved/{product.id}", data={"action": "add"}, headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.get_json()["saved"] is True
    assert saved_rows(user) == [product.id]


def test_nobody_reads_or_changes_another_users_wishlist(client, login_as):
    """Each user's page lists only their own products; removing works only on one's own rows."""
    mine, theirs = make_product("Sản phẩm của tôi"), make_product("Bí mật của người khác")
    me, other = make_user(), make_user()
    services.save_product(me, mine.id)
    services.save_product(other, theirs.id)
    login_as(me)
    page = client.get("/saved").get_data(as_text=True)
    assert "Sản phẩm của tôi" in page and "Bí mật của người khác" not in page
    client.post(f"/saved/{theirs.id}", data={"action": "remove"})
    assert saved_rows(other) == [theirs.id]
    assert client.get(f"/saved?user={other.id}").get_data(as_text=True).count("Bí mật của người khác") == 0


def test_a_product_that_is_not_public_cannot_be_saved(client, login_as):
    """A draft product, a made-up id or nonsense are refused with a clear message; nothing is saved."""
    draft = make_product(status=ProductStatus.DRAFT)
    user = make_user()
    login_as(user)
    for product_id in (draft.id, 999999):
        response = client.post(f"/saved/{product_id}", data={"action": "add"}, follow_redirects=True)
        assert "Không tìm thấy sản phẩm." in response.get_data(as_text=True)
    assert client.post(f"/saved/{draft.id}", data={"action": "add"},
                       headers={"Accept": "application/json"}).status_code == 404
    assert client.post("/saved/abc", data={"action": "add"}).status_code == 404
    assert saved_rows(user) == []


def test_an_unknown_action_is_refused(client, login_as):
    product = make_product()
    user = make_user()
    login_as(user)
    response = client.post(f"/saved/{product.id}", data={"action": "steal"}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == "Thao tác không hợp lệ."
    assert client.post(f"/saved/{product.id}", data={}).status_code == 302
    assert saved_rows(user) == []


def test_next_never_leads_off_site(client, login_as):
    product = make_product()
    login_as(make_user())
    response = client.post(f"/saved/{product.id}", data={"action": "add", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/saved"


def test_a_saved_product_that_stops_being_public_is_listed_apart(client, login_as):
    product = make_product("Rượu ngô men lá")
    user = make_user()
    services.save_product(user, product.id)
    product.status = ProductStatus.ARCHIVED
    db.session.flush()
    login_as(user)
    html = client.get("/saved").get_data(as_text=True)
    assert "Không còn bán" in html and "Rượu ngô men lá" in html


def test_the_hearts_of_a_page_cost_one_query(client, login_as, query_counter):
    """A signed-in page of cards runs one more query than a guest's, however many products are saved."""
    products = [make_product(group_code="1.1") for _ in range(6)]
    guest = query_counter.of_page(client, "/products?group=1.1&sort=newest")
    user = make_user()
    login_as(user)
    services.save_product(user, products[0].id)
    one_saved = query_counter.of_page(client, "/products?group=1.1&sort=newest")
    for product in products[1:]:
        services.save_product(user, product.id)
    assert query_counter.of_page(client, "/products?group=1.1&sort=newest") == one_saved
    client.get("/")  # the same user's page without any card of theirs
    assert one_saved >= guest


def test_follow_a_shop_and_see_its_new_products(client, login_as):
    """Following from the shop page; the user's page lists the shop and its new products; unfollow removes it."""
    producer = make_producer("HTX Mật ong Bắc Kạn", slug="htx-mat-ong")
    make_product("Mật ong bạc hà", producer=producer)
    user = make_user()
    login_as(user)
    shop = client.get("/shops/htx-mat-ong").get_data(as_text=True)
    assert "Theo dõi gian hàng" in shop
    response = client.post(f"/following/{producer.id}", data={"action": "follow", "next": "/shops/htx-mat-ong"})
    assert response.status_code == 302 and response.headers["Location"] == "/shops/htx-mat-ong"
    assert "Đang theo dõi ✓" in client.get("/shops/htx-mat-ong").get_data(as_text=True)
    page = client.get("/following").get_data(as_text=True)
    assert "HTX Mật ong Bắc Kạn" in page and "Mật ong bạc hà" in page
    client.post(f"/following/{producer.id}", data={"action": "unfollow"})
    assert "HTX Mật ong Bắc Kạn" not in client.get("/following").get_data(as_text=True)


def test_followed_shops_are_private(client, login_as):
    producer = make_producer("Gian hàng bí mật")
    other = make_user()
    services.follow_shop(other, producer.id)
    login_as(make_user())
    assert "Gian hàng bí mật" not in client.get("/following").get_data(as_text=True)
    client.post(f"/following/{producer.id}", data={"action": "unfollow"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowedShop)) == 1


def test_an_unverified_shop_cannot_be_followed(client, login_as):
    pending = make_producer(verified=False)
    user = make_user()
    login_as(user)
    response = client.post(f"/following/{pending.id}", data={"action": "follow"}, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"] == "Không tìm thấy gian hàng."
    assert client.post("/following/0", data={"action": "follow"}).status_code in (302, 404)
    assert not services.is_following(user, pending.id)


def test_guests_are_asked_to_log_in_for_the_pages(client):
    for url in ("/saved", "/following"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    producer = make_producer()
    response = client.post(f"/following/{producer.id}", data={"action": "follow"})
    assert "/accounts/login" in response.headers["Location"]


def test_the_wishlist_is_capped(login_as):
    user = make_user()
    products = [make_product(stock=0, stars=4) for _ in range(3)]
    original = services.MAX_SAVED
    services.MAX_SAVED = 2
    try:
        services.save_product(user, products[0].id)
        services.save_product(user, products[1].id)
        try:
            services.save_product(user, products[2].id)
        except services.ListFull as error:
            assert "đầy" in error.message or "full" in error.message
        else:
            raise AssertionError("a third product was saved past the cap")
    finally:
        services.MAX_SAVED = original
