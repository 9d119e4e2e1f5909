"""What people see on the demand board: contact details only for verified producers and the office, posting
with clear Vietnamese messages and a rate limit, answering offers, the office hiding spam, and access rules."""

from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.linkage import offers as offer_services
from marketplace.linkage.models import DemandRequest, Linkage
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.orders.models import Order
from marketplace.producers.models import Producer
from marketplace.stock.models import Location, LocationKind
from tests.factories import make_producer, make_product, make_user
from tests.linkage.sample import offer, post
from tests.orders.helpers import checkout_form

PHONE, EMAIL = "0912 345 678", "mai@nhahangsen.example"


def _form(**changes):
    fields = {"buyer_kind": "restaurant", "organisation": "Nhà hàng Sen", "title": "Nước mắm cốt Phú Quốc",
              "details": "", "group_code": "1.4", "quantity": "200", "unit": "can 5 lít", "target_price_vnd": "450.000",
              "delivery_province_code": "1", "needed_by": (today_vn() + timedelta(days=20)).isoformat(),
              "contact_name": "Trần Thị Mai", "contact_phone": PHONE, "contact_email": EMAIL}
    fields.update(changes)
    return fields


def _showroom_staff():
    showroom = Location(kind=LocationKind.SHOWROOM, name="Điểm OCOP Thử")
    db.session.add(showroom)
    db.session.flush()
    return make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.id)


def test_contact_details_only_for_verified_producers_and_the_office(app, client, login_as):
    """Guests, consumers, showroom staff and members of an unverified producer see the request without its
    phone and e-mail; a verified producer's member and an admin see them."""
    demand = post(contact_phone=PHONE, contact_email=EMAIL)
    db.session.commit()
    hidden_for = [None, make_user(), _showroom_staff(),
                  make_user(role=Role.PRODUCER, producer=make_producer(verified=False))]
    shown_for = [make_user(role=Role.PRODUCER, producer=make_producer()), make_user(role=Role.ADMIN)]
    for user in hidden_for:
        each = login_as(user, app.test_client()) if user else app.test_client()
        page = each.get(f"/demand/{demand.id}").get_data(as_text=True)
        assert "Nước mắm cốt Phú Quốc" in page
        assert PHONE not in page and EMAIL not in page and "Trần Thị Mai" not in page, user
    for user in shown_for:
        page = login_as(user, app.test_client()).get(f"/demand/{demand.id}").get_data(as_text=True)
        assert PHONE in page and EMAIL in page, user


def test_posting_a_request_publishes_it_and_lists_it(client, login_as):
    """A signed-in buyer posts; the request page shows it and the board lists it; the price typed the
    Vietnamese way is read."""
    buyer = login_as(make_user())
    response = buyer.post("/demand/new?lang=vi", data=_form())
    assert response.status_code == 302
    demand = db.session.scalar(sa.select(DemandRequest).order_by(DemandRequest.id.desc()))
    assert (demand.title, demand.target_price_vnd, demand.quantity) == ("Nước mắm cốt Phú Quốc", 450000, 200)
    assert "Nước mắm cốt Phú Quốc" in client.get("/demand?lang=vi").get_data(as_text=True)
    assert "Đang mở" in client.get(f"/demand/{demand.id}?lang=vi").get_data(as_text=True)


def test_the_boards_search_finds_a_word_of_the_details(client):
    """A guest searching the board for "tre" (typed without accents) finds the request that asks for bamboo
    baskets only in its details; a word in neither the title nor the details finds nothing."""
    post(title="Đồ thủ công mỹ nghệ", details="Giỏ tre đan, 300 chiếc cho cửa hàng.", group_code="4.1")
    post(title="Nước mắm cốt Phú Quốc")
    page = client.get("/demand?q=gio+tre&lang=vi").get_data(as_text=True)
    assert "Đồ thủ công mỹ nghệ" in page and "Nước mắm cốt Phú Quốc" not in page
    page = client.get("/demand?q=may+tre&lang=vi").get_data(as_text=True)
    assert "Đồ thủ công mỹ nghệ" not in page


def test_bad_input_is_told_in_vietnamese_and_what_was_typed_stays(client, login_as):
    """Every wrong field gets its own Vietnamese message; the title typed is still in the form; nothing posted."""
    login_as(make_user())
    response = client.post("/demand/new?lang=vi", data=_form(
        quantity="mười", target_price_vnd="rẻ", group_code="9.9", delivery_province_code="999", unit="",
        needed_by=(today_vn() - timedelta(days=1)).isoformat(), contact_phone="abc", contact_email="không-phải-email",
        organisation="", title="Gạo tám thơm Hải Hậu"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Vui lòng nhập số lượng là số nguyên từ 1 đến 10.000.000.", "Vui lòng chọn nhóm sản phẩm.",
                    "Vui lòng chọn tỉnh, thành nhận hàng.", "Vui lòng ghi đơn vị tính", "Ngày này đã qua.",
                    "Vui lòng nhập số điện thoại", "Vui lòng nhập địa chỉ email hợp lệ.",
                    "Vui lòng ghi giá mỗi đơn vị bằng đồng", "Vui lòng ghi tên doanh nghiệp hoặc tổ chức mua hàng."):
        assert message in page, message
    assert 'value="Gạo tám thơm Hải Hậu"' in page
    assert db.session.scalar(sa.select(sa.func.count(DemandRequest.id))) == 0


def test_posting_is_rate_limited_per_account(app, client, login_as):
    """The sixth request published within the hour is refused with 429; mistakes sent back do not count, and
    another account may still post."""
    login_as(make_user())
    assert client.post("/demand/new", data=_form(title="")).status_code == 400
    for n in range(5):
        assert client.post("/demand/new", data=_form(title=f"Chè Thái Nguyên lô {n}")).status_code == 302
    refused = client.post("/demand/new?lang=vi", data=_form(title="Chè Thái Nguyên lô 6"))
    assert refused.status_code == 429
    other = login_as(make_user(), app.test_client())
    assert other.post("/demand/new", data=_form(title="Chè Thái Nguyên khác")).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(DemandRequest.id))) == 6


def test_guests_must_sign_in_to_post(client):
    """The form sends a guest to the login page."""
    response = client.get("/demand/new")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_offers_through_the_page_only_from_verified_producers(app, client, login_as):
    """A consumer and an unverified producer's member get 403 and no offer is stored; a verified member's offer
    shows on the page for it and for the buyer, not for other visitors."""
    author = make_user()
    demand = post(author)
    db.session.commit()
    offer_form = {"unit_price_vnd": "430.000", "quantity": "200", "lead_time_days": "5", "message": "Hàng mới.",
                  "product_id": ""}
    assert login_as(make_user(), app.test_client()).post(f"/demand/{demand.id}/offers", data=offer_form).status_code == 403
    unverified = login_as(make_user(role=Role.PRODUCER, producer=make_producer(verified=False)), app.test_client())
    assert unverified.post(f"/demand/{demand.id}/offers", data=offer_form).status_code == 403
    producer = make_producer("HTX Nước mắm Cát Hải")
    member = login_as(make_user(role=Role.PRODUCER, producer=producer), app.test_client())
    assert member.post(f"/demand/{demand.id}/offers", data=offer_form).status_code == 302
    assert "HTX Nước mắm Cát Hải" in member.get(f"/demand/{demand.id}?lang=vi").get_data(as_text=True)
    buyer_page = login_as(author, app.test_client()).get(f"/demand/{demand.id}?lang=vi").get_data(as_text=True)
    assert "HTX Nước mắm Cát Hải" in buyer_page and "Chấp nhận chào hàng này" in buyer_page
    guest_page = app.test_client().get(f"/demand/{demand.id}?lang=vi").get_data(as_text=True)
    assert "HTX Nước mắm Cát Hải" not in guest_page and "1 chào hàng chờ người mua" in guest_page


def test_a_bad_offer_is_told_in_vietnamese(client, login_as):
    """A price in words and a negative lead time come back with messages, the typed values kept."""
    demand = post()
    login_as(make_user(role=Role.PRODUCER, producer=make_producer()))
    response = client.post(f"/demand/{demand.id}/offers?lang=vi", data={
        "unit_price_vnd": "bốn trăm", "quantity": "0", "lead_time_days": "-3", "message": "", "product_id": "999999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Vui lòng ghi giá mỗi đơn vị bằng đồng", "Vui lòng nhập số lượng là số nguyên",
                    "Vui lòng cho biết số ngày cần để giao hàng", "Vui lòng chọn một sản phẩm bạn đang bán"):
        assert message in page, message
    assert 'value="bốn trăm"' in page


def test_only_the_author_closes_through_the_page(app, client, login_as):
    """Another user's close is refused (403) and changes nothing; the author's closes the request."""
    author = make_user()
    demand = post(author)
    db.session.commit()
    assert login_as(make_user(), app.test_client()).post(f"/demand/{demand.id}/close").status_code == 403
    db.session.refresh(demand)
    assert demand.status == RequestStatus.OPEN
    assert login_as(author, app.test_client()).post(f"/demand/{demand.id}/close").status_code == 302
    db.session.refresh(demand)
    assert demand.status == RequestStatus.CLOSED


def test_accepting_through_the_page_records_the_linkage_and_offers_the_order(app, login_as):
    """The buyer accepts; the linkage page shows the agreed value and the order form; another user gets 404."""
    author = make_user()
    member = make_user(role=Role.PRODUCER, producer=make_producer())
    product = make_product("Nước mắm cốt nhĩ", producer=db.session.get(Producer, member.producer_id), stock=500)
    demand = post(author)
    made = offer(demand, member, price=430000, quantity=200, product=product)
    db.session.commit()
    buyer = login_as(author, app.test_client())
    response = buyer.post(f"/demand/{demand.id}/offers/{made.id}/accept")
    linkage = db.session.scalar(sa.select(Linkage))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/demand/linkages/{linkage.id}")
    page = buyer.get(f"/demand/linkages/{linkage.id}?lang=vi").get_data(as_text=True)
    assert "86.000.000" in page and "Đặt hàng theo giá thỏa thuận" in page
    assert login_as(make_user(), app.test_client()).get(f"/demand/linkages/{linkage.id}").status_code == 404
    db.session.refresh(made)
    assert made.status == OfferStatus.ACCEPTED


def test_the_office_hides_a_request_with_a_reason(app, client, login_as):
    """A hidden request leaves the board and answers 404 to others; its author reads the reason; the office
    can show it again. A consumer cannot reach the office's screen."""
    author = make_user()
    demand = post(author, title="Mua bán tài khoản giá rẻ")
    db.session.commit()
    assert login_as(make_user(), app.test_client()).get("/admin/demand").status_code == 403
    office = login_as(make_user(role=Role.ADMIN), app.test_client())
    assert office.post(f"/admin/demand/{demand.id}/hide", data={"reason": "Quảng cáo, không phải nhu cầu"}).status_code == 302
    assert "Mua bán tài khoản" not in app.test_client().get("/demand").get_data(as_text=True)
    assert app.test_client().get(f"/demand/{demand.id}").status_code == 404
    author_page = login_as(author, app.test_client()).get(f"/demand/{demand.id}?lang=vi").get_data(as_text=True)
    assert "Quảng cáo, không phải nhu cầu" in author_page
    assert office.post(f"/admin/demand/{demand.id}/restore").status_code == 302
    assert app.test_client().get(f"/demand/{demand.id}").status_code == 200


def test_the_producer_portal_lists_matched_requests(app, login_as):
    """A matched producer finds the request in /manage/demand with its rank."""
    producer = make_producer("HTX Chè Tân Cương", province_code=19)
    make_product("Chè Tân Cương", producer=producer, group_code="1.5", stock=100)
    post(title="Chè Tân Cương loại 1", group_code="1.5", delivery_province_code="19")
    db.session.commit()
    member = login_as(make_user(role=Role.PRODUCER, producer=producer), app.test_client())
    page = member.get("/manage/demand?lang=vi").get_data(as_text=True)
    assert "Chè Tân Cương loại 1" in page and "Nhu cầu của người mua" in page


def test_the_buyer_orders_a_linkage_through_its_page(app, login_as):
    """Cash on delivery goes to the order at the agreed price; a wallet that is not configured is refused with a
    Vietnamese message and nothing is ordered; another buyer cannot post the form."""
    author = make_user()
    member = make_user(role=Role.PRODUCER, producer=make_producer())
    product = make_product("Nước mắm cốt nhĩ", producer=db.session.get(Producer, member.producer_id), stock=500)
    demand = post(author)
    made = offer(demand, member, price=430000, quantity=20, product=product)
    linkage = offer_services.accept_offer(demand, made, actor=author)
    db.session.commit()
    form = {name: value for name, value in checkout_form(token="link-page").items()
            if name in ("full_name", "phone", "province_code", "ward_code", "street", "token")}
    buyer = login_as(author, app.test_client())
    refused = buyer.post(f"/demand/linkages/{linkage.id}/order?lang=vi", data=dict(form, payment_method="momo"))
    assert refused.status_code == 400 and "Cách thanh toán này không có sẵn." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0
    assert login_as(make_user(), app.test_client()).post(f"/demand/linkages/{linkage.id}/order",
                                                        data=dict(form, payment_method="cod")).status_code == 404
    placed = buyer.post(f"/demand/linkages/{linkage.id}/order", data=dict(form, payment_method="cod"))
    order = db.session.scalar(sa.select(Order))
    assert placed.status_code == 302 and placed.headers["Location"].endswith(f"/orders/{order.number}")
    assert order.total_vnd == 20 * 430000


def test_the_offices_demand_screens_refuse_consumers_producers_and_staff(app, login_as):
    """The office's list, linkages and hide/restore answer 403 to a consumer, a verified producer's member and
    showroom staff, and the request stays on the board."""
    demand = post(title="Mật ong rừng U Minh")
    db.session.commit()
    for user in (make_user(), make_user(role=Role.PRODUCER, producer=make_producer()), _showroom_staff()):
        each = login_as(user, app.test_client())
        assert each.get("/admin/demand").status_code == 403, user
        assert each.get("/admin/demand/linkages").status_code == 403, user
        assert each.post(f"/admin/demand/{demand.id}/hide", data={"reason": "x"}).status_code == 403, user
        assert each.post(f"/admin/demand/{demand.id}/restore").status_code == 403, user
    assert "Mật ong rừng U Minh" in app.test_client().get("/demand").get_data(as_text=True)
