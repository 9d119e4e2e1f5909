"""The program office reviews producers: pending list, approve, reject or suspend with a reason e-mailed."""

from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.models import CertificateStatus
from marketplace.dates import today_vn
from marketplace.producers.models import VerificationStatus
from tests.factories import make_certificate, make_producer, make_product, make_user


@pytest.fixture
def admin(login_as):
    user = make_user(role=Role.ADMIN)
    login_as(user)
    return user


def test_dashboard_lists_pending_producers_and_submitted_certificates(client, admin):
    """What waits for the program office is on its first page."""
    make_producer("HTX Đang Chờ", verified=False)
    make_producer("HTX Đã Duyệt")
    make_certificate(make_product("Trà atiso chờ duyệt", stars=None), status=CertificateStatus.SUBMITTED)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "HTX Đang Chờ" in page and "HTX Đã Duyệt" not in page
    assert "Trà atiso chờ duyệt" in page


def test_approving_a_producer_makes_its_products_public_and_tells_the_members(client, admin, outbox):
    """After approval, its active certified products appear; the members get an e-mail."""
    producer = make_producer(verified=False)
    make_user(role=Role.PRODUCER, producer=producer, email="member@htx.example")
    product = make_product(producer=producer, stars=4)
    assert not product.is_public()
    detail = client.get(f"/admin/producers/{producer.id}?lang=en").get_data(as_text=True)
    assert producer.registration_number in detail
    assert client.post(f"/admin/producers/{producer.id}/approve").status_code == 302
    assert producer.verification_status == VerificationStatus.VERIFIED and producer.verified_at is not None
    assert product.is_public()
    assert outbox.wait_for(1).to("member@htx.example")


def test_rejecting_needs_a_reason_which_is_emailed(client, admin, outbox):
    """No reason, no rejection; with a reason the producer is rejected and told why."""
    producer = make_producer(verified=False)
    make_user(role=Role.PRODUCER, producer=producer, email="member@htx.example")
    client.post(f"/admin/producers/{producer.id}/reject", data={"reason": ""})
    assert producer.verification_status == VerificationStatus.PENDING
    client.post(f"/admin/producers/{producer.id}/reject", data={"reason": "Mã số đăng ký không khớp giấy phép"})
    assert producer.verification_status == VerificationStatus.REJECTED
    (message,) = outbox.wait_for(1).to("member@htx.example")
    assert "Mã số đăng ký không khớp giấy phép" in message.get_body(("plain",)).get_content()


def test_rejected_producer_corrects_details_and_goes_back_to_review(client, login_as):
    """Saving corrected legal details puts a rejected producer back in the pending list."""
    producer = make_producer(verified=False)
    producer.verification_status = VerificationStatus.REJECTED
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/details", data={
        "name": producer.name, "legal_name": producer.legal_name, "type": "HTX", "registration_number": "0100999999",
        "tax_code": "", "representative": "Lê Văn Bình", "province_code": "1", "ward_code": "", "address": "Thôn 2",
        "phone": "0912345678", "contact_email": ""})
    assert response.status_code == 302
    assert producer.verification_status == VerificationStatus.PENDING
    assert producer.registration_number == "0100999999"


def test_suspending_takes_a_verified_producer_out_of_the_catalogue(client, admin):
    """A suspended producer's products leave the catalogue; it can be verified again later."""
    producer = make_producer()
    product = make_product(producer=producer)
    assert product.is_public()
    client.post(f"/admin/producers/{producer.id}/suspend", data={"reason": "Khiếu nại hàng giả"})
    assert producer.verification_status == VerificationStatus.SUSPENDED and not product.is_public()
    client.post(f"/admin/producers/{producer.id}/approve")
    assert product.is_public()


def test_transitions_outside_the_table_are_refused(client, admin):
    """A verified producer cannot be "rejected"; the page says so and nothing changes."""
    producer = make_producer()
    response = client.post(f"/admin/producers/{producer.id}/reject?lang=en", data={"reason": "x"},
                           follow_redirects=True)
    assert producer.verification_status == VerificationStatus.VERIFIED
    assert "cannot go from" in response.get_data(as_text=True)


def test_certificate_screen_shows_the_scan_next_to_the_details(client, admin):
    """The admin sees the entered details and the scan (served sandboxed)."""
    from marketplace.storage import get_storage

    certificate = make_certificate(make_product(stars=None), status=CertificateStatus.SUBMITTED)
    certificate.scan_key = f"certificates/{certificate.id}/scan.pdf"
    get_storage().save(certificate.scan_key, b"%PDF-1.4\n%%EOF\n", "application/pdf")
    page = client.get(f"/admin/certificates/{certificate.id}?lang=en").get_data(as_text=True)
    assert certificate.decision_number in page and "Open the scan" in page
    scan = client.get(f"/admin/certificates/{certificate.id}/scan")
    assert scan.status_code == 200 and scan.headers["Content-Type"] == "application/pdf"
    assert "sandbox" in scan.headers["Content-Security-Policy"]


def test_admin_and_staff_find_producers_to_list_for(client, admin):
    """The assisted-listing chooser searches producers by name."""
    make_producer("HTX Mây Tre Đức Phong")
    page = client.get("/manage/assist?q=Mây").get_data(as_text=True)
    assert "HTX Mây Tre Đức Phong" in page
    assert client.get("/manage/").status_code == 302


def test_certificate_list_names_each_product_and_producer_without_a_query_per_row(client, admin, query_counter):
    """The list shows every certificate's product and producer, and three rows cost no more queries than one."""
    make_certificate(make_product("Trà atiso Đà Lạt", producer=make_producer("HTX Atiso"), stars=None),
                     status=CertificateStatus.SUBMITTED)
    one = query_counter.of_page(client, "/admin/certificates?lang=en")
    for n in (2, 3):
        make_certificate(make_product(f"Mật ong số {n}", producer=make_producer(f"HTX Ong {n}"), stars=None),
                         status=CertificateStatus.SUBMITTED)
    assert query_counter.of_page(client, "/admin/certificates?lang=en") == one
    page = client.get("/admin/certificates?lang=en").get_data(as_text=True)
    for name in ("Trà atiso Đà Lạt", "HTX Atiso", "Mật ong số 2", "HTX Ong 2", "Mật ong số 3", "HTX Ong 3"):
        assert name in page


def test_dashboard_lists_submitted_certificates_without_a_query_per_row(client, admin, query_counter):
    """The first page names each waiting certificate's product; three cost no more queries than one."""
    make_certificate(make_product("Chè Shan Tuyết", stars=None), status=CertificateStatus.SUBMITTED)
    one = query_counter.of_page(client, "/admin/?lang=en")
    for n in (2, 3):
        make_certificate(make_product(f"Chè số {n}", stars=None), status=CertificateStatus.SUBMITTED)
    assert query_counter.of_page(client, "/admin/?lang=en") == one
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert all(name in page for name in ("Chè Shan Tuyết", "Chè số 2", "Chè số 3"))


def test_the_valid_certificate_filter_lists_no_expired_certificate(client, admin):
    """"Valid" lists only certificates in force today; one whose validity ended is under "expired" (issue 13)."""
    today = today_vn()
    make_certificate(make_product("Mật ong hoa nhãn còn hạn", stars=None), status=CertificateStatus.VALID,
                     decision_date=today - timedelta(days=100), valid_until=today + timedelta(days=30))
    make_certificate(make_product("Miến dong đã hết hạn", stars=None), status=CertificateStatus.VALID,
                     decision_date=date(2021, 1, 5), valid_until=today - timedelta(days=1))
    valid = client.get("/admin/certificates?status=valid&lang=en").get_data(as_text=True)
    assert "Mật ong hoa nhãn còn hạn" in valid and "Miến dong đã hết hạn" not in valid
    assert 'aria-current="true">valid</a>' in valid
    expired = client.get("/admin/certificates?status=expired&lang=en").get_data(as_text=True)
    assert "Miến dong đã hết hạn" in expired and "Mật ong hoa nhãn còn hạn" not in expired
    assert client.get("/admin/certificates?status=galaxy&lang=en").status_code == 200
