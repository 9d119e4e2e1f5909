"""Every page of the producer area and the admin screens renders, in both languages."""

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.models import CertificateStatus
from marketplace.extensions import db
from marketplace.stock import services as stock_services
from tests.factories import make_certificate, make_producer, make_product, make_user


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_producer_pages_render(app, login_as, lang):
    """Dashboard, profile, details, members, products and each product tab answer 200."""
    producer = make_producer(verified=False, story="Ba đời làm nước mắm.")
    product = make_product(producer=producer, stock=3)
    make_certificate(product, stars=5, status=CertificateStatus.SUBMITTED)
    level = stock_services.level_for(product.id, stock_services.warehouse_for(producer).id)
    level.low_stock_threshold = 5
    db.session.flush()
    client = login_as(make_user(role=Role.PRODUCER, producer=producer), app.test_client())
    for path in ("/manage/", "/manage/profile", "/manage/details", "/manage/members", "/manage/products/",
                 "/manage/products/new", f"/manage/products/{product.id}/edit", f"/manage/products/{product.id}/images",
                 f"/manage/products/{product.id}/stock", f"/manage/products/{product.id}/certificates",
                 "/manage/products/import"):
        response = client.get(f"{path}?lang={lang}")
        assert response.status_code == 200, path


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_admin_pages_render(app, login_as, lang):
    """The admin dashboard, lists and detail pages answer 200."""
    producer = make_producer(verified=False)
    certificate = make_certificate(make_product(producer=producer, stars=None), status=CertificateStatus.SUBMITTED)
    client = login_as(make_user(role=Role.ADMIN), app.test_client())
    for path in ("/admin/", "/admin/producers", "/admin/producers?status=pending", f"/admin/producers/{producer.id}",
                 "/admin/certificates", "/admin/certificates?status=valid", f"/admin/certificates/{certificate.id}",
                 "/manage/assist", f"/manage/products/?producer={producer.id}",
                 f"/manage/products/new?producer={producer.id}"):
        response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status_code == 200, path


def test_join_page_renders_for_guests(client):
    """The producer sign-up form is public."""
    assert client.get("/manage/join").status_code == 200
