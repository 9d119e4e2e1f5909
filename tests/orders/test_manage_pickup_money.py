"""The producer's order screen for click and collect: who collected the buyer's money (the showroom at its counter,
or OCOP Market online) and who owes the producer what, in the settlement statements' words and figures."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import get_locale, refresh

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle, pickups
from marketplace.orders.models import ProducerOrder
from marketplace.orders.queries import SUB_ORDER_GRAPH
from marketplace.settlements.models import Collector
from marketplace.settlements.services import build_statement, compute_sections
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import address
from tests.showrooms.helpers import deliver, make_showroom, make_staff


@pytest.fixture()
def english(app):
    with app.test_request_context("/?lang=en"):
        refresh()
        get_locale()
        yield


@pytest.fixture()
def shop(app):
    """A producer (OCOP Market's 10 % commission) whose tea a showroom (15 % commission) holds; a buyer."""
    producer = make_producer(shipping_fee_vnd=30000)
    tea = make_product("Trà Shan tuyết", producer=producer, price_vnd=120000, stock=10)
    showroom = make_showroom("Điểm OCOP Hoàn Kiếm", commission_rate_bp=1500)
    deliver(showroom, tea, 5, lot="TEA-1", best_before=date(2027, 6, 1))
    member = make_user(role=Role.PRODUCER, producer=producer)
    buyer = make_user("buyer@example.test")
    clerk = make_staff(showroom)
    return {"producer": producer, "tea": tea, "showroom": showroom, "member": member, "buyer": buyer,
            "clerk": clerk}


def pickup_order(shop, *, method="cod", quantity=2):
    carts.add_to_cart(shop["tea"].id, quantity, user=shop["buyer"])
    order, _created = checkout.place_order(shop["buyer"], address=address(), payment_method=method,
                                           token=checkout.new_checkout_token(),
                                           pickups={shop["producer"].id: shop["showroom"].id})
    db.session.flush()
    return db.session.scalars(sa.select(ProducerOrder).where(ProducerOrder.order_id == order.id)
                              .options(*SUB_ORDER_GRAPH)).one()


def page(client, login_as, shop, sub, lang="en") -> str:
    db.session.commit()
    login_as(shop["member"])
    response = client.get(f"/manage/orders/{sub.id}?lang={lang}")
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("\xa0", " ").split())


def statement_section(shop):
    """The statement section the sub-order's ledger entries make (what the producer's statement will say)."""
    entries = list(db.session.scalars(sa.select(SaleEntry).where(SaleEntry.producer_id == shop["producer"].id)))
    [section] = compute_sections(entries, 1000)
    return section


def test_a_pickup_paid_at_the_counter_is_owed_by_the_showroom_not_the_producer(client, login_as, shop, english):
    """240.000 ₫ of tea paid in cash at the counter: the showroom collected it and owes the producer 240.000 less
    its 15 % commission; nothing passes between the producer and OCOP Market. The statement says the same."""
    sub = pickup_order(shop)
    pickups.prepare(sub, actor=shop["clerk"])
    pickups.hand_over(sub, actor=shop["clerk"], counter_payment_method="cash")
    section = statement_section(shop)
    assert (section.collected_by, section.commission_vnd, section.due_vnd) == (Collector.SHOWROOM, 36000, 204000)
    text = page(client, login_as, shop, sub)
    assert "Paid at the showroom's counter: the showroom collected the money." in text
    assert "Commission (15 %) − 36.000 ₫ You earn 204.000 ₫" in text
    assert "Between you and the showroom Điểm OCOP Hoàn Kiếm pays you 204.000 ₫" in text
    assert "Between you and OCOP Market Nothing is owed between you and OCOP Market" in text
    assert "You owe OCOP Market" not in text and "Cash on delivery" not in text
    assert "Điểm OCOP Hoàn Kiếm keeps its commission and pays you the rest through your statement." in text


def test_before_collection_the_page_says_the_showroom_will_collect_in_vietnamese_too(client, login_as, shop):
    """Prepared, not collected yet: the buyer will pay at the counter, the showroom collects; in Vietnamese the
    same words as the statements'."""
    sub = pickup_order(shop)
    pickups.prepare(sub, actor=shop["clerk"])
    text = page(client, login_as, shop, sub, lang="vi")
    assert "Thanh toán tại quầy của điểm bán" in text
    assert "Hoa hồng (15 %) − 36.000 ₫" in text
    assert "Điểm OCOP Hoàn Kiếm trả bạn 204.000 ₫" in text and "Bạn và Chợ OCOP không nợ nhau" in text
    assert "Thanh toán khi nhận hàng" not in text and "Bạn nợ Chợ OCOP" not in text


def test_a_pickup_paid_online_is_owed_by_ocop_market_at_the_showrooms_rate(client, login_as, shop, english):
    """Paid by card, then collected: OCOP Market collected the money and pays the producer 120.000 less the
    showroom's 15 % (the statement's showroom section, collected by OCOP Market)."""
    sub = pickup_order(shop, method="card", quantity=1)
    lifecycle.change_status(sub, "paid")
    pickups.prepare(sub, actor=shop["clerk"])
    pickups.hand_over(sub, actor=shop["clerk"], counter_payment_method=None)
    section = statement_section(shop)
    assert (section.collected_by, section.due_vnd) == (Collector.MARKETPLACE, 102000)
    text = page(client, login_as, shop, sub)
    assert "Ordered and paid online, picked up at the showroom: OCOP Market collected the money." in text
    assert "Between you and OCOP Market OCOP Market pays you 102.000 ₫" in text
    assert "Between you and the showroom" not in text and "Card (Stripe)" in text


def test_once_settled_the_page_keeps_the_rate_its_statement_charged(client, login_as, shop, english):
    """The statement froze the showroom's 15 %; the showroom's rate changing later changes nothing on the page."""
    sub = pickup_order(shop)
    pickups.prepare(sub, actor=shop["clerk"])
    pickups.hand_over(sub, actor=shop["clerk"], counter_payment_method="cash")
    statement = build_statement(shop["producer"], today_vn(), today_vn(), today=today_vn() + timedelta(days=1))
    shop["showroom"].commission_rate_bp = 2000
    text = page(client, login_as, shop, sub)
    assert "Commission (15 %) − 36.000 ₫" in text and f"Settled in statement #{statement.id}." in text
    assert "Điểm OCOP Hoàn Kiếm pays you 204.000 ₫" in text
