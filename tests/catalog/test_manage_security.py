"""A member of producer A can reach nothing of producer B, however the ids are guessed."""

import io

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.catalog.models import Certificate, CertificateStatus, Product, ProductImage
from marketplace.extensions import db
from marketplace.stock.models import StockMovement
from tests.factories import make_certificate, make_producer, make_product, make_user


@pytest.fixture
def setting(login_as):
    """Producer A's member is signed in; producer B has a product with a picture and a certificate."""
    producer_a, producer_b = make_producer("HTX A"), make_producer("HTX B")
    member_a = make_user(role=Role.PRODUCER, producer=producer_a)
    product_b = make_product("Sản phẩm của B", producer=producer_b, stock=5)
    image_b = ProductImage(product_id=product_b.id, position=0, storage_key="products/x/a.webp",
                           thumb_key="products/x/a_thumb.webp", width=10, height=10)
    db.session.add(image_b)
    certificate_b = make_certificate(product_b, stars=4, status=CertificateStatus.SUBMITTED)
    certificate_b.scan_key = "certificates/x/scan.pdf"
    db.session.flush()
    login_as(member_a)
    return {"a": producer_a, "b": producer_b, "product": product_b, "image": image_b, "certificate": certificate_b}


def test_every_page_of_another_producers_product_is_not_found(client, setting):
    """Reading B's product, pictures, stock, certificates or scan gives 404."""
    product, certificate = setting["product"], setting["certificate"]
    for path in (f"/manage/products/{product.id}/edit", f"/manage/products/{product.id}/images",
                 f"/manage/products/{product.id}/stock", f"/manage/products/{product.id}/certificates",
                 f"/manage/products/{product.id}/certificates/{certificate.id}/scan"):
        assert client.get(path).status_code == 404, path


def test_every_action_on_another_producers_product_is_refused_and_changes_nothing(client, setting):
    """Editing, publishing, picture actions, stock changes and certificate uploads on B's product: 404, no change."""
    product, image = setting["product"], setting["image"]
    before = (product.name, product.status, product.price_vnd)
    responses = [
        client.post(f"/manage/products/{product.id}/edit", data={"name": "Hacked", "group_code": "1.4", "unit": "x",
                                                                   "price_vnd": "1", "sku": "H"}),
        client.post(f"/manage/products/{product.id}/status", data={"status": "archived"}),
        client.post(f"/manage/products/{product.id}/confirm"),
        client.post(f"/manage/products/{product.id}/images/{image.id}/delete"),
        client.post(f"/manage/products/{product.id}/images/{image.id}/main"),
        client.post(f"/manage/products/{product.id}/images", data={"image": (io.BytesIO(b"x"), "a.jpg")},
                    content_type="multipart/form-data"),
        client.post(f"/manage/products/{product.id}/stock", data={"form": "stock", "stock-mode": "adjust",
                                                                    "stock-quantity": "-5", "stock-reason": "x"}),
        client.post(f"/manage/products/{product.id}/certificates", data={"star_level": "4"}),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    db.session.expire_all()
    assert (product.name, product.status, product.price_vnd) == before
    assert db.session.get(ProductImage, image.id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement)
                             .where(StockMovement.reason == "x")) == 0


def test_own_image_id_with_another_product_id_is_refused(client, setting):
    """A's own product id combined with B's picture id does not reach B's picture."""
    own = make_product(producer=setting["a"], stars=None, stock=0)
    response = client.post(f"/manage/products/{own.id}/images/{setting['image'].id}/delete")
    assert response.status_code == 404
    assert db.session.get(ProductImage, setting["image"].id) is not None


def test_own_product_id_with_another_certificate_id_is_refused(client, setting):
    """Guessing a certificate id under one's own product does not download B's scan."""
    own = make_product(producer=setting["a"], stars=None, stock=0)
    assert client.get(f"/manage/products/{own.id}/certificates/{setting['certificate'].id}/scan").status_code == 404


def test_a_member_cannot_act_for_another_producer_through_the_query_string(client, setting):
    """?producer=<B> is ignored for members: lists, new listings, export and import stay in their own shop."""
    b = setting["b"]
    page = client.get(f"/manage/products/?producer={b.id}").get_data(as_text=True)
    assert "Sản phẩm của B" not in page
    client.post(f"/manage/products/new?producer={b.id}", data={
        "name": "Hàng giả", "group_code": "1.4", "unit": "chai", "price_vnd": "1000", "sku": "FAKE-1"})
    created = db.session.scalar(sa.select(Product).where(Product.sku == "FAKE-1"))
    assert created is not None and created.producer_id == setting["a"].id
    export = client.get(f"/manage/products/export.csv?producer={b.id}").get_data(as_text=True)
    assert "Sản phẩm của B" not in export


def test_members_cannot_reach_the_admin_screens(client, setting):
    """Admin pages and decisions are refused to producers."""
    certificate = setting["certificate"]
    assert client.get("/admin/").status_code == 403
    assert client.get(f"/admin/certificates/{certificate.id}/scan").status_code == 403
    assert client.post(f"/admin/certificates/{certificate.id}/verify").status_code == 403
    assert client.post(f"/admin/producers/{setting['a'].id}/approve").status_code == 403
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.SUBMITTED


def test_showroom_staff_may_list_but_not_touch_stock_or_spreadsheets(client, login_as, setting):
    """Staff assist with listings but the producer's warehouse and bulk files stay with its members."""
    from marketplace.stock.models import Location, LocationKind

    showroom = Location(kind=LocationKind.SHOWROOM, name="Điểm OCOP")
    db.session.add(showroom)
    db.session.flush()
    login_as(make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.id))
    product = setting["product"]
    assert client.get(f"/manage/products/{product.id}/edit").status_code == 200
    assert client.get(f"/manage/products/{product.id}/stock").status_code == 403
    assert client.get(f"/manage/products/export.csv?producer={setting['b'].id}").status_code == 403
    assert client.get("/admin/").status_code == 403
