"""Reviews: only the buyer of a delivered line writes one, once; photos are checked; the producer replies
once; the program office hides abuse with a reason; product pages show the score apart from the OCOP badge."""

import io

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.orders.status import OrderStatus
from marketplace.reviews import services
from marketplace.reviews.models import Review, ReviewEvent, ReviewPhoto
from marketplace.reviews.status import TRANSITIONS, ReviewStatus, can_change
from marketplace.statemachine import StatusConflict
from marketplace.storage import get_storage
from tests.factories import make_producer, make_product, make_user
from tests.reviews.helpers import delivered_line, png_bytes


@pytest.fixture
def shop():
    producer = make_producer("HTX Chè Tân Cương")
    product = make_product("Chè Tân Cương", producer=producer, slug="che-tan-cuong", stars=4)
    return producer, product


def review_url(order, line):
    return f"/orders/{order.number}/review/{line.id}"


def reviews_of(product):
    return list(db.session.scalars(sa.select(Review).where(Review.product_id == product.id)))


def test_buyer_of_a_delivered_line_writes_a_review_shown_on_the_product_page(client, login_as, shop):
    """The buyer rates 4 with a text; the order page then says it is reviewed and the product page shows it."""
    _producer, product = shop
    buyer = make_user(full_name="Nguyễn Văn Khách")
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert review_url(order, line) in page and "Viết đánh giá" in page
    response = client.post(review_url(order, line), data={"rating": "4", "body": "Chè thơm, nước xanh."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/orders/{order.number}")
    [review] = reviews_of(product)
    assert (review.rating, review.body, review.author_id, review.status) == (4, "Chè thơm, nước xanh.", buyer.id, "published")
    assert "Đã đánh giá ✓" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    html = client.get("/products/che-tan-cuong").get_data(as_text=True)
    assert "4,0/5" in html and "1 đánh giá" in html and "Chè thơm, nước xanh." in html and "Nguyễn Văn Khách" in html


def test_review_score_never_looks_like_the_ocop_badge(client, login_as, shop):
    """The score is its own element (review-score), without a star glyph; the badge keeps its ★."""
    _producer, product = shop
    buyer = make_user()
    _order, line = delivered_line(buyer, product)
    services.write_review(buyer, line.id, rating=5, body="")
    html = client.get("/products/che-tan-cuong?lang=en").get_data(as_text=True)
    start = html.index('class="review-score"')
    score = html[start:html.index("</span>\n</span>", start)]
    assert "5.0/5" in score and "1 review" in score
    assert "★" not in score and "star-badge" not in score


def test_other_users_cannot_open_or_post_a_review_of_someone_elses_line(client, login_as, shop):
    """Another shopper gets 404 for the order's review page and the POST; nothing is written."""
    _producer, product = shop
    order, line = delivered_line(make_user(), product)
    login_as(make_user())
    assert client.get(review_url(order, line)).status_code == 404
    assert client.post(review_url(order, line), data={"rating": "5"}).status_code == 404
    assert reviews_of(product) == []


def test_guests_are_sent_to_log_in(client, shop):
    _producer, product = shop
    order, line = delivered_line(make_user(), product)
    response = client.get(review_url(order, line))
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


@pytest.mark.parametrize("status", [OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.CANCELLED,
                                    OrderStatus.REFUNDED])
def test_a_line_not_delivered_cannot_be_reviewed(client, login_as, shop, status):
    """Before delivery (or after a cancellation or refund) the buyer gets 403 with the reason, and no link."""
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product, status=status)
    login_as(buyer)
    assert review_url(order, line) not in client.get(f"/orders/{order.number}").get_data(as_text=True)
    response = client.post(review_url(order, line), data={"rating": "5", "body": "Sớm quá"})
    assert response.status_code == 403
    assert "sau khi đã nhận được hàng" in response.get_data(as_text=True)
    assert reviews_of(product) == []


def test_a_completed_line_can_be_reviewed(client, login_as, shop):
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product, status=OrderStatus.COMPLETED)
    login_as(buyer)
    assert client.post(review_url(order, line), data={"rating": "3"}).status_code == 302
    assert len(reviews_of(product)) == 1


def test_one_review_per_line(client, login_as, shop):
    """A second review of the same line is refused with a clear message; the first stays as it was."""
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    client.post(review_url(order, line), data={"rating": "5", "body": "Lần một"})
    again = client.post(review_url(order, line), data={"rating": "1", "body": "Lần hai"})
    assert again.status_code == 403 and "Bạn đã đánh giá lần mua này rồi." in again.get_data(as_text=True)
    assert client.get(review_url(order, line)).status_code == 403
    [review] = reviews_of(product)
    assert (review.rating, review.body) == (5, "Lần một")
    with pytest.raises(services.AlreadyReviewed):
        services.write_review(buyer, line.id, rating=2, body="")


@pytest.mark.parametrize("rating", ["", "0", "6", "4.5", "²", "abc", "９"])
def test_a_bad_rating_is_refused_and_the_text_is_kept(client, login_as, shop, rating):
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    response = client.post(review_url(order, line), data={"rating": rating, "body": "Nội dung đã gõ"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng chọn mức đánh giá từ 1 đến 5." in html and "Nội dung đã gõ" in html
    assert reviews_of(product) == []


def test_a_text_too_long_is_refused(client, login_as, shop):
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    response = client.post(review_url(order, line), data={"rating": "5", "body": "x" * 2001})
    assert response.status_code == 400 and "tối đa 2000 ký tự" in response.get_data(as_text=True)
    assert reviews_of(product) == []


def test_photos_are_re_encoded_and_stored(client, login_as, shop):
    """A PNG becomes a WebP picture and a thumbnail in storage; the product page shows the thumbnail."""
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    response = client.post(review_url(order, line), data={
        "rating": "5", "photos": [(io.BytesIO(png_bytes()), "chè.png")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    [photo] = db.session.scalars(sa.select(ReviewPhoto)).all()
    stored = get_storage().open(photo.storage_key)
    assert stored[:4] == b"RIFF" and stored[8:12] == b"WEBP"
    assert photo.thumb_key in client.get("/products/che-tan-cuong").get_data(as_text=True)


def test_a_bad_photo_refuses_the_review_with_the_reason_and_stores_nothing(client, login_as, shop, tmp_path):
    """A text file named .jpg: the review is not written, the message names the photo and the reason."""
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    response = client.post(review_url(order, line), data={
        "rating": "4", "body": "Có ảnh", "photos": [(io.BytesIO(png_bytes()), "a.png"),
                                                    (io.BytesIO(b"not a picture at all"), "b.jpg")]},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ảnh 2:" in html and "Có ảnh" in html
    assert reviews_of(product) == [] and db.session.scalars(sa.select(ReviewPhoto)).all() == []


def test_more_than_four_photos_are_refused(client, login_as, shop):
    _producer, product = shop
    buyer = make_user()
    order, line = delivered_line(buyer, product)
    login_as(buyer)
    photos = [(io.BytesIO(png_bytes()), f"{n}.png") for n in range(5)]
    response = client.post(review_url(order, line), data={"rating": "4", "photos": photos},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "tối đa 4 ảnh" in response.get_data(as_text=True)
    assert reviews_of(product) == []


def test_the_producer_replies_once(client, login_as, shop):
    """A member of the product's producer replies; the reply shows on the product page; a second is refused."""
    producer, product = shop
    buyer = make_user()
    _order, line = delivered_line(buyer, product)
    review, _keys = services.write_review(buyer, line.id, rating=3, body="Giao chậm")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    assert "Giao chậm" in client.get("/manage/reviews").get_data(as_text=True)
    response = client.post(f"/manage/reviews/{review.id}/reply", data={"body": "Xin lỗi anh chị."})
    assert response.status_code == 302
    assert "Xin lỗi anh chị." in client.get("/products/che-tan-cuong").get_data(as_text=True)
    again = client.post(f"/manage/reviews/{review.id}/reply", data={"body": "Lần hai"})
    assert again.status_code == 400 and "Đánh giá này đã có phản hồi của bạn." in again.get_data(as_text=True)
    db.session.refresh(review)
    assert review.reply_body == "Xin lỗi anh chị."


def test_an_empty_reply_is_refused(client, login_as, shop):
    producer, product = shop
    buyer = make_user()
    _order, line = delivered_line(buyer, product)
    review, _keys = services.write_review(buyer, line.id, rating=3, body="")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post(f"/manage/reviews/{review.id}/reply", data={"body": "   "})
    assert response.status_code == 400 and "Vui lòng nhập nội dung phản hồi." in response.get_data(as_text=True)
    db.session.refresh(review)
    assert review.reply_body is None


def test_other_producers_and_admins_cannot_reply(client, login_as, shop):
    """Another producer's member gets 404 (and does not see the review); an admin does not speak for a shop."""
    _producer, product = shop
    buyer = make_user()
    _order, line = delivered_line(buyer, product)
    review, _keys = services.write_review(buyer, line.id, rating=3, body="Riêng tư của shop khác")
    other = login_as(make_user(role=Role.PRODUCER, producer=make_producer()))
    assert "Riêng tư của shop khác" not in other.get("/manage/reviews").get_data(as_text=True)
    assert other.post(f"/manage/reviews/{review.id}/reply", data={"body": "Chen ngang"}).status_code == 404
    admin = login_as(make_user(role=Role.ADMIN))
    assert admin.post(f"/manage/reviews/{review.id}/reply", data={"body": "Thay mặt"}).status_code == 403
    db.session.refresh(review)
    assert review.reply_body is None


def test_admins_hide_a_review_with_a_reason_and_it_leaves_the_product_page(client, login_as, shop):
    """Hiding needs a reason, writes an event, removes the review from the page and from the average."""
    _producer, product = shop
    first, second = make_user(), make_user()
    services.write_review(first, delivered_line(first, product)[1].id, rating=5, body="Tuyệt")
    abusive, _keys = services.write_review(second, delivered_line(second, product)[1].id, rating=1,
                                           body="Quảng cáo linh tinh")
    admin = make_user(role=Role.ADMIN)
    login_as(admin)
    empty = client.post(f"/admin/reviews/{abusive.id}", data={"reason": ""})
    assert empty.status_code == 400 and "Vui lòng nêu lý do ẩn đánh giá." in empty.get_data(as_text=True)
    assert client.post(f"/admin/reviews/{abusive.id}", data={"reason": "Quảng cáo"}).status_code == 302
    db.session.refresh(abusive)
    assert abusive.status == ReviewStatus.HIDDEN
    [event] = db.session.scalars(sa.select(ReviewEvent).where(ReviewEvent.review_id == abusive.id)).all()
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == ("published", "hidden", admin.id, "Quảng cáo")
    html = client.get("/products/che-tan-cuong").get_data(as_text=True)
    assert "Quảng cáo linh tinh" not in html and "5,0/5" in html and "1 đánh giá" in html
    assert services.rating_summary(product.id) == services.RatingSummary(5.0, 1)
    assert client.post(f"/admin/reviews/{abusive.id}", data={"reason": "Khiếu nại được chấp nhận"}).status_code == 302
    db.session.refresh(abusive)
    assert abusive.status == ReviewStatus.PUBLISHED


def test_only_admins_moderate(client, login_as, shop):
    producer, product = shop
    buyer = make_user()
    review, _keys = services.write_review(buyer, delivered_line(buyer, product)[1].id, rating=2, body="")
    for user in (buyer, make_user(role=Role.PRODUCER, producer=producer)):
        login_as(user)
        assert client.post(f"/admin/reviews/{review.id}", data={"reason": "x"}).status_code == 403
    db.session.refresh(review)
    assert review.status == ReviewStatus.PUBLISHED


@pytest.mark.parametrize("current", list(ReviewStatus))
@pytest.mark.parametrize("new", list(ReviewStatus))
def test_the_transition_table(current, new):
    """Published <-> hidden, nothing else (and unknown values are refused)."""
    assert can_change(current, new) == (new in TRANSITIONS[current])
    assert can_change(current, new) == (current != new)
    assert not can_change(current, "deleted")


def test_a_stale_moderation_loses(shop):
    """Two moderators at once: the second finds the status changed and gets StatusConflict."""
    _producer, product = shop
    buyer = make_user()
    review, _keys = services.write_review(buyer, delivered_line(buyer, product)[1].id, rating=2, body="")
    admin = make_user(role=Role.ADMIN)
    # The other moderator's change, unseen by this one's loaded review.
    db.session.execute(sa.update(Review).where(Review.id == review.id).values(status=ReviewStatus.HIDDEN)
                       .execution_options(synchronize_session=False))
    with pytest.raises(StatusConflict):
        services.hide_review(review, actor=admin, reason="trùng")


def test_sold_count_comes_from_the_ledger_kept_column(client, shop):
    _producer, product = shop
    product.sold_quantity = 120
    db.session.flush()
    assert "Đã bán 120" in client.get("/products/che-tan-cuong").get_data(as_text=True)


def test_all_reviews_page_pages_through_published_reviews(client, shop):
    _producer, product = shop
    for n in range(3):
        buyer = make_user()
        services.write_review(buyer, delivered_line(buyer, product)[1].id, rating=4, body=f"Ý kiến {n}")
    html = client.get("/products/che-tan-cuong/reviews").get_data(as_text=True)
    assert all(f"Ý kiến {n}" in html for n in range(3))
    assert client.get("/products/che-tan-cuong/reviews?page=9").status_code == 404
    assert client.get("/products/khong-co/reviews").status_code == 404
