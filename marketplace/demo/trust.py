"""Illustrative shopper-trust data (dữ liệu minh họa): a few demo buyers whose cash-on-delivery orders of Hanoi
demo products were delivered, their reviews (some with a photo, most with the producer's reply, one hidden
by moderation), and a demo consumer's wishlist and followed shops.

The demo consumer's last delivered line is left without a review, so their order page offers to write one.
Idempotent: each demo order has a fixed checkout token, so loading again finds it and adds nothing; reviews,
saved products and follows are created only where missing. To sign in as the demo consumer
(nguoimua.minhhoa@example.org), ask for a password reset: in development the link is written to the log.
"""

import secrets

import sqlalchemy as sa

from marketplace import geo
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.catalog.listing import public_products
from marketplace.catalog.models import Product
from marketplace.demo import images
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle
from marketplace.orders.addresses import DeliveryAddress
from marketplace.orders.models import Order, OrderLine
from marketplace.orders.queries import reload_order
from marketplace.orders.status import OrderStatus
from marketplace.payments import cash
from marketplace.producers.models import Producer
from marketplace.questions import services as questions
from marketplace.questions.models import Question
from marketplace.reviews import services as reviews
from marketplace.reviews.models import Review
from marketplace.reviews.status import ReviewStatus
from marketplace.wishlists import services as wishlists

CONSUMER_EMAIL = "nguoimua.minhhoa@example.org"
#: (e-mail, name) of the demo buyers who review; the demo consumer is the first.
BUYERS = (
    (CONSUMER_EMAIL, "Nguyễn Thị Minh Hoa (minh họa)"),
    ("khach.an.minhhoa@example.org", "Trần Văn An (minh họa)"),
    ("khach.binh.minhhoa@example.org", "Lê Thị Bình (minh họa)"),
    ("khach.cuong.minhhoa@example.org", "Phạm Quốc Cường (minh họa)"),
)
#: (rating, text, with a photo, the producer's reply or None) per review, handed out in turn.
REVIEWS = (
    (5, "Đóng gói cẩn thận, giao nhanh, đúng như mô tả. Cả nhà đều thích. (Đánh giá minh họa)", True,
     "Cảm ơn anh/chị đã tin dùng sản phẩm của hợp tác xã! (Phản hồi minh họa)"),
    (4, "Chất lượng tốt, giá hợp lý. Mong shop có thêm loại hộp nhỏ để làm quà. (Đánh giá minh họa)", False,
     "Cảm ơn góp ý của anh/chị, tháng sau chúng tôi sẽ có hộp nhỏ. (Phản hồi minh họa)"),
    (5, "Mua lần thứ hai rồi, vẫn ngon như lần đầu. (Đánh giá minh họa)", False, None),
    (3, "Sản phẩm ổn nhưng giao hàng chậm hơn dự kiến hai ngày. (Đánh giá minh họa)", False,
     "Xin lỗi anh/chị vì giao chậm; chúng tôi đã đổi đơn vị vận chuyển. (Phản hồi minh họa)"),
    (4, "Hương vị đậm đà, bao bì đẹp, có tem OCOP rõ ràng. (Đánh giá minh họa)", True, None),
    (5, "Rất đáng tiền, sẽ giới thiệu cho bạn bè. (Đánh giá minh họa)", False,
     "Cảm ơn anh/chị rất nhiều! (Phản hồi minh họa)"),
)
#: A review the program office hid (the reason is kept in its history).
HIDDEN_REVIEW = (1, "Mua hàng giá rẻ hơn tại trang web khác, liên hệ số điện thoại ... (Đánh giá minh họa: nội dung "
                    "quảng cáo, đã bị ẩn)")
HIDDEN_REASON = "Quảng cáo và thông tin liên hệ không liên quan đến sản phẩm (minh họa)"
PRODUCTS_PER_ORDER = 2
#: (question, the producer's answer or None, shown on the product page) asked by the demo buyers in turn.
QUESTIONS = (
    ("Sản phẩm có dùng được cho trẻ nhỏ không? (Câu hỏi minh họa)",
     "Dùng được cho trẻ trên 3 tuổi, với lượng vừa phải. (Trả lời minh họa)", True),
    ("Hạn sử dụng còn bao lâu khi giao hàng? (Câu hỏi minh họa)",
     "Ít nhất 9 tháng kể từ ngày giao. (Trả lời minh họa)", True),
    ("Shop có xuất hóa đơn đỏ cho công ty không? (Câu hỏi minh họa)",
     "Có, anh/chị gửi thông tin công ty qua e-mail giúp chúng tôi. (Trả lời minh họa, không công khai)", False),
    ("Có bán sỉ cho cửa hàng ở Đà Nẵng không? (Câu hỏi minh họa)", None, False),
)


def _buyer(email: str, name: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        # A password nobody knows: sign in after a password reset (the link is logged in development).
        user = User(email=email, full_name=name, role=Role.CONSUMER, password_hash=hash_password(secrets.token_urlsafe(24)))
        db.session.add(user)
        db.session.flush()
    return user


def hanoi_address(name: str) -> DeliveryAddress:
    province = next(place for place in geo.provinces() if "Hà Nội" in place.name)
    ward = geo.wards(province.code)[0]
    return DeliveryAddress(full_name=name.replace(" (minh họa)", ""), phone="0900000123", province_code=province.code,
                           ward_code=ward.code, street="Số 1 phố Minh Họa (địa chỉ minh họa)")


def demo_products() -> list[Product]:
    """Public demo products of Hanoi producers in stock, by id (the same on every run)."""
    hanoi = next(place for place in geo.provinces() if "Hà Nội" in place.name)
    return list(db.session.scalars(public_products().where(Producer.province_code == hanoi.code, Producer.is_demo.is_(True))
                                   .order_by(Product.id).limit(12)))


def _delivered_order(buyer: User, products: list[Product], token: str) -> Order | None:
    """The buyer's demo order with this token, placed and delivered the first time (None if stock is short)."""
    order = checkout.order_by_token(token)
    if order is not None:
        return order
    try:
        for product in products:
            carts.add_to_cart(product.id, 1, user=buyer)
        order, _created = checkout.place_order(buyer, address=hanoi_address(buyer.full_name), payment_method="cod",
                                               token=token)
        order = reload_order(order)
        for producer_order in order.producer_orders:
            lifecycle.confirm_sub_order(producer_order, actor=None)
            lifecycle.ship_sub_order(producer_order, actor=None, carrier="Giao hàng minh họa",
                                     tracking_number=f"MH{producer_order.id:08d}")
            cash.deliver_sub_order(producer_order, actor=None, cash_collected=True)
    except DomainError:
        carts.remove_products(buyer, [product.id for product in products])
        return None
    return reload_order(order)


def _photo() -> bytes:
    return images.to_webp(images.render_product_picture("Ảnh của người mua (minh họa)", 4, "1.5", 600))


def _review_lines(order: Order) -> list[OrderLine]:
    return [line for po in order.producer_orders if po.status == OrderStatus.DELIVERED for line in po.lines]


def load_trust() -> int:
    """Create what is missing of the demo buyers, orders, reviews, wishlist and follows; returns reviews created."""
    products = demo_products()
    if len(products) < PRODUCTS_PER_ORDER * len(BUYERS):
        return 0
    created = 0
    for index, (email, name) in enumerate(BUYERS):
        buyer = _buyer(email, name)
        chosen = products[index::len(BUYERS)][:PRODUCTS_PER_ORDER] + products[:1]
        chosen = list({product.id: product for product in chosen}.values())
        order = _delivered_order(buyer, chosen, f"demo-trust-{index + 1}")
        if order is None:
            continue
        lines = _review_lines(order)
        for position, line in enumerate(lines):
            existing = db.session.scalar(sa.select(Review.id).where(Review.order_line_id == line.id))
            if existing is not None or (index == 0 and position == len(lines) - 1):
                continue  # the demo consumer's last line stays unreviewed: its order page offers "write a review"
            if index == len(BUYERS) - 1 and position == len(lines) - 1:
                review, _keys = reviews.write_review(buyer, line.id, rating=HIDDEN_REVIEW[0], body=HIDDEN_REVIEW[1])
                reviews.change_review_status(review, ReviewStatus.HIDDEN, actor=None, reason=HIDDEN_REASON)
            else:
                rating, body, with_photo, reply = REVIEWS[(index * 2 + position) % len(REVIEWS)]
                review, _keys = reviews.write_review(buyer, line.id, rating=rating, body=body,
                                                     photos=[_photo()] if with_photo else [])
                if reply:
                    reviews.reply_to_review(review, actor=None, body=reply)
            created += 1
    _wishlist(_buyer(*BUYERS[0]), products)
    _questions(products)
    db.session.flush()
    return created


def _questions(products: list[Product]) -> None:
    """Demo buyers' questions on the first demo products: published answers, a private one, one waiting."""
    for number, (body, answer, publish) in enumerate(QUESTIONS):
        if db.session.scalar(sa.select(Question.id).where(Question.body == body)) is not None:
            continue
        asker = _buyer(*BUYERS[number % len(BUYERS)])
        question = questions.ask_question(asker, products[number % 2].id, body)
        if answer:
            questions.answer_question(question, actor=None, body=answer, publish=publish)


def _wishlist(consumer: User, products: list[Product]) -> None:
    """The demo consumer saves four products and follows the shops of two of them."""
    saved = wishlists.saved_product_ids(consumer)
    for product in products[-4:]:
        if product.id not in saved:
            wishlists.save_product(consumer, product.id)
    for producer_id in list(dict.fromkeys(product.producer_id for product in products))[:2]:
        wishlists.follow_shop(consumer, producer_id)

