"""The producer's own area seen through the browser: sign-up, dashboard, profile, members."""

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerInvitation, VerificationStatus
from tests.factories import make_producer, make_product, make_user

HANOI = 1


def _signup_data(**changes):
    data = {
        "name": "HTX Chè Tân Cương", "legal_name": "Hợp tác xã Chè Tân Cương", "type": "HTX",
        "registration_number": "4600123456", "tax_code": "4600123456", "representative": "Nguyễn Văn An",
        "province_code": str(HANOI), "ward_code": "", "address": "Xóm 5", "phone": "0912345678",
        "contact_email": "", "full_name": "Nguyễn Văn An", "email": "an@htx.example",
    }
    data.update(changes)
    return data


PASSWORDS = {"password": "mật khẩu dài đủ", "password_again": "mật khẩu dài đủ"}


def test_producer_signs_up_and_lands_on_a_pending_dashboard(client, outbox):
    """A cooperative registers its legal details, follows the e-mailed link to choose a password, is signed in
    on a fresh session, and sees its shop is waiting for verification."""
    response = client.post("/manage/join", data=_signup_data())
    assert response.status_code == 302 and response.headers["Location"].endswith("/accounts/login")
    assert db.session.scalar(sa.select(User).where(User.email == "an@htx.example")) is None
    link = outbox.link("an@htx.example", "/manage/join/")
    with client.session_transaction() as session:
        session["planted"] = "attacker"
    assert client.get(link).status_code == 200
    response = client.post(link, data=PASSWORDS)
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/")
    user = db.session.scalar(sa.select(User).where(User.email == "an@htx.example"))
    assert user.role == Role.PRODUCER
    producer = db.session.get(Producer, user.producer_id)
    assert producer.verification_status == VerificationStatus.PENDING
    assert producer.registration_number == "4600123456" and producer.slug == "htx-che-tan-cuong"
    assert user.password_hash.startswith("scrypt:")
    assert user.last_login_at is not None
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    page = client.get("/manage/")
    assert page.status_code == 200
    assert "waiting for verification" in page.get_data(as_text=True) or "chờ" in page.get_data(as_text=True)
    assert outbox.wait_for(2).to("an@htx.example")


def test_signup_with_bad_input_shows_errors_and_keeps_what_was_typed(client, outbox):
    """No province re-shows the form with messages; a short password is refused on the link's page; nothing
    is created."""
    response = client.post("/manage/join?lang=en", data=_signup_data(province_code="999"))
    assert response.status_code == 200
    assert "HTX Chè Tân Cương" in response.get_data(as_text=True)
    client.post("/manage/join?lang=en", data=_signup_data())
    link = outbox.link("an@htx.example", "/manage/join/")
    response = client.post(link + "?lang=en", data={"password": "short", "password_again": "short"})
    assert "8 to 128 characters" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Producer)
                             .where(Producer.name == "HTX Chè Tân Cương")) == 0


def test_guest_is_sent_to_login_and_consumer_is_refused(client, login_as):
    """The producer area needs a producer (or staff) account."""
    assert client.get("/manage/").status_code == 302
    login_as(make_user())
    assert client.get("/manage/").status_code == 403
    assert client.get("/manage/products/").status_code == 403


def test_profile_story_with_script_is_shown_escaped(client, login_as):
    """A <script> typed into the shop story is stored as text and never runs on the page."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/profile", data={
        "story": "Làng nghề <script>alert('x')</script> 100 năm", "phone": "0900000000", "contact_email": "",
        "shipping_fee": "25.000", "free_shipping_threshold": "500000",
    })
    assert response.status_code == 302
    assert producer.shipping_fee_vnd == 25000 and producer.free_shipping_threshold_vnd == 500000
    page = client.get("/manage/profile").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_profile_refuses_a_fee_that_is_not_whole_dong(client, login_as):
    """A shipping fee like 12,5 is refused with a message and nothing changes."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/profile?lang=en", data={"story": "", "shipping_fee": "12,5",
                                                            "free_shipping_threshold": ""})
    assert response.status_code == 422
    assert "whole number of đồng" in response.get_data(as_text=True)
    assert producer.shipping_fee_vnd == 30000


def test_member_invites_a_colleague_who_joins_with_the_link(app, client, login_as, outbox):
    """The e-mailed link creates a member account of the same producer, and works only once."""
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/members", data={"email": "Chi@Htx.Example"})
    assert response.status_code == 302
    message = outbox.wait_for(1).to("chi@htx.example")[0]
    body = message.get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/manage/invitations/" in line).strip()
    path = link[link.index("/manage/invitations/"):]
    other = app.test_client()
    with other.session_transaction() as session:
        session["planted"] = "attacker"
    response = other.post(path, data={"full_name": "Trần Thị Chi", "password": "một mật khẩu dài",
                                      "password_again": "một mật khẩu dài"})
    assert response.status_code == 302
    member = db.session.scalar(sa.select(User).where(User.email == "chi@htx.example"))
    assert member.producer_id == producer.id and member.role == Role.PRODUCER
    assert member.last_login_at is not None
    with other.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    assert other.get("/manage/").status_code == 200
    assert db.session.scalar(sa.select(ProducerInvitation.accepted_at)) is not None
    third = app.test_client()
    assert third.get(path).status_code == 404


def test_forged_invitation_link_is_refused(client):
    """A made-up token shows an error page, not a form."""
    assert client.get("/manage/invitations/not-a-real-token").status_code == 404


def test_dashboard_lists_low_stock_and_products_to_confirm(client, login_as):
    """Low stock below the alert level is flagged on the dashboard."""
    producer = make_producer()
    product = make_product("Mật ong bạc hà", producer=producer, stock=2)
    from marketplace.stock import services as stock_services

    level = stock_services.level_for(product.id, stock_services.warehouse_for(producer).id)
    level.low_stock_threshold = 5
    db.session.flush()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    page = client.get("/manage/?lang=en").get_data(as_text=True)
    assert "Mật ong bạc hà" in page and "2 left" in page


def test_choosing_a_province_without_javascript_lists_its_communes(client):
    """The "show the communes" button re-shows the form with the communes of the chosen province, creating nothing."""
    from marketplace import geo

    response = client.post("/manage/join", data=_signup_data(refresh_wards="1", password=""))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert geo.wards(HANOI)[0].name in text
    assert "This field is required" not in text and "Trường này là bắt buộc" not in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Producer)
                             .where(Producer.name == "HTX Chè Tân Cương")) == 0


def _png_bytes(size=(800, 600)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, "PNG")
    return out.getvalue()


def _profile(client, **files):
    import io

    data = {"story": "Câu chuyện", "phone": "", "contact_email": "", "shipping_fee": "30000",
            "free_shipping_threshold": ""}
    data.update({name: (io.BytesIO(content), f"{name}.png") for name, content in files.items()})
    return client.post("/manage/profile?lang=en", data=data, content_type="multipart/form-data")


def test_logo_and_cover_are_stored_and_the_old_logo_is_removed(client, login_as):
    """New pictures replace the old ones, whose files are deleted after the save."""
    from marketplace.storage import get_storage

    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    assert _profile(client, logo=_png_bytes(), cover=_png_bytes((1600, 500))).status_code == 302
    first_logo = producer.logo_key
    assert first_logo.startswith(f"producers/{producer.id}/logo_") and get_storage().exists(first_logo)
    assert producer.cover_key.startswith(f"producers/{producer.id}/cover_")
    assert _profile(client, logo=_png_bytes()).status_code == 302
    assert producer.logo_key != first_logo and not get_storage().exists(first_logo)


def test_a_bad_cover_refuses_the_whole_save_and_leaves_no_file(client, login_as):
    """A good logo with a fake cover: clear message, no picture kept, profile unchanged."""
    from marketplace.storage import get_storage

    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    root = get_storage().root
    before = {str(path) for path in root.rglob("*") if path.is_file()}
    response = _profile(client, logo=_png_bytes(), cover=b"MZ\x90\x00 not a picture")
    assert response.status_code == 422
    assert "not a picture we can read" in response.get_data(as_text=True)
    db.session.refresh(producer)
    assert producer.logo_key is None and producer.cover_key is None and producer.story == ""
    assert {str(path) for path in root.rglob("*") if path.is_file()} == before
