"""Vietnamese pages say everything in Vietnamese: the form library's messages and every status shown."""

import io
import re
from html import unescape

from marketplace.accounts.models import Role
from tests.factories import make_producer, make_product, make_user

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
