"""flask demo load: the illustrative catalogue, its hidden cases and its idempotence."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace import geo, storage
from marketplace.catalog import categories
from marketplace.catalog.listing import public_products
from marketplace.catalog.models import Certificate, IssuingLevel, Product, ProductImage
from marketplace.catalog.services import is_valid_ean13
from marketplace.dates import today_vn
from marketplace.demo.catalogue import PRODUCERS, PRODUCTS
from marketplace.demo.loader import ean13
from marketplace.extensions import db
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.settlements.models import Statement
from marketplace.stock.services import available_online
from marketplace.text import slugify
from tests.factories import make_product


def _load(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result


def _row_counts() -> dict[str, int]:
    """Rows of every table in the database (including the SQLite search index tables)."""
    connection = db.session.connection()
    names = sa.inspect(connection).get_table_names()
    return {name: connection.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}


def _public() -> list[Product]:
    return db.session.scalars(public_products()).unique().all()


def test_demo_catalogue_covers_provinces_sectors_types_and_stars(runner):
    """The demo shows about 60 public products from 15+ provinces, all six sectors, every producer type and 3-5 stars."""
    result = _load(runner)
    assert "61 producers and 64 products created" in result.output
    public = _public()
    assert len(public) == len(PRODUCTS) - 2 == 62
    assert len({product.producer.province_code for product in public}) >= 15
    assert {categories.sector_of(product.group_code) for product in public} == {"1", "2", "3", "4", "5", "6"}
    producers = {product.producer for product in public}
    for producer_type in ("HTX", "THT", "DN", "HKD"):
        assert sum(1 for producer in producers if producer.type == producer_type) >= 3
    stars = [product.star_level for product in public]
    assert min(stars.count(3), stars.count(4), stars.count(5)) >= 10
    assert sum(1 for product in public if product.is_featured) >= 8


def test_every_row_of_the_domain_table_is_loaded_with_its_province(runner):
    """All 60 rows of DOMAIN.md §7 are there, under the new province codes, in the right group."""
    _load(runner)
    expected = {
        "Tương Cự Đà": (1, "1.4", 3), "Nước mắm Phú Quốc Khải Hoàn 40°N": (91, "1.4", 5),
        "Mật hoa dừa Trà Vinh FARM": (86, "1.2", 5), "Gạo ST25": (92, "1.2", 4), "Trà hoa vàng Ba Chẽ": (22, "1.5", 5),
        "Nano Curcumin Vicumax": (19, "3.1", 5), "Vải thiều Lục Ngạn": (24, "1.1", 4), "Ecohost Hải Hậu": (37, "6.1", 5),
        "Bình gốm Chu Đậu Giọt Ngọc": (31, "4.1", 4), "Saphraton": (48, "3.1", 5), "Lan hồ điệp Đà Lạt": (68, "5.1", 3),
        "Rượu Đình Làng Đa Tửu": (48, "2.1", 3), "Trà xanh Phìn Hồ": (8, "1.5", 5),
    }
    for name, (province_code, group_code, stars) in expected.items():
        product = db.session.scalars(sa.select(Product).where(Product.name == name)
                                     .options(joinedload(Product.producer))).one()
        assert (product.producer.province_code, product.group_code, product.star_level) == (province_code, group_code, stars)
    assert len([row for row in PRODUCTS if row.row <= 60]) == 60
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.sku.like("MH-%"))) == 64


def test_demo_data_says_it_is_illustrative_and_is_consistent(runner, app):
    """Stories and descriptions say the data is illustrative; communes, barcodes, scores and pictures are valid."""
    _load(runner)
    producers = db.session.scalars(sa.select(Producer).where(Producer.is_demo.is_(True))).all()
    assert len(producers) == len(PRODUCERS)
    for producer in producers:
        assert "minh họa" in producer.story
        assert geo.is_ward_in_province(producer.ward_code, producer.province_code)
        assert producer.phone and producer.address
    products = db.session.scalars(sa.select(Product).where(Product.sku.like("MH-%"))).all()
    assert all(product.description.endswith("(Dữ liệu minh họa)") for product in products)
    assert sum(1 for product in products if "đặc sản" in product.description.lower()) >= 5
    barcodes = [product.barcode for product in products if product.barcode]
    assert len(barcodes) >= 15 and all(is_valid_ean13(code) for code in barcodes)
    assert all(product.search_name and product.search_body for product in products)
    certificates = db.session.scalars(sa.select(Certificate)).all()
    bands = {3: range(50, 70), 4: range(70, 90), 5: range(90, 101)}
    for certificate in certificates:
        assert certificate.score in bands[certificate.star_level] or certificate.is_potential_five_star
        if certificate.star_level == 5:
            assert certificate.decision_number.endswith("/QĐ-BNNMT")
            assert certificate.issuing_level == IssuingLevel.MINISTRY
        else:
            assert certificate.decision_number.endswith("/QĐ-UBND")
    assert "Kiên Giang" in {certificate.issuing_province_name for certificate in certificates}
    potential = db.session.scalars(sa.select(Product).where(Product.name == "Đông trùng hạ thảo sấy")).one()
    assert potential.star_level == 4 and potential.current_certificate.is_potential_five_star
    assert potential.current_certificate.score == 92
    stock = available_online(product.id for product in products)
    assert 1 <= sum(1 for quantity in stock.values() if quantity == 0) <= 5
    media = storage.get_storage()
    for image in db.session.scalars(sa.select(ProductImage)).all():
        assert media.exists(image.storage_key) and media.exists(image.thumb_key)
        assert (image.width, image.height) == (800, 800)


def test_expired_certificate_and_unverified_producer_stay_hidden(runner):
    """The product whose only certificate expired, and the unverified producer's product, are not public."""
    _load(runner)
    public_slugs = {product.slug for product in _public()}
    expired = db.session.scalars(sa.select(Product).where(Product.slug == slugify("Mắm tôm chua Huế"))
                                 .options(joinedload(Product.producer), joinedload(Product.current_certificate))).one()
    assert expired.certified_until < today_vn()
    assert expired.current_certificate.effective_status() == "expired"
    assert expired.producer.verification_status == VerificationStatus.VERIFIED
    unverified = db.session.scalars(
        sa.select(Product).where(Product.slug == slugify("Bánh tráng phơi sương Trảng Bàng"))
        .options(joinedload(Product.producer))
    ).one()
    assert unverified.producer.verification_status == VerificationStatus.PENDING
    assert unverified.certified_until >= today_vn()
    for hidden in (expired, unverified):
        assert hidden.slug not in public_slugs
        assert not hidden.is_public()


def test_running_demo_load_twice_changes_nothing(runner):
    """A second run creates no row and changes no count in any table."""
    _load(runner)
    before = _row_counts()
    result = _load(runner)
    assert "0 producers and 0 products created" in result.output
    assert _row_counts() == before
    assert before["till_closes"] == 1 and "0 till closes made" in result.output


def test_demo_load_redraws_pictures_missing_from_storage(runner):
    """If the uploads folder lost a demo picture, a rerun draws it again without touching the database."""
    _load(runner)
    image = db.session.scalars(sa.select(ProductImage).limit(1)).one()
    media = storage.get_storage()
    media.delete(image.storage_key)
    before = _row_counts()
    result = _load(runner)
    assert "2 picture files written" in result.output
    assert media.exists(image.storage_key)
    assert _row_counts() == before


def test_demo_load_leaves_a_product_that_already_uses_a_demo_slug_alone(runner):
    """A product of other data with a demo product's slug is kept as it is, and the run says so."""
    slug = slugify("Gạo ST25")
    other = make_product("Gạo của người khác", slug=slug, price_vnd=50000)
    result = _load(runner)
    assert f"Left untouched (slug already used by other data): {slug}" in result.output
    assert "61 producers and 63 products created" in result.output
    assert db.session.scalars(sa.select(Product).where(Product.slug == slug)).one() == other
    images = db.session.scalars(sa.select(ProductImage).where(ProductImage.product_id == other.id)).all()
    assert (other.name, other.price_vnd, images) == ("Gạo của người khác", 50000, [])


def test_demo_barcodes_get_a_valid_check_digit():
    """ean13() completes 12 digits into a code the catalogue's validator accepts."""
    assert ean13("400638133393") == "4006381333931"
    assert is_valid_ean13(ean13("200000000003"))


def test_demo_pages_show_pictures_and_hide_the_hidden_products(runner, client):
    """A visitor sees a demo product with its generated picture; the two hidden products answer 404."""
    _load(runner)
    slug = slugify("Nước mắm Phú Quốc Khải Hoàn 40°N")
    page = client.get(f"/products/{slug}")
    assert page.status_code == 200
    picture_url = f"/media/demo/products/{slug}-1-4-5.webp"
    assert picture_url.encode() in page.data
    picture = client.get(picture_url)
    assert picture.status_code == 200 and picture.mimetype == "image/webp"
    for hidden in ("Mắm tôm chua Huế", "Bánh tráng phơi sương Trảng Bàng"):
        assert client.get(f"/products/{slugify(hidden)}").status_code == 404


def test_demo_statement_shows_voucher_discounts_by_who_bears_them(runner):
    """The illustrative statement has a voucher the producer bears (prepaid) and one OCOP Market bears (COD)."""
    _load(runner)
    statement = db.session.scalars(sa.select(Statement)).first()
    assert statement is not None
    assert statement.discounts_vnd > 0 and statement.platform_discounts_vnd > 0


def test_demo_orders_show_every_step_of_the_order_flow(runner):
    """The demo has sub-orders in each state a buyer or a producer meets (dữ liệu minh họa), the shipped one with an
    illustrative tracking link and the cancelled one with the buyer's reason."""
    from marketplace.orders.models import OrderEvent, ProducerOrder

    _load(runner)
    statuses = set(db.session.scalars(sa.select(ProducerOrder.status).distinct()))
    assert {"pending_payment", "placed", "paid", "confirmed", "ready_for_pickup", "shipped", "delivered",
            "cancelled", "refunded"} <= {str(status) for status in statuses}
    shipped = db.session.scalars(sa.select(ProducerOrder).where(ProducerOrder.status == "shipped")).all()
    assert any(po.tracking_url and po.tracking_url.startswith("https://example.org/") for po in shipped)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderEvent)
                             .where(OrderEvent.reason_code == "change_address")) == 1
