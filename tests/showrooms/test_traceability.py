"""Lot traceability: the public lot page (/lot/<public code>) and the producer's QR label sheets."""

import io
from datetime import date, timedelta

import segno
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.catalog.models import CertificateStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.showrooms.models import Consignment, Lot, Showroom
from tests.factories import make_certificate, make_producer, make_product, make_user
from tests.showrooms.helpers import BA_DINH, deliver, make_showroom, make_staff

SITE = "https://ocop.example"


def _lot(product, code="L1") -> Lot:
    return db.session.scalar(sa.select(Lot).where(Lot.product_id == product.id, Lot.code == code))


def _delivered(stars=4, producer=None, **product_fields):
    producer = producer or make_producer("HTX Chè Tân Cương", ward_code=BA_DINH)
    product = make_product("Chè búp Tân Cương", producer=producer, stars=stars, **product_fields)
    showroom = make_showroom("Điểm OCOP Phố Cổ")
    deliver(showroom, product, 5, "TC-2026-01", date(2027, 6, 30))
    return product, _lot(product, "TC-2026-01")


def test_lot_page_shows_producer_commune_product_certificate_dates_and_showroom(client):
    product, lot = _delivered()
    lot.produced_on = date(2026, 11, 2)
    db.session.commit()
    assert len(lot.public_code) >= 12 and str(lot.id) != lot.public_code
    html = client.get(f"/lot/{lot.public_code}?lang=vi").get_data(as_text=True)
    assert "HTX Chè Tân Cương" in html and f"/shops/{product.producer.slug}" in html
    assert "Phường Ba Đình" in html and "Thành phố Hà Nội" in html
    assert f"/products/{product.slug}" in html and "TC-2026-01" in html
    assert "30/06/2027" in html and "02/11/2026" in html and "Điểm OCOP Phố Cổ" in html
    assert "lot-trace-valid" in html and "/verify/" in html
    assert "Truy xuất nguồn gốc" in html
    english = client.get(f"/lot/{lot.public_code}?lang=en").get_data(as_text=True)
    assert "Traceability of origin" in english and "Where this lot was consigned" in english


def test_lot_page_says_when_the_certificate_expired_or_was_revoked(client):
    product, lot = _delivered(stars=None)
    certificate = make_certificate(product, decision_date=today_vn() - timedelta(days=1200),
                                   valid_until=today_vn() - timedelta(days=3))
    db.session.commit()
    html = client.get(f"/lot/{lot.public_code}").get_data(as_text=True)
    assert "lot-trace-expired" in html and "lot-trace-valid" not in html
    certificate.valid_until = today_vn() + timedelta(days=300)
    certificate.status = CertificateStatus.REVOKED
    db.session.commit()
    html = client.get(f"/lot/{lot.public_code}").get_data(as_text=True)
    assert "lot-trace-revoked" in html and "lot-trace-valid" not in html
    assert f"/verify/{certificate.verification_code}" in html


def test_lot_page_without_a_confirmed_certificate(client):
    _, lot = _delivered(stars=None)
    db.session.commit()
    html = client.get(f"/lot/{lot.public_code}").get_data(as_text=True)
    assert "lot-trace-none" in html


def test_unknown_lot_code_is_404_with_a_clear_message(client):
    _, lot = _delivered()
    db.session.commit()
    for code in ("nope", str(lot.id), "x" * 200, lot.code):
        response = client.get(f"/lot/{code}?lang=en")
        assert response.status_code == 404
        assert "No lot has this code" in response.get_data(as_text=True)


def test_label_sheet_qr_holds_the_absolute_lot_url_from_site_url(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", SITE)
    product, lot = _delivered()
    member = make_user(role=Role.PRODUCER, producer=product.producer)
    db.session.commit()
    login_as(member)
    response = client.get(f"/manage/lots/{lot.public_code}/labels?lang=vi")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    url = f"{SITE}/lot/{lot.public_code}"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=3, xmldecl=False, svgns=True, border=2, title="QR",
                                    svgclass="qr-code")
    assert out.getvalue().decode() in html
    assert html.count('class="label"') == 24
    assert "Quét để truy xuất nguồn gốc" in html and "TC-2026-01" in html and "30/06/2027" in html
    assert "style=" not in html and "<script" not in html
    assert client.get(f"/manage/lots/{lot.public_code}/labels?sheets=2").get_data(as_text=True).count(
        'class="label"') == 48
    listing = client.get("/manage/lots").get_data(as_text=True)
    assert f"/manage/lots/{lot.public_code}/labels" in listing and f"/lot/{lot.public_code}" in listing


def test_a_producer_cannot_print_labels_of_another_producers_lot(client, login_as):
    _, lot = _delivered()
    other = make_user(role=Role.PRODUCER, producer=make_producer())
    db.session.commit()
    login_as(other)
    assert client.get(f"/manage/lots/{lot.public_code}/labels").status_code == 404
    assert lot.public_code not in client.get("/manage/lots").get_data(as_text=True)


def test_consignment_and_stock_pages_link_to_the_lot_page_and_labels(client, login_as):
    product, lot = _delivered()
    consignment = db.session.scalar(sa.select(Consignment))
    staff = make_staff(db.session.get(Showroom, consignment.showroom_id))
    member = make_user(role=Role.PRODUCER, producer=product.producer)
    db.session.commit()
    login_as(staff)
    html = client.get(f"/manage/showrooms/{consignment.showroom_id}").get_data(as_text=True)
    assert f"/lot/{lot.public_code}" in html
    login_as(member)
    consignment = db.session.scalar(sa.select(Consignment))
    html = client.get(f"/manage/consignments/{consignment.id}").get_data(as_text=True)
    assert f"/lot/{lot.public_code}" in html and f"/manage/lots/{lot.public_code}/labels" in html
