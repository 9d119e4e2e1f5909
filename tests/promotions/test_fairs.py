"""Trade fairs: the participation machine, producers signing up, the office deciding, the calendar and .ics."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.promotions import fairs, ics, participation
from marketplace.promotions.models import FairParticipation, ParticipationEvent, TradeFair
from marketplace.promotions.status import TRANSITIONS, ParticipationStatus
from marketplace.statemachine import InvalidTransition
from tests.factories import make_producer, make_user

S = ParticipationStatus


@pytest.fixture(autouse=True)
def _english(english_request_context):
    yield


def fair(name="Tuần lễ OCOP Hà Nội", *, start=10, length=6, **changes) -> TradeFair:
    today = today_vn()
    data = fairs.FairInput(name=name, description="Gian hàng OCOP; trà, gốm, lụa.\nNgày 2: trình diễn.",
                           province_code=1, ward_code=None, venue="Phố đi bộ Hồ Gươm, Hoàn Kiếm",
                           starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=start + length))
    for key, value in changes.items():
        setattr(data, key, value)
    return fairs.save_fair(None, data)


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("new", list(S))
def test_every_transition_follows_the_table(current, new):
    """change_status allows exactly the pairs of TRANSITIONS, each with one event row."""
    producer = make_producer()
    entry = FairParticipation(fair_id=fair().id, producer_id=producer.id, status=current)
    db.session.add(entry)
    db.session.flush()
    actor = make_user(role=Role.ADMIN)
    if new in TRANSITIONS[current]:
        event = participation.change_status(entry, new, actor=actor, reason="vì sao")
        assert (entry.status, event.from_status, event.to_status, event.actor_id) == (new, current, new, actor.id)
    else:
        with pytest.raises(InvalidTransition):
            participation.change_status(entry, new, actor=actor)
        assert db.session.get(FairParticipation, entry.id).status == current


def test_sign_up_approval_and_withdrawal_flow(client, login_as):
    """A producer signs up in /manage, the office approves with a reason, the fair page lists it, it withdraws."""
    the_fair = fair()
    producer = make_producer("HTX Gốm Bát Tràng")
    member = make_user(role=Role.PRODUCER, producer=producer)
    login_as(member)
    assert client.post(f"/manage/fairs/{the_fair.id}/signup", data={"note": "Gốm men lam"}).status_code == 302
    entry = db.session.scalar(sa.select(FairParticipation))
    assert entry.status == S.PENDING and entry.note == "Gốm men lam"
    assert "HTX Gốm Bát Tràng" not in client.get(f"/fairs/{the_fair.slug}").get_data(as_text=True)
    again = client.post(f"/manage/fairs/{the_fair.id}/signup", data={"note": ""}, follow_redirects=True)
    assert "already signed up" in again.get_data(as_text=True)

    admin = make_user(role=Role.ADMIN)
    login_as(admin)
    decided = client.post(f"/admin/fairs/{the_fair.id}/participations/{entry.id}/approve", data={"reason": "Chào mừng"})
    assert decided.status_code == 302
    db.session.refresh(entry)
    assert entry.status == S.APPROVED
    assert "HTX Gốm Bát Tràng" in client.get(f"/fairs/{the_fair.slug}").get_data(as_text=True)

    login_as(member)
    assert "Chào mừng" in client.get("/manage/fairs?lang=en").get_data(as_text=True)
    client.post(f"/manage/fairs/{the_fair.id}/withdraw", data={})
    db.session.refresh(entry)
    assert entry.status == S.WITHDRAWN
    events = db.session.scalars(sa.select(ParticipationEvent).order_by(ParticipationEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [(None, S.PENDING), (S.PENDING, S.APPROVED),
                                                              (S.APPROVED, S.WITHDRAWN)]
    assert [e.actor_id for e in events] == [member.id, admin.id, member.id]


def test_sign_up_is_refused_when_closed_or_unverified():
    """Past the sign-up day, or for a producer not verified, signing up is refused with the reason."""
    closed = fair("Đã đóng", start=3, signup_until=today_vn() - timedelta(days=1))
    with pytest.raises(participation.SignupRefused, match="closed"):
        participation.sign_up(closed, make_producer(), actor=None, today=today_vn())
    with pytest.raises(participation.SignupRefused, match="verified"):
        participation.sign_up(fair(), make_producer(verified=False), actor=None, today=today_vn())


def test_a_producer_cannot_decide_nor_touch_another_fair_entry(client, login_as):
    """Producers get 403 on the office's decision; the office's decision needs its own fair's entry."""
    the_fair, other = fair(), fair("Hội chợ khác")
    entry = participation.sign_up(the_fair, make_producer(), actor=None, today=today_vn())
    login_as(make_user(role=Role.PRODUCER, producer=make_producer()))
    assert client.post(f"/admin/fairs/{the_fair.id}/participations/{entry.id}/approve").status_code == 403
    assert client.get("/admin/fairs").status_code == 403
    login_as(make_user(role=Role.ADMIN))
    assert client.post(f"/admin/fairs/{other.id}/participations/{entry.id}/approve").status_code == 404
    assert client.post(f"/admin/fairs/{the_fair.id}/participations/{entry.id}/promote").status_code == 404
    login_as(make_user())
    assert client.get("/manage/fairs").status_code == 403


def test_bad_fair_input_is_explained_and_nothing_saved(client, login_as):
    """A missing province and an end before the start are shown on the form with what was typed (422)."""
    login_as(make_user(role=Role.ADMIN))
    today = today_vn()
    page = client.post("/admin/fairs/new?lang=vi", data={
        "name": "Tuần lễ OCOP", "province_code": "", "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=2)).isoformat()})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'value="Tuần lễ OCOP"' in text
    assert db.session.query(TradeFair).count() == 0


def unfold(text: str) -> list[str]:
    """RFC 5545 unfolding: a CRLF followed by one space or tab joins the lines."""
    assert "\n" not in text.replace("\r\n", "")
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_ics_feed_parses_with_escaping_folding_and_all_day_dates(client, app):
    """Every line is at most 75 octets and CRLF-ended; unfolded and unescaped values equal the fair's; DTEND is
    the day after the last day; hidden fairs are left out."""
    long_name = "Tuần lễ giới thiệu sản phẩm OCOP, đặc sản vùng miền; làng nghề Hà Nội " * 2
    shown = fair(long_name.strip())
    fair("Ẩn", is_hidden=True)
    response = client.get("/fairs.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert body.endswith("\r\n")
    for line in body[:-2].split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    events = [i for i, line in enumerate(lines) if line == "BEGIN:VEVENT"]
    assert len(events) == 1
    props = {}
    for line in lines[events[0] + 1:lines.index("END:VEVENT")]:
        name, value = line.split(":", 1)
        props[name] = value
    assert unescape(props["SUMMARY"]) == shown.name
    assert unescape(props["DESCRIPTION"]).startswith("Gian hàng OCOP; trà, gốm, lụa.\nNgày 2: trình diễn.")
    assert unescape(props["LOCATION"]) == fairs.place_label(shown)
    assert props["DTSTART;VALUE=DATE"] == shown.starts_on.strftime("%Y%m%d")
    assert props["DTEND;VALUE=DATE"] == (shown.ends_on + timedelta(days=1)).strftime("%Y%m%d")
    assert props["URL"] == app.config["SITE_URL"].rstrip("/") + f"/fairs/{shown.slug}"
    assert props["UID"].startswith(f"fair-{shown.id}@") and re.fullmatch(r"\d{8}T\d{6}Z", props["DTSTAMP"])


def test_fold_never_splits_a_character_and_escape_handles_specials():
    """Folding a long Vietnamese line keeps whole characters; escaping covers \\ ; , and newlines."""
    line = "SUMMARY:" + "Đặc sản Việt " * 20
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert ics.escape_text("a\\b;c,d\r\ne") == "a\\\\b\\;c\\,d\\ne"


def test_calendar_page_lists_upcoming_and_past_fairs(client):
    """The public calendar shows the fair to come with its link and the feed; a hidden fair is absent."""
    fair("Tuần lễ OCOP Hà Nội")
    fair("Hội chợ đã qua", start=-20, length=2)
    fair("Hội chợ ẩn", is_hidden=True)
    page = client.get("/fairs?lang=en").get_data(as_text=True)
    assert "Tuần lễ OCOP Hà Nội" in page and "Hội chợ đã qua" in page and "Hội chợ ẩn" not in page
    assert "/fairs.ics" in page
    assert client.get("/fairs/hoi-cho-an").status_code == 404
