"""Producers creating, editing and publishing listings; staff listing on a producer's behalf."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.catalog import products as manage
from marketplace.catalog.models import AssistedListing, Product, ProductStatus
from marketplace.extensions import db
from marketplace.producers.models import Producer
from tests.factories import make_certificate, make_producer, make_product, make_user

VALID_EAN = "8938505974194"


def _form(**changes):
    data = {"name": "Nước mắm cá cơm 40 độ đạm", "description": "Ủ chượp 12 tháng.", "group_code": "1.4",
            "set_code": "1.4.1", "unit": "chai 500ml", "price_vnd": "125.000", "sku": "NM-40", "barcode": VALID_EAN}
    data.update(changes)
    return data


@pytest.fixture
def member(login_as):
    producer = make_producer()
    user = make_user(role=Role.PRODUCER, producer=producer)
    login_as(user)
    return user


def test_ean13_example_is_valid():
    """The barcode used in these tests and in the import template has a correct check digit."""
    from marketplace.catalog.services import is_valid_ean13

    assert is_valid_ean13(VALID_EAN)


def test_member_creates_a_draft_with_a_slug_from_the_name(client, member):
    """A new product is a draft with a price in whole đồng and an accent-free slug."""
    response = client.post("/manage/products/new", data=_form())
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    assert product.status == ProductStatus.DRAFT and product.price_vnd == 125000
    assert product.slug == "nuoc-mam-ca-com-40-do-dam" and product.producer_id == member.producer_id
    assert "nuoc mam" in product.search_name
    assert db.session.get(AssistedListing, product.id) is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("price_vnd", "12,5", "whole number of đồng"),
    ("price_vnd", "-5", "whole number of đồng"),
    ("price_vnd", "0", "more than 0"),
    ("group_code", "9.9", "Not a valid choice"),
    ("set_code", "2.1.1", "does not belong"),
    ("barcode", "8938505974193", "EAN-13"),
    ("name", "", "This field is required"),
])
def test_wrong_fields_are_refused_with_a_clear_message(client, member, field, value, message):
    """Each wrong field re-shows the form with its message and what was typed; nothing is saved."""
    response = client.post("/manage/products/new?lang=en", data=_form(**{field: value}))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in text
    assert "chai 500ml" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.sku == "NM-40")) == 0


def test_sku_must_be_unique_within_the_shop_only(client, member):
    """The same SKU is refused twice in one shop but another shop may use it."""
    make_product(producer=db.session.get(Producer, member.producer_id), sku="NM-40")
    response = client.post("/manage/products/new?lang=en", data=_form())
    assert "already uses this SKU" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.sku == "NM-40")) == 1
    make_product(sku="OTHER-1")
    assert client.post("/manage/products/new", data=_form(sku="OTHER-1")).status_code == 302


def test_slug_follows_the_name_in_draft_and_is_frozen_after_publishing(client, member):
    """Renaming a draft changes its slug; after publishing the URL never changes."""
    client.post("/manage/products/new", data=_form())
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    client.post(f"/manage/products/{product.id}/edit", data=_form(name="Nước mắm Phú Quốc"))
    assert product.slug == "nuoc-mam-phu-quoc"
    assert client.post(f"/manage/products/{product.id}/status", data={"status": "active"}).status_code == 302
    assert product.status == ProductStatus.ACTIVE
    client.post(f"/manage/products/{product.id}/edit", data=_form(name="Nước mắm đặc biệt"))
    assert product.name == "Nước mắm đặc biệt" and product.slug == "nuoc-mam-phu-quoc"


def test_slug_is_made_unique(client, member):
    """Two products with the same name get different slugs."""
    make_product("Nước mắm cá cơm 40 độ đạm", slug="nuoc-mam-ca-com-40-do-dam")
    client.post("/manage/products/new", data=_form())
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    assert product.slug == "nuoc-mam-ca-com-40-do-dam-2"


def test_status_goes_draft_active_archived_and_never_back_to_draft(client, member):
    """Archive and restore work; a published product cannot become a draft again."""
    client.post("/manage/products/new", data=_form())
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    client.post(f"/manage/products/{product.id}/status", data={"status": "active"})
    client.post(f"/manage/products/{product.id}/status", data={"status": "archived"})
    assert product.status == ProductStatus.ARCHIVED
    client.post(f"/manage/products/{product.id}/status", data={"status": "draft"})
    assert product.status == ProductStatus.ARCHIVED
    client.post(f"/manage/products/{product.id}/status", data={"status": "active"})
    assert product.status == ProductStatus.ACTIVE


def test_published_product_is_public_only_with_a_verified_certificate(client, member):
    """An active product without a verified certificate stays out of the catalogue, and the page says why."""
    client.post("/manage/products/new", data=_form())
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    response = client.post(f"/manage/products/{product.id}/status", data={"status": "active"},
                           follow_redirects=True)
    assert "Sản phẩm chưa hiển thị trong danh mục" in response.get_data(as_text=True)
    assert not product.is_public()
    make_certificate(product, stars=4)
    assert product.is_public()


def test_description_with_script_is_escaped_on_the_edit_page(client, member):
    """A stored <script> in a description is shown as text."""
    client.post("/manage/products/new", data=_form(description="<script>alert(1)</script>"))
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    page = client.get(f"/manage/products/{product.id}/edit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_admin_lists_on_behalf_and_the_producer_must_confirm(app, client, login_as, outbox):
    """An assisted listing is recorded with who made it, cannot be published until a member confirms it."""
    producer = make_producer()
    owner = make_user(role=Role.PRODUCER, producer=producer, email="owner@htx.example")
    admin = make_user(role=Role.ADMIN)
    login_as(admin)
    response = client.post(f"/manage/products/new?producer={producer.id}", data=_form())
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product).where(Product.sku == "NM-40"))
    record = db.session.get(AssistedListing, product.id)
    assert record.created_by_id == admin.id and record.awaiting_confirmation
    assert outbox.wait_for(1).to("owner@htx.example")
    client.post(f"/manage/products/{product.id}/status", data={"status": "active"})
    assert product.status == ProductStatus.DRAFT
    # The admin cannot confirm in the producer's name.
    client.post(f"/manage/products/{product.id}/confirm")
    assert record.awaiting_confirmation
    owner_client = login_as(owner, app.test_client())
    page = owner_client.get(f"/manage/products/{product.id}/edit").get_data(as_text=True)
    assert f"Được {admin.full_name} soạn thay cho chủ thể" in page
    owner_client.post(f"/manage/products/{product.id}/confirm")
    assert not record.awaiting_confirmation and record.confirmed_by_id == owner.id
    owner_client.post(f"/manage/products/{product.id}/status", data={"status": "active"})
    assert product.status == ProductStatus.ACTIVE


def test_showroom_staff_edit_of_an_active_listing_takes_it_off_until_confirmed(client, login_as):
    """Staff editing a live product in the producer's name archives it until the producer confirms again."""
    from marketplace.stock.models import Location, LocationKind

    showroom = Location(kind=LocationKind.SHOWROOM, name="Điểm OCOP Ba Đình")
    db.session.add(showroom)
    db.session.flush()
    staff = make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.id)
    product = make_product("Chè Tân Cương", sku="CHE-1")
    login_as(staff)
    data = _form(sku="CHE-1", name="Chè Tân Cương", group_code="1.5", set_code="")
    assert client.post(f"/manage/products/{product.id}/edit", data=data).status_code == 302
    assert product.status == ProductStatus.ARCHIVED
    assert manage.assistance_for(product).last_edited_by_id == staff.id
