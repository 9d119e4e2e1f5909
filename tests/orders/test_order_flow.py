"""The order flow as Vietnamese marketplaces show it (issue 13): a cash-on-delivery order waits for the producer's
confirmation (Chờ xác nhận -> Chờ lấy hàng -> Đang giao -> Đã giao), the buyer follows each shop's part on a
timeline with dates and the carrier's tracking link, cancels on a confirm page with a reason the producer reads,
and the producer starts from what needs doing (tabs with counts, dashboard)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import today_vn, utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import SaleEntry
from marketplace.orders import lifecycle
from marketplace.orders.models import OrderEvent, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.statemachine import InvalidTransition
from tests.factories import make_certificate, make_producer, make_product, make_user
from tests.orders.helpers import place, stock_of
from tests.settlements.sample import pay_by_transfer

S = OrderStatus


def reload(sub) -> ProducerOrder:
    db.session.expire_all()
    return db.session.get(ProducerOrder, sub.id)


def events_of(sub) -> list[OrderEvent]:
    return list(db.session.scalars(sa.select(OrderEvent).where(OrderEvent.producer_order_id == sub.id)
                                   .order_by(OrderEvent.id)))


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def two_shops():
    """A buyer's cash-on-delivery order from two shops, each with a member."""
    one, two = make_producer("HTX Chè Tân Cương"), make_producer("Cơ sở Nước mắm Cự Đà")
    tea, sauce = make_product("Chè búp", producer=one, stock=5), make_product("Nước mắm", producer=two, stock=5)
    members = make_user(email="one@shop.test", role=Role.PRODUCER, producer=one), \
        make_user(email="two@shop.test", role=Role.PRODUCER, producer=two)
    buyer = make_user(email="buyer@example.test", full_name="Trần Thị Bình")
    order = place(buyer, [tea, sauce], method="cod")
    db.session.commit()
    return {"order": order, "buyer": buyer, "members": members, "tea": tea, "sauce": sauce,
            "subs": sorted(order.producer_orders, key=lambda po: po.producer_name)}


# The state machine


def test_a_cod_order_waits_for_the_producers_confirmation_and_sells_nothing_yet(two_shops):
    """Placing a COD order makes it "placed" (Chờ xác nhận) with the event saying why; the ledger stays empty and
    the units stay reserved; shipping before confirming is refused."""
    order = two_shops["order"]
    assert [po.status for po in order.producer_orders] == [S.PLACED, S.PLACED]
    assert order.status == S.PLACED
    first = order.producer_orders[0]
    assert [(e.from_status, e.to_status, e.reason) for e in events_of(first)] == [
        (None, S.PENDING_PAYMENT, None), (S.PENDING_PAYMENT, S.PLACED, "cash on delivery")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)) == 0
    assert stock_of(two_shops["tea"]) == 4
    with pytest.raises(InvalidTransition):
        lifecycle.ship_sub_order(first, actor=two_shops["members"][0], carrier="GHN", tracking_number="G1")
    with pytest.raises(InvalidTransition):
        lifecycle.change_status(first, S.REFUNDED)  # nothing was paid
    assert reload(first).status == S.PLACED


def test_the_producer_confirms_a_cod_order_and_the_buyer_is_told(client, login_as, two_shops, outbox):
    """The producer's page offers "Confirm order" for a COD order; confirming moves it to Chờ lấy hàng and e-mails
    the buyer; confirming twice is refused."""
    sub = next(po for po in two_shops["order"].producer_orders if po.producer_id == two_shops["members"][0].producer_id)
    login_as(two_shops["members"][0])
    page = text_of(client.get(f"/manage/orders/{sub.id}?lang=vi"))
    assert "Xác nhận đơn hàng" in page
    assert f"/manage/orders/{sub.id}/confirm" in page and "trả tiền mặt khi nhận hàng" in page
    outbox.clear()
    assert client.post(f"/manage/orders/{sub.id}/confirm").status_code == 302
    assert reload(sub).status == S.CONFIRMED
    [mail] = outbox.wait_for(1).to("buyer@example.test")
    assert "Chờ lấy hàng" in mail["Subject"]
    assert client.post(f"/manage/orders/{sub.id}/confirm").status_code == 409
    assert f"/manage/orders/{sub.id}/ship" in text_of(client.get(f"/manage/orders/{sub.id}"))


def test_a_paid_order_also_waits_for_the_producer(client, login_as):
    """A bank-transfer order once paid reads "Đã thanh toán, chờ xác nhận" and the producer confirms it."""
    producer = make_producer()
    member = make_user(role=Role.PRODUCER, producer=producer)
    buyer = make_user()
    order = place(buyer, [make_product(producer=producer)], method="vietqr")
    pay_by_transfer(order)
    db.session.commit()
    login_as(buyer)
    assert "Đã thanh toán, chờ xác nhận" in text_of(client.get(f"/orders/{order.number}?lang=vi"))
    lifecycle.confirm_sub_order(order.producer_orders[0], actor=member)
    db.session.commit()
    assert "Chờ lấy hàng" in text_of(client.get(f"/orders/{order.number}?lang=vi"))


# The buyer's order page


def test_the_order_page_shows_each_shops_timeline_with_dates_and_the_tracking_link(client, login_as, two_shops):
    """Each shop's part has its own timeline: the steps reached with their dates, the next ones "not yet", and the
    carrier's tracking link once shipped; in English the same steps read in English."""
    order, (_sauce_sub, tea_sub) = two_shops["order"], two_shops["subs"]
    tea_member = two_shops["members"][0]
    lifecycle.confirm_sub_order(tea_sub, actor=tea_member)
    lifecycle.ship_sub_order(tea_sub, actor=tea_member, carrier="Viettel Post", tracking_number="VTP42",
                             tracking_link="https://viettelpost.example/tra-cuu?ma=VTP42")
    db.session.commit()
    login_as(two_shops["buyer"])
    page = text_of(client.get(f"/orders/{order.number}?lang=vi"))
    tea_part = page[page.index("HTX Chè Tân Cương"):]
    sauce_part = page[page.index("Cơ sở Nước mắm Cự Đà"):page.index("HTX Chè Tân Cương")]
    for step in ("Đặt hàng thành công", "Gian hàng đã xác nhận, đang chuẩn bị hàng",
                 "Đã giao cho đơn vị vận chuyển, đang giao", "Đã giao hàng"):
        assert step in tea_part
    assert 'aria-current="step"' in tea_part
    assert len(re.findall(r'<time class="timeline-date"', tea_part)) == 3  # placed, confirmed, shipped
    assert 'href="https://viettelpost.example/tra-cuu?ma=VTP42"' in tea_part and "VTP42" in tea_part
    assert 'rel="noopener noreferrer nofollow"' in tea_part
    assert "Chờ xác nhận" in sauce_part and "thanh toán khi nhận hàng" in sauce_part
    assert len(re.findall(r'<time class="timeline-date"', sauce_part)) == 1
    assert "chưa đến" not in page  # the words for a step not reached are the translation below
    assert page.count("Đang giao") >= 1
    english = text_of(client.get(f"/orders/{order.number}?lang=en"))
    assert "Handed to the carrier, on its way" in english and "Awaiting confirmation" in english
    assert "not yet" in english


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://carrier.example/1",
                                  "https://", "//carrier.example/track", "https://carrier.example/a b",
                                  "https://carrier.example/" + "x" * 500])
def test_only_http_tracking_links_are_kept(client, login_as, two_shops, link):
    """A tracking link that is not an http(s) address with a host is refused with a message; what was typed is
    shown again and the order stays to ship."""
    sub = two_shops["subs"][1]
    member = two_shops["members"][0]
    lifecycle.confirm_sub_order(sub, actor=member)
    db.session.commit()
    with pytest.raises(DomainError):
        lifecycle.tracking_url(link)
    login_as(member)
    response = client.post(f"/manage/orders/{sub.id}/ship?lang=vi", data={
        "carrier": "GHN", "tracking_number": "G1", "tracking_url": link})
    assert response.status_code == 409
    assert "https://" in text_of(response) and 'value="GHN"' in text_of(response)
    assert reload(sub).status == S.CONFIRMED and reload(sub).tracking_url is None


def test_a_tracking_link_is_optional_and_http_is_accepted(client, login_as, two_shops):
    """Shipping without a link works; an http link is kept as typed and shown to the producer too."""
    tea_sub, sauce_sub = two_shops["subs"][1], two_shops["subs"][0]
    tea_member, sauce_member = two_shops["members"]
    for sub, member in ((tea_sub, tea_member), (sauce_sub, sauce_member)):
        lifecycle.confirm_sub_order(sub, actor=member)
    db.session.commit()
    login_as(tea_member)
    assert client.post(f"/manage/orders/{tea_sub.id}/ship", data={
        "carrier": "GHN", "tracking_number": "G1", "tracking_url": "  "}).status_code == 302
    assert (reload(tea_sub).status, reload(tea_sub).tracking_url) == (S.SHIPPED, None)
    login_as(sauce_member)
    assert client.post(f"/manage/orders/{sauce_sub.id}/ship", data={
        "carrier": "VNPost", "tracking_number": "EB1", "tracking_url": " http://vnpost.example/EB1 "}).status_code == 302
    assert reload(sauce_sub).tracking_url == "http://vnpost.example/EB1"
    assert 'href="http://vnpost.example/EB1"' in text_of(client.get(f"/manage/orders/{sauce_sub.id}"))


# Cancelling


def test_the_cancel_page_lists_the_shops_and_asks_why(client, login_as, two_shops):
    """The order page links to a confirm page (no JavaScript needed) that lists each shop's part that can still be
    cancelled, names the one already shipped, and offers the reasons in Vietnamese."""
    order, (sauce_sub, tea_sub) = two_shops["order"], two_shops["subs"]
    lifecycle.confirm_sub_order(tea_sub, actor=two_shops["members"][0])
    lifecycle.ship_sub_order(tea_sub, actor=two_shops["members"][0], carrier="GHN", tracking_number="G1")
    db.session.commit()
    login_as(two_shops["buyer"])
    detail = text_of(client.get(f"/orders/{order.number}?lang=vi"))
    assert f'href="/orders/{order.number}/cancel"' in detail
    page = text_of(client.get(f"/orders/{order.number}/cancel?lang=vi"))
    assert f'name="parts" value="{sauce_sub.id}" checked' in page
    assert f'value="{tea_sub.id}"' not in page
    assert "không thể hủy" in page and "HTX Chè Tân Cương" in page
    assert "Tôi không muốn mua nữa" in page and "Lý do khác" in page and "Không, giữ đơn hàng" in page
    assert "changed_mind" in page and "I no longer want" not in page


def test_cancelling_needs_a_reason_and_re_shows_what_was_typed(client, login_as, two_shops):
    """No reason, or "another reason" without words, re-shows the page (400) with a Vietnamese message and what
    was typed; nothing is cancelled."""
    order, subs = two_shops["order"], two_shops["subs"]
    login_as(two_shops["buyer"])
    parts = [str(po.id) for po in subs]
    missing = client.post(f"/orders/{order.number}/cancel?lang=vi", data={"parts": parts, "note": "giao chậm quá"})
    assert missing.status_code == 400 and "Vui lòng chọn lý do hủy đơn." in text_of(missing)
    assert "giao chậm quá" in text_of(missing)
    other = client.post(f"/orders/{order.number}/cancel?lang=vi", data={"parts": parts, "reason": "other", "note": " "})
    assert other.status_code == 400 and "Vui lòng ghi ngắn gọn lý do bạn hủy đơn." in text_of(other)
    none = client.post(f"/orders/{order.number}/cancel?lang=vi", data={"parts": [], "reason": "changed_mind"})
    assert none.status_code == 400 and "Hãy chọn ít nhất một phần đơn" in text_of(none)
    forged = client.post(f"/orders/{order.number}/cancel?lang=vi", data={"parts": ["99999"], "reason": "changed_mind"})
    assert forged.status_code == 400
    assert [reload(po).status for po in subs] == [S.PLACED, S.PLACED]


def test_cancelling_one_shops_part_records_the_reason_for_its_producer(client, login_as, two_shops, outbox):
    """The buyer cancels one shop's part: only that part is cancelled (its units back on sale), the message names
    the shops, the event keeps the chosen reason and the buyer's words, and the producer reads them on its page
    and in an e-mail; the other shop's part goes on."""
    order, (sauce_sub, tea_sub) = two_shops["order"], two_shops["subs"]
    login_as(two_shops["buyer"])
    outbox.clear()
    response = client.post(f"/orders/{order.number}/cancel?lang=vi", data={
        "parts": [str(sauce_sub.id)], "reason": "change_address", "note": "Giao  đến   cơ quan"})
    assert response.status_code == 302
    followed = text_of(client.get(response.headers["Location"]))
    assert "Đã hủy: Cơ sở Nước mắm Cự Đà." in followed and "Vẫn tiếp tục xử lý: HTX Chè Tân Cương." in followed
    assert (reload(sauce_sub).status, reload(tea_sub).status) == (S.CANCELLED, S.PLACED)
    assert stock_of(two_shops["sauce"]) == 5 and stock_of(two_shops["tea"]) == 4
    last = events_of(sauce_sub)[-1]
    assert (last.to_status, last.reason_code, last.reason, last.actor_id) == (
        S.CANCELLED, "change_address", "Giao đến cơ quan", two_shops["buyer"].id)
    assert "Tôi muốn đổi địa chỉ nhận hàng hoặc số điện thoại: Giao đến cơ quan" in followed
    login_as(two_shops["members"][1])
    producer_page = text_of(client.get(f"/manage/orders/{sauce_sub.id}?lang=vi"))
    assert "Người mua đã hủy đơn này" in producer_page
    assert "Tôi muốn đổi địa chỉ nhận hàng hoặc số điện thoại: Giao đến cơ quan" in producer_page
    mails = outbox.wait_for(2).to("two@shop.test")
    assert len(mails) == 1 and "người mua hủy" in mails[0]["Subject"].lower()
    assert "Giao đến cơ quan" in mails[0].get_body(("plain",)).get_content()
    assert not outbox.to("one@shop.test")


def test_cancelling_a_paid_order_says_it_is_refunded(client, login_as):
    """A paid part cancelled by the buyer is refunded; the message says so."""
    buyer = make_user()
    product = make_product(stock=3)
    order = place(buyer, [product], method="vietqr")
    pay_by_transfer(order)
    db.session.commit()
    login_as(buyer)
    response = client.post(f"/orders/{order.number}/cancel?lang=vi", data={
        "parts": [str(order.producer_orders[0].id)], "reason": "change_payment"})
    assert response.status_code == 302
    assert "sẽ được hoàn lại" in text_of(client.get(response.headers["Location"]))
    assert reload(order.producer_orders[0]).status == S.REFUNDED and stock_of(product) == 3


# The producer's order list and dashboard


def _tabs(page: str) -> dict[str, str]:
    """{tab label: count} read from the tab bar."""
    return dict(re.findall(r'>([^<>]+?) <span class="tab-count">(\d+)</span>', page))


def test_the_order_list_has_tabs_with_counts_for_what_needs_doing(client, login_as):
    """Tabs to confirm / to ship / being delivered... with counts; a tab lists only its sub-orders."""
    producer = make_producer()
    member = make_user(role=Role.PRODUCER, producer=producer)
    product = make_product(producer=producer, stock=20)
    numbers = {}
    for name in ("waiting", "confirmed", "shipped", "paid"):
        order = place(make_user(), [product], method="vietqr" if name == "paid" else "cod")
        sub = order.producer_orders[0]
        if name == "paid":
            pay_by_transfer(order)
        if name in ("confirmed", "shipped"):
            lifecycle.confirm_sub_order(sub, actor=member)
        if name == "shipped":
            lifecycle.ship_sub_order(sub, actor=member, carrier="GHN", tracking_number="G1")
        numbers[name] = order.number
    place(make_user(), [make_product(stock=3)], method="cod")  # another producer's: never counted here
    db.session.commit()
    login_as(member)
    page = text_of(client.get("/manage/orders?lang=vi"))
    tabs = _tabs(page)
    assert (tabs["Chờ xác nhận"], tabs["Chờ lấy hàng"], tabs["Đang giao"], tabs["Tất cả"]) == ("2", "1", "1", "4")
    to_confirm = text_of(client.get("/manage/orders?tab=to_confirm&lang=vi"))
    assert numbers["waiting"] in to_confirm and numbers["paid"] in to_confirm
    assert numbers["confirmed"] not in to_confirm and numbers["shipped"] not in to_confirm
    assert 'aria-current="page">Chờ xác nhận' in to_confirm
    to_ship = text_of(client.get("/manage/orders?tab=to_ship&lang=vi"))
    assert numbers["confirmed"] in to_ship and numbers["waiting"] not in to_ship
    assert client.get("/manage/orders?tab=nonsense").status_code == 200
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    login_as(admin)
    assert _tabs(text_of(client.get("/manage/orders?lang=vi")))["Tất cả"] == "5"


def test_the_dashboard_starts_with_what_needs_doing_and_the_sales(client, login_as):
    """Orders to confirm and to ship, certificates ending within 90 days, low stock, and today's and this month's
    sales from the ledger (a refund subtracts; another producer's sales do not count)."""
    producer = make_producer()
    member = make_user(role=Role.PRODUCER, producer=producer)
    product = make_product(producer=producer, price_vnd=100000, stock=20)
    make_certificate(product, decision_date=today_vn() - timedelta(days=1000),
                     valid_until=today_vn() + timedelta(days=80))
    for confirm in (False, False, True):
        sub = place(make_user(), [product], method="cod").producer_orders[0]
        if confirm:
            lifecycle.confirm_sub_order(sub, actor=member)

    def sale(quantity, when, product=product):
        return ledger.record_sale(product_id=product.id, producer_id=product.producer_id, quantity=quantity,
                                  unit_price_vnd=100000, payment_method="card", product_name=product.name,
                                  producer_name="x", occurred_at=when)

    now = utcnow()
    sale(2, now)
    refunded = sale(1, now)
    ledger.record_reversal(refunded, occurred_at=now)
    start_of_month = today_vn().replace(day=1)
    if start_of_month < today_vn():
        sale(3, now - timedelta(days=1))
        month = 500000
    else:
        month = 200000
    sale(7, now - timedelta(days=40))
    sale(5, now, product=make_product(stock=5))
    db.session.commit()
    login_as(member)
    page = text_of(client.get("/manage/?lang=vi"))
    todo = page[page.index("Việc cần làm"):page.index('id="sales-heading"')]
    assert re.search(r'tab=to_confirm">\s*<strong class="num">2</strong> đơn chờ xác nhận', todo)
    assert re.search(r'tab=to_ship">\s*<strong class="num">1</strong> đơn chờ lấy hàng', todo)
    assert re.search(r'<strong class="num">1</strong> giấy chứng nhận hết hạn trong 90 ngày', todo)
    assert page.index("Việc cần làm") < page.index('id="sales-heading"') < page.index('id="low-stock-heading"')
    assert "Hôm nay" in page and "200.000\xa0₫" in page
    assert f"{month:,}".replace(",", ".") + "\xa0₫" in page
