"""Sign-up, producer join and member invitation answer the same whether or not the e-mail has an account;
the owner of an address that has one is told by e-mail instead (issue 9, item 9)."""

import re

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerInvitation
from tests.factories import make_producer, make_user

TAKEN, FREE = "taken@example.com", "free@example.com"


def _answer(client, method, url, data, email):
    """The response and the page it leads to, with the address itself blanked out."""
    response = getattr(client, method)(url, data=data)
    shown = client.get(response.headers["Location"]).get_data(as_text=True) if response.status_code == 302 else ""
    page = response.get_data(as_text=True) + shown
    return response.status_code, response.headers.get("Location"), re.sub(re.escape(email), "EMAIL", page)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_signup_answers_the_same_and_mails_the_owner(app, outbox):
    make_user(TAKEN, full_name="Chủ Tài Khoản")
    users = _count(User)
    answers = [_answer(app.test_client(), "post", "/accounts/signup?lang=en",
                       {"full_name": "Khách", "email": email}, email) for email in (TAKEN, FREE)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and "We have sent a message to EMAIL" in answers[0][2]
    assert _count(User) == users
    outbox.wait_for(2)
    owner = outbox.to(TAKEN)
    assert len(owner) == 1 and "sign up" in owner[0]["Subject"].lower() or "đăng ký" in owner[0]["Subject"].lower()
    body = owner[0].get_body(("plain",)).get_content()
    assert "already has an account" in body or "đã có tài khoản" in body
    assert "/accounts/password/reset" in body and "/accounts/signup/" not in body
    assert "/accounts/signup/" in outbox.to(FREE)[0].get_body(("plain",)).get_content()


def test_owner_notice_is_in_the_owners_language(client, outbox):
    make_user(TAKEN, preferred_language="en")
    client.post("/accounts/signup", data={"full_name": "Khách", "email": TAKEN})
    assert outbox.wait_for(1).to(TAKEN)[0]["Subject"] == "Someone tried to sign up with your e-mail address"


def _join_data(email):
    return {"name": "HTX Thử", "legal_name": "Hợp tác xã Thử", "type": "HTX", "registration_number": "4600999999",
            "representative": "An", "province_code": "1", "ward_code": "", "address": "Xóm 1",
            "phone": "0912345678", "contact_email": "", "full_name": "Nguyễn Văn An", "email": email}


def test_producer_join_answers_the_same_and_mails_the_owner(app, outbox):
    make_user(TAKEN)
    producers, users = _count(Producer), _count(User)
    answers = [_answer(app.test_client(), "post", "/manage/join?lang=en", _join_data(email), email)
               for email in (TAKEN, FREE)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and "We have sent a message to EMAIL" in answers[0][2]
    assert (_count(Producer), _count(User)) == (producers, users)
    outbox.wait_for(2)
    owner_body = outbox.to(TAKEN)[0].get_body(("plain",)).get_content()
    assert "/manage/join/" not in owner_body and "/accounts/password/reset" in owner_body
    assert "/manage/join/" in outbox.to(FREE)[0].get_body(("plain",)).get_content()


def test_member_invitation_answers_the_same_and_mails_the_owner(client, login_as, outbox):
    producer = make_producer("HTX Mời")
    login_as(make_user(role=Role.PRODUCER, producer=producer, full_name="Người Mời"))
    make_user(TAKEN, role=Role.PRODUCER, producer=make_producer())
    answers = [_answer(client, "post", "/manage/members?lang=en", {"email": email}, email)
               for email in (TAKEN, FREE)]
    assert answers[0][:2] == answers[1][:2] == (302, "/manage/members")
    assert all("Invitation sent to EMAIL" in answer[2] for answer in answers)
    # The members page lists both invitations alike.
    page = client.get("/manage/members?lang=en").get_data(as_text=True)
    rows = {email: re.search(r"<tr><td[^>]*>" + re.escape(email) + r"</td>.*?</tr>", page, re.S) for email in (TAKEN, FREE)}
    assert rows[TAKEN] and rows[FREE]
    same = [re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "WHEN", rows[email].group(0).replace(email, "EMAIL"))
            for email in (TAKEN, FREE)]
    assert same[0] == same[1]
    assert {i.email for i in db.session.scalars(sa.select(ProducerInvitation))} == {TAKEN, FREE}
    outbox.wait_for(2)
    owner_body = outbox.to(TAKEN)[0].get_body(("plain",)).get_content()
    assert "HTX Mời" in owner_body and "/manage/invitations/" not in owner_body
    assert "/manage/invitations/" in outbox.to(FREE)[0].get_body(("plain",)).get_content()
