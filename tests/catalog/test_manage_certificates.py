"""Certificates entered by producers, checked scans, and the public verification page with its QR code."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from marketplace.accounts.models import Role
from marketplace.catalog.models import Certificate, CertificateStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.images import pdf_active_content
from marketplace.storage import get_storage
from tests.factories import make_certificate, make_producer, make_product, make_user

PLAIN_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
JS_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 3 0 R >> endobj\n"
          b"3 0 obj << /S /JavaScript /JS (app.alert('pwned')) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def product(login_as):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    return make_product("Trà hoa vàng Ba Chẽ", producer=producer, stars=None, stock=0)


def _form(scan: bytes | None, name="decision.pdf", **changes):
    data = {"star_level": "4", "score": "82", "decision_number": "1032/QĐ-UBND",
            "decision_date": (today_vn() - timedelta(days=30)).isoformat(), "valid_until": "",
            "issuing_level": "province", "authority": "UBND tỉnh Quảng Ninh", "issuing_province_name": "Quảng Ninh",
            "criteria_version": "148/QĐ-TTg", "evaluation_kind": "new", "legacy_group": ""}
    if scan is not None:
        data["scan"] = (io.BytesIO(scan), name)
    data.update(changes)
    return data


def _post(client, product, data):
    return client.post(f"/manage/products/{product.id}/certificates?lang=en", data=data,
                       content_type="multipart/form-data")


def _certificates(product):
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.product_id == product.id)))


def _stored(prefix="certificates") -> set[str]:
    root = get_storage().root / prefix
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_producer_submits_a_certificate_with_a_pdf_scan(client, product):
    """The certificate is "submitted" with a 36-month validity; the product shows no stars until verified."""
    assert _post(client, product, _form(PLAIN_PDF)).status_code == 302
    (certificate,) = _certificates(product)
    assert certificate.status == CertificateStatus.SUBMITTED
    assert certificate.scan_key.startswith(f"certificates/{certificate.id}/") and certificate.scan_key.endswith(".pdf")
    decided = today_vn() - timedelta(days=30)
    assert certificate.valid_until.year == decided.year + 3
    assert product.star_level is None
    scan = client.get(f"/manage/products/{product.id}/certificates/{certificate.id}/scan")
    assert scan.status_code == 200 and scan.data == PLAIN_PDF
    assert "sandbox" in scan.headers["Content-Security-Policy"]


def test_image_scan_is_reencoded(client, product):
    """A picture scan is stored re-encoded as WebP."""
    assert _post(client, product, _form(_png(), "scan.png")).status_code == 302
    (certificate,) = _certificates(product)
    assert certificate.scan_key.endswith(".webp")
    assert get_storage().open(certificate.scan_key)[8:12] == b"WEBP"


@pytest.mark.parametrize("pdf", [
    JS_PDF,
    JS_PDF.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/OpenAction", b"/Open#41ction").replace(b"/JS ", b"/J#53 "),
    b"%PDF-1.5\n1 0 obj << /Type /Catalog /AA << /O 2 0 R >> >> endobj\n%%EOF\n",
    b"%PDF-1.5\n1 0 obj << /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >> endobj\n%%EOF\n",
])
def test_pdf_with_active_content_is_refused_and_nothing_is_saved(client, product, pdf):
    """A "scan" carrying JavaScript, automatic actions or embedded files is refused with the reason; no row, no file."""
    before = _stored()
    response = _post(client, product, _form(pdf))
    assert response.status_code == 422
    assert "active content" in response.get_data(as_text=True)
    assert _certificates(product) == []
    assert _stored() == before


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    """Active content inside a Flate-compressed stream is found too."""
    import zlib

    hidden = zlib.compress(b"<< /S /JavaScript /JS (x) >>")
    pdf = b"%PDF-1.5\n4 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + hidden + b"\nendstream\n%%EOF"
    assert "JavaScript" in pdf_active_content(pdf)
    assert pdf_active_content(PLAIN_PDF) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"star_level": "4", "score": "65"}, "does not give 4 stars"),
    ({"star_level": "5", "score": "85"}, "does not give 5 stars"),
    ({"star_level": "3", "score": "120"}, "Number must be between 0 and 100"),
    ({"star_level": "5", "score": "95", "is_potential_five_star": "y"}, "shown with 4 stars"),
    ({"decision_date": (today_vn() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
    ({"valid_until": "2020-01-01"}, "must come after the decision date"),
    ({"authority": ""}, "This field is required"),
])
def test_wrong_certificate_details_are_refused(client, product, changes, message):
    """A score outside the star band, a future decision or a validity before it: clear message, nothing saved."""
    response = _post(client, product, _form(PLAIN_PDF, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _certificates(product) == []


def test_potential_five_star_is_accepted_as_four_stars_with_a_high_score(client, product):
    """A 4-star "potential 5 stars" certificate may carry a score of 90 or more."""
    assert _post(client, product, _form(PLAIN_PDF, score="93", is_potential_five_star="y")).status_code == 302
    assert _certificates(product)[0].is_potential_five_star


def test_certificate_without_scan_is_refused(client, product):
    """The scan is required."""
    response = _post(client, product, _form(None))
    assert response.status_code == 422 and "Upload the scan" in response.get_data(as_text=True)


@pytest.mark.parametrize(("status", "valid_until_days", "word"), [
    (CertificateStatus.VALID, 300, "VALID"),
    (CertificateStatus.VALID, -1, "EXPIRED"),
    (CertificateStatus.REVOKED, 300, "REVOKED"),
    (CertificateStatus.SUBMITTED, 300, "NOT VERIFIED"),
    (CertificateStatus.REJECTED, 300, "NOT VERIFIED"),
])
def test_verification_page_says_clearly_what_the_certificate_is_worth(client, status, valid_until_days, word):
    """Anyone scanning the QR sees the product, producer, stars, decision and a big verdict."""
    product = make_product("Nước mắm Phú Quốc", producer=make_producer("Công ty Khải Hoàn"), stars=None)
    certificate = make_certificate(product, stars=5, status=status,
                                   decision_date=today_vn() - timedelta(days=400),
                                   valid_until=today_vn() + timedelta(days=valid_until_days))
    response = client.get(f"/verify/{certificate.verification_code}?lang=en")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<span class="verify-word">{word}</span>' in text
    assert "Nước mắm Phú Quốc" in text and "Công ty Khải Hoàn" in text and certificate.decision_number in text
    assert "<svg" in text and "qr-code" in text


def test_verification_page_in_vietnamese_by_default(client):
    """Without a language choice the verdict is in Vietnamese."""
    certificate = make_certificate(make_product(stars=None), stars=4)
    text = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "HỢP LỆ" in text


def test_unknown_verification_code_is_404(client):
    """Guessing codes finds nothing."""
    assert client.get("/verify/does-not-exist").status_code == 404


def test_qr_png_and_svg_encode_the_absolute_page_url(client):
    """The printable QR code is a PNG (and an SVG) of the page's absolute URL."""
    certificate = make_certificate(make_product(stars=None), stars=4)
    png = client.get(f"/verify/{certificate.verification_code}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    with Image.open(io.BytesIO(png.data)) as image:
        assert image.size[0] >= 300
    svg = client.get(f"/verify/{certificate.verification_code}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert f"http://localhost/verify/{certificate.verification_code}" in page


def test_verifying_and_revoking_moves_the_product_in_and_out_of_the_catalogue(app, client, login_as, outbox):
    """An admin verifies the scan (stars shown, producer e-mailed) and later revokes it (stars gone)."""
    producer = make_producer()
    make_user(role=Role.PRODUCER, producer=producer, email="member@htx.example")
    product = make_product(producer=producer, stars=None)
    certificate = make_certificate(product, stars=4, status=CertificateStatus.SUBMITTED)
    assert not product.is_public()
    login_as(make_user(role=Role.ADMIN))
    assert client.post(f"/admin/certificates/{certificate.id}/verify").status_code == 302
    assert certificate.status == CertificateStatus.VALID and product.is_public() and product.star_level == 4
    assert outbox.wait_for(1).to("member@htx.example")
    client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert certificate.status == CertificateStatus.VALID
    client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Decision withdrawn by the province"})
    assert certificate.status == CertificateStatus.REVOKED
    assert product.star_level is None and not product.is_public()
    assert "ĐÃ BỊ THU HỒI" in client.get(f"/verify/{certificate.verification_code}?lang=vi").get_data(as_text=True)


def test_rejecting_a_submitted_certificate_emails_the_reason(client, login_as, outbox):
    """The producer learns why its certificate was refused."""
    producer = make_producer()
    make_user(role=Role.PRODUCER, producer=producer, email="member@htx.example")
    certificate = make_certificate(make_product(producer=producer, stars=None), status=CertificateStatus.SUBMITTED)
    login_as(make_user(role=Role.ADMIN))
    client.post(f"/admin/certificates/{certificate.id}/reject", data={"reason": "Số quyết định không khớp bản quét"})
    assert certificate.status == CertificateStatus.REJECTED
    (message,) = outbox.wait_for(1).to("member@htx.example")
    assert "Số quyết định không khớp bản quét" in message.get_body(("plain",)).get_content()


def test_a_revoked_certificate_cannot_be_verified_again(client, login_as):
    """Only the transitions of the certificate table are allowed."""
    certificate = make_certificate(make_product(stars=None), status=CertificateStatus.REVOKED)
    login_as(make_user(role=Role.ADMIN))
    client.post(f"/admin/certificates/{certificate.id}/verify")
    assert certificate.status == CertificateStatus.REVOKED


def test_default_validity_is_36_months():
    """A decision of 15/03/2024 is valid until 15/03/2027 unless it states otherwise."""
    from marketplace.catalog.services import default_valid_until

    assert default_valid_until(date(2024, 3, 15)) == date(2027, 3, 15)


def test_score_bands_match_the_database_check(app):
    """Each band's first and last score passes both the form rule and the table's CHECK; one past it fails both."""
    from marketplace.catalog import certificates as manage
    from marketplace.catalog.services import SCORE_BANDS

    product = make_product(stars=None)
    details = {"decision_number": "1/QĐ-UBND", "decision_date": today_vn() - timedelta(days=30),
               "issuing_level": "province", "authority": "UBND tỉnh Quảng Ninh"}
    with app.test_request_context("/?lang=en"):
        for stars, band in SCORE_BANDS.items():
            for score, accepted in ((band.start, True), (band[-1], True), (band.start - 1, False),
                                    (band[-1] + 1, False)):
                if score > 100:
                    continue
                try:
                    manage.clean_certificate_fields({**details, "star_level": str(stars), "score": str(score)})
                except manage.InvalidCertificate:
                    refused_by_form = True
                else:
                    refused_by_form = False
                try:
                    with db.session.begin_nested():
                        make_certificate(product, stars=stars, score=score)
                except sa.exc.IntegrityError:
                    refused_by_database = True
                else:
                    refused_by_database = False
                assert refused_by_form == refused_by_database == (not accepted), (stars, score)
