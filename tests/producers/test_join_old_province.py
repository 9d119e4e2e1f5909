"""A producer of a merged province chooses its old province (before July 2025) when it signs up, among the
old provinces that merged into the new one; the shop is then found by the old name (issue 14)."""

import json
import re

import pytest
import sqlalchemy as sa

from marketplace import old_provinces
from marketplace.extensions import db
from marketplace.producers import services
from marketplace.producers.models import Producer, ProducerType
from tests.producers.test_views import PASSWORDS, _signup_data

HANOI, TUYEN_QUANG = 1, 8
#: Old codes (before July 2025).
HA_GIANG, KIEN_GIANG = 2, 91


def _options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*id="old_province_code".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def _finish(client, outbox) -> Producer:
    link = outbox.link("an@htx.example", "/manage/join/")
    assert client.post(link, data=PASSWORDS).status_code == 302
    return db.session.scalar(sa.select(Producer).where(Producer.registration_number == "4600123456"))


def test_the_old_province_chosen_at_sign_up_is_kept(client, outbox):
    response = client.post("/manage/join", data=_signup_data(province_code=str(TUYEN_QUANG),
                                                             old_province_code=str(HA_GIANG)))
    assert response.status_code == 302
    producer = _finish(client, outbox)
    assert producer.province_code == TUYEN_QUANG and producer.old_province_code == HA_GIANG


def test_without_javascript_the_form_offers_the_old_provinces_of_the_chosen_province(client):
    """Before a province is chosen there is nothing to choose; after "show the communes", exactly the old
    provinces that merged into it."""
    before = client.get("/manage/join").get_data(as_text=True)
    assert _options(before) == ["Chọn sau khi chọn tỉnh…"]
    after = client.post("/manage/join", data=_signup_data(province_code=str(TUYEN_QUANG), refresh_wards="1"))
    assert _options(after.get_data(as_text=True)) == ["Chọn…", "Hà Giang", "Tuyên Quang"]
    assert "Tỉnh trước tháng 7/2025" in after.get_data(as_text=True)


def test_the_page_carries_every_provinces_old_parts_for_its_script(client):
    html = client.get("/manage/join").get_data(as_text=True)
    attribute = re.search(r'data-old-provinces="([^"]*)"', html).group(1)
    parts = json.loads(attribute.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
    assert len(parts) == 34
    assert parts[str(TUYEN_QUANG)] == [[HA_GIANG, "Hà Giang"], [TUYEN_QUANG, "Tuyên Quang"]]
    assert parts[str(HANOI)] == [[HANOI, "Hà Nội"]]
    assert 'src="/static/js/old_provinces.js' in html


def test_an_old_province_of_another_province_is_refused(client):
    response = client.post("/manage/join?lang=en", data=_signup_data(province_code=str(TUYEN_QUANG),
                                                                     old_province_code=str(KIEN_GIANG)))
    assert response.status_code == 200
    # Not among the offered choices: the field says so, and nothing is created or sent.
    assert 'id="old_province_code-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Producer)
                             .where(Producer.registration_number == "4600123456")) == 0


def test_a_province_that_did_not_merge_needs_no_choice(client, outbox):
    assert client.post("/manage/join", data=_signup_data(province_code=str(HANOI))).status_code == 302
    assert _finish(client, outbox).old_province_code == old_provinces.parts_of(HANOI)[0].code == HANOI


def test_a_merged_province_may_be_left_for_later(client, outbox):
    """The choice is optional: the shop profile offers it again."""
    assert client.post("/manage/join", data=_signup_data(province_code=str(TUYEN_QUANG))).status_code == 302
    assert _finish(client, outbox).old_province_code is None


def test_the_old_province_field_is_translated(client):
    english = client.get("/manage/join?lang=en").get_data(as_text=True)
    assert "Province before July 2025" in english and "Many provinces merged on 1 July 2025" in english
    vietnamese = client.get("/manage/join?lang=vi").get_data(as_text=True)
    assert "Nhiều tỉnh đã hợp nhất từ ngày 1/7/2025" in vietnamese


def test_the_sign_up_rule_refuses_an_old_province_of_another_province(app):
    """The rule itself (the e-mailed link carries the details past the form)."""
    details = services.LegalDetails(
        name="HTX Ong", legal_name="Hợp tác xã Ong", type=ProducerType.COOPERATIVE, registration_number="1",
        tax_code=None, representative="An", province_code=TUYEN_QUANG, ward_code=None, address="Xóm 1",
        phone="0912345678", email=None, old_province_code=KIEN_GIANG)
    with pytest.raises(services.InvalidProducerData) as refused:
        services.check_legal_details(details)
    assert set(refused.value.errors) == {"old_province_code"}
