"""Vietnamese pages say everything in Vietnamese: the form library's messages and every status shown."""

import io
import re
from datetime import date
from html import unescape

import pytest
from babel.messages.pofile import read_po

from marketplace import i18n
from marketplace.accounts.models import Role
from marketplace.catalog.models import EvaluationKind, IssuingLevel
from marketplace.catalog.status import CertificateStatus, ProductStatus
from marketplace.extensions import db
from marketplace.money import format_vnd
from marketplace.orders import cart as carts
from marketplace.orders import lifecycle
from marketplace.orders.models import PaymentMethod
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import ProducerType
from marketplace.producers.status import VerificationStatus
from marketplace.settlements import services as settlement_services
from marketplace.settlements.models import StatementStatus
from marketplace.stock import queries as stock_queries
from marketplace.stock import services as stock_services
from marketplace.stock.models import LocationKind, MovementKind
from tests.factories import make_certificate, make_producer, make_product, make_user
from tests.orders.helpers import place
from tests.settlements.sample import sale, vn

# WTForms' built-in English messages, as they would appear untranslated.
FORM_LIBRARY_ENGLISH = ("This field is required.", "Not a valid integer value.", "Not a valid choice.",
                        "Invalid email address.", "Not a valid date value.", "Number must be between",
                        "Field cannot be longer than", "Field must be", "Invalid input.", "CSRF")


def visible_text(html: str) -> str:
    """The words a person reads: no tags, no attribute values, no scripts or styles."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?s)<[^>]*>", " ", html)
    return re.sub(r"\s+", " ", unescape(text))


def _assert_vietnamese(text: str, expected: list[str]) -> None:
    for message in expected:
        assert message in text, f"missing {message!r}"
    for english in FORM_LIBRARY_ENGLISH:
        assert english not in text, f"English form message {english!r} on a Vietnamese page"


def test_form_library_messages_are_in_vietnamese(client, login_as):
    """Bad values on several forms give WTForms' messages in Vietnamese, none in English."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    product = make_product("Trà hoa vàng Ba Chẽ", producer=producer, stars=None, stock=0)

    empty_product = client.post("/manage/products/new?lang=vi", data={"name": "", "unit": "", "price_vnd": "",
                                                                      "sku": "x" * 70, "group_code": ""})
    _assert_vietnamese(visible_text(empty_product.get_data(as_text=True)),
                       ["Vui lòng điền mục này.", "Không được dài quá 64 ký tự."])

    certificate = client.post(
        f"/manage/products/{product.id}/certificates?lang=vi",
        data={"star_level": "9", "score": "150", "decision_number": "1032/QĐ-UBND", "decision_date": "hôm qua",
              "valid_until": "", "issuing_level": "galaxy", "authority": "UBND tỉnh Quảng Ninh",
              "evaluation_kind": "new", "scan": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "d.pdf")},
        content_type="multipart/form-data")
    _assert_vietnamese(visible_text(certificate.get_data(as_text=True)),
                       ["Lựa chọn không hợp lệ.", "Số phải nằm trong khoảng 0 đến 100.", "Ngày không hợp lệ."])



def test_form_library_messages_on_the_producer_sign_up_are_in_vietnamese(client):
    """A new producer's bad e-mail, too-short phone and unknown type are told in Vietnamese."""
    page = client.post("/manage/join?lang=vi", data={"full_name": "", "email": "not-an-address", "name": "Cơ sở A",
                                                    "legal_name": "Cơ sở A", "type": "alien", "phone": "12",
                                                    "registration_number": "", "representative": "A",
                                                    "province_code": "", "address": "Thôn 1"})
    _assert_vietnamese(visible_text(page.get_data(as_text=True)),
                       ["Địa chỉ email không hợp lệ.", "Cần từ 8 đến 20 ký tự.", "Lựa chọn không hợp lệ.",
                        "Vui lòng điền mục này."])


def test_form_library_messages_stay_english_in_english(client, login_as):
    """The same bad value reads in English on an English page."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    page = client.post("/manage/products/new?lang=en", data={"name": ""})
    assert "This field is required." in visible_text(page.get_data(as_text=True))


# ---------------------------------------------------------------------------------------------------------------
# Every role's main pages, in Vietnamese, with data that shows statuses, stock movements and certificates.

RAW_ENUMS = (VerificationStatus, ProducerType, ProductStatus, CertificateStatus, IssuingLevel, EvaluationKind,
             MovementKind, LocationKind, StatementStatus, OrderStatus, PaymentMethod)
#: Stored codes that used to show through ("sold 2", "order:OC-...", "(active)"), beyond the enums' values.
RAW_CODES = ("order:", "refund:", "sold 1", "sold 2", "import row", "not paid in time", "cash on delivery",
             "cash collected")


def raw_values() -> set[str]:
    return {member.value for enum in RAW_ENUMS for member in enum}


def english_phrases() -> set[str]:
    """The app's and the form library's English sentences of three words or more that Vietnamese translates."""
    phrases = set()
    for po_path in (i18n.TRANSLATIONS / "vi" / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                string = message.string[0] if isinstance(message.string, tuple) else message.string
                if msgid and "%" not in msgid and len(msgid.split()) >= 3 and string and string != msgid:
                    phrases.add(msgid)
    return phrases | {m for m in FORM_LIBRARY_ENGLISH if len(m.split()) >= 3}


def leaks(text: str, raw: set[str], english: set[str]) -> list[str]:
    found = [phrase for phrase in english if phrase in text]
    for value in raw:
        # An abbreviation the label shows on purpose in brackets ("Hộ kinh doanh (HKD)") is not a leak.
        if re.search(rf"(?<![\w(]){re.escape(value)}(?![\w)])", text):
            found.append(value)
    found += [code for code in RAW_CODES if code in text]
    return found


@pytest.fixture
def marketplace_with_history():
    """A verified producer with stock moved by an order, a certificate, a statement it owes; other producers in
    every verification status; a buyer with orders."""
    producer = make_producer("Hợp tác xã Chè Tân Cương", type=ProducerType.HOUSEHOLD)
    make_producer("Cơ sở chờ duyệt", verified=False)
    for name, status in (("Cơ sở bị từ chối", VerificationStatus.REJECTED), ("Cơ sở tạm ngừng", VerificationStatus.SUSPENDED)):
        make_producer(name, verified=False).verification_status = status
    owner = make_user(role=Role.PRODUCER, producer=producer)
    product = make_product("Chè Thái Nguyên", producer=producer, stock=20)
    certificate = make_certificate(product, stars=5)
    make_product("Chè xanh nháp", producer=producer, status=ProductStatus.DRAFT)
    buyer = make_user()
    delivered = place(buyer, [product], quantity=2)
    sub_order = delivered.producer_orders[0]
    lifecycle.confirm_sub_order(sub_order, actor=owner)
    lifecycle.ship_sub_order(sub_order, actor=owner, carrier="Viettel Post", tracking_number="VT123")
    lifecycle.deliver_sub_order(sub_order, actor=owner, cash_collected=True)
    place(buyer, [product])
    place(buyer, [product], method="vietqr")
    unpaid = place(buyer, [product], method="vietqr")
    lifecycle.cancel_unpaid_order(unpaid, reason="not paid in time")
    carts.add_to_cart(product.id, 1, user=buyer)
    level = stock_queries.warehouse_level(product.id, producer.id)
    stock_services.adjust(level, -1, reason="Vỡ một hộp", actor_id=owner.id)
    sale(product, 2, method="cod", when=vn(2026, 10, 10))
    statement = settlement_services.build_statement(producer, date(2026, 10, 1), date(2026, 10, 31),
                                                    today=date(2026, 11, 28))
    db.session.commit()
    return {"producer": producer, "owner": owner, "product": product, "buyer": buyer, "order": delivered,
            "sub_order": sub_order, "unpaid": unpaid, "statement": statement, "certificate": certificate}


def _pages(data) -> dict[str, list[str]]:
    product, statement = data["product"], data["statement"]
    return {
        "buyer": ["/", "/products", f"/products/{product.slug}", f"/shops/{data['producer'].slug}", "/cart",
                  "/orders", f"/orders/{data['order'].number}", f"/orders/{data['unpaid'].number}", "/accounts/",
                  f"/verify/{data['certificate'].verification_code}", "/checkout"],
        "producer": ["/manage/", "/manage/products/", f"/manage/products/{product.id}/stock",
                     f"/manage/products/{product.id}/certificates", "/manage/orders",
                     f"/manage/orders/{data['sub_order'].id}", "/manage/statements",
                     f"/manage/statements/{statement.id}", "/manage/figures", "/manage/details",
                     f"/manage/products/{product.id}/edit", "/manage/profile", "/manage/members"],
        "admin": ["/admin/", "/admin/producers", f"/admin/producers/{data['producer'].id}", "/admin/certificates",
                  f"/admin/certificates/{data['certificate'].id}", "/admin/statements",
                  f"/admin/statements/{statement.id}", "/admin/producers?status=pending",
                  "/payments/admin/bank-transfers", "/admin/statements/new"],
    }


def test_every_role_reads_its_pages_in_vietnamese_only(app, client, login_as, marketplace_with_history):
    """No raw enum value, stored code or English sentence is visible on the main pages of any role."""
    data = marketplace_with_history
    users = {"buyer": data["buyer"], "producer": data["owner"], "admin": make_user(role=Role.ADMIN)}
    db.session.commit()
    raw, english = raw_values(), english_phrases()
    checked, problems = 0, []
    for role, paths in _pages(data).items():
        visitor = app.test_client()
        login_as(users[role], visitor)
        for path in paths:
            response = visitor.get(path, headers={"Cookie": "lang=vi"})
            assert response.status_code == 200, (role, path, response.status_code)
            found = leaks(visible_text(response.get_data(as_text=True)), raw, english)
            if found:
                problems.append(f"{role} {path}: {sorted(set(found))}")
            checked += 1
            assert visitor.get(path, headers={"Cookie": "lang=en"}).status_code == 200, (role, path, "en")
    print(f"checked {checked} pages in Vietnamese")
    assert not problems, "\n".join(problems)


def test_stock_history_reads_as_words_with_a_link_to_the_order(client, login_as, marketplace_with_history):
    """The producer's stock history names each movement and links the order that caused it."""
    data = marketplace_with_history
    login_as(data["owner"])
    page = client.get(f"/manage/products/{data['product'].id}/stock?lang=vi").get_data(as_text=True)
    text = visible_text(page)
    assert f"Đơn hàng {data['order'].number}" in text
    assert f"/manage/orders/{data['sub_order'].id}" in page
    for words in ("Giữ cho đơn hàng", "Đã bán 2", "Điều chỉnh", "Vỡ một hộp"):
        assert words in text


def test_a_statement_the_producer_owes_says_so_in_words(client, login_as, marketplace_with_history):
    """A negative balance reads "Bạn còn nợ Chợ OCOP ..." to the producer and "Chủ thể còn nợ ..." to the office."""
    data = marketplace_with_history
    login_as(data["owner"])
    listing = visible_text(client.get("/manage/statements?lang=vi").get_data(as_text=True))
    assert "Bạn còn nợ Chợ OCOP" in listing and "Chưa thu" in listing
    assert "-" + format_vnd(abs(data["statement"].net_payable_vnd)) not in listing
    login_as(make_user(role=Role.ADMIN))
    office = visible_text(client.get("/admin/statements?lang=vi").get_data(as_text=True))
    assert "Chủ thể còn nợ Chợ OCOP" in office
    login_as(data["owner"])
    detail = visible_text(client.get(f"/manage/statements/{data['statement'].id}?lang=vi").get_data(as_text=True))
    assert "Bạn còn nợ Chợ OCOP" in detail and "Chưa thanh toán: sàn chưa thu tiền" in detail
    cash_order = visible_text(client.get(f"/manage/orders/{data['sub_order'].id}?lang=vi").get_data(as_text=True))
    assert "Bạn còn nợ Chợ OCOP" in cash_order
    login_as(make_user(role=Role.ADMIN))
    english = visible_text(client.get("/admin/statements?lang=en").get_data(as_text=True))
    assert "The producer owes" in english


def test_price_and_date_ranges_are_told_apart(client, login_as, marketplace_with_history):
    """"From/To" reads "Từ/Đến" by a price box and "Từ ngày/Đến ngày" by a date box."""
    catalogue = client.get("/products?lang=vi").get_data(as_text=True)
    assert "Từ ngày" not in visible_text(catalogue) and "Đến ngày" not in visible_text(catalogue)
    login_as(marketplace_with_history["owner"])
    figures = visible_text(client.get("/manage/figures?lang=vi").get_data(as_text=True))
    assert "Từ ngày" in figures and "Đến ngày" in figures
