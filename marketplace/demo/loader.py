"""Loads the illustrative demo catalogue. Idempotent: rows are keyed on slugs, and anything that already
exists is left exactly as it is, so running it again changes nothing."""

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace import geo, old_provinces
from marketplace.catalog import services as catalog_services
from marketplace.catalog.models import (
    Certificate,
    CertificateStatus,
    EvaluationKind,
    IssuingLevel,
    Product,
    ProductImage,
    ProductStatus,
)
from marketplace.dates import utcnow
from marketplace.demo import images
from marketplace.demo.catalogue import (
    FEATURED_ROWS,
    OUT_OF_STOCK_ROWS,
    PRODUCERS,
    PRODUCTS,
    ProducerRow,
    ProductRow,
)
from marketplace.demo.guests import load_guest_orders
from marketplace.demo.linkage import load_linkage
from marketplace.demo.orders import load_order_flow
from marketplace.demo.pickups import load_pickups
from marketplace.demo.promotions import load_promotions
from marketplace.demo.sales_history import load_sales_history
from marketplace.demo.showrooms import load_closes, load_pos_sales, load_showrooms
from marketplace.demo.signals import load_signals
from marketplace.demo.statements import load_statements
from marketplace.demo.trust import load_trust
from marketplace.demo.vouchers import load_vouchers
from marketplace.demo.wallets import load_wallet_orders
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerType, VerificationStatus
from marketplace.stock import services as stock_services
from marketplace.storage import Storage, get_storage
from marketplace.text import fold, folded_words, slugify

DESCRIPTION_SUFFIX = "(Dữ liệu minh họa)"
STORY_SUFFIX = ("Đây là hồ sơ minh họa của bản trình diễn OCOP Market: tên, địa chỉ, số điện thoại và câu chuyện "
                "đều là dữ liệu minh họa, không phải thông tin của một chủ thể OCOP có thật.")
#: Cities print "UBND thành phố ..." on their decisions; other provinces "UBND tỉnh ...".
CITIES = frozenset({"Hà Nội", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Hồ Chí Minh"})
MINISTRY = "Bộ Nông nghiệp và Môi trường"
PICTURE_SIZE, THUMB_SIZE = 800, 400


@dataclass
class LoadResult:
    producers_created: int = 0
    products_created: int = 0
    images_written: int = 0
    showrooms_created: int = 0
    pos_sales_created: int = 0
    till_closes_created: int = 0
    demand_signals_created: int = 0
    reviews_created: int = 0
    demand_requests_created: int = 0
    promotions_created: int = 0
    statements_created: int = 0
    history_entries_written: int = 0
    skipped: list[str] = field(default_factory=list)


def _number(seed: str, modulo: int) -> int:
    """A stable pseudo-random number from a text (the same on every run and machine)."""
    return zlib.crc32(seed.encode()) % modulo


def _ward_for(row: ProducerRow) -> geo.Place:
    communes = geo.wards(row.province_code)
    if row.ward_hint:
        for commune in communes:
            if fold(row.ward_hint) in fold(commune.name):
                return commune
    return communes[_number(row.slug, len(communes))]


def _story(row: ProducerRow, ward: geo.Place) -> str:
    place = f"{ward.name}, {geo.province_name(row.province_code)}"
    return f"{row.about}, tại {place}. {STORY_SUFFIX}"


def _old_province_code(row: ProducerRow) -> int | None:
    """The old province the row names (before July 2025), when it is one of the parts of its new province."""
    old = old_provinces.names_by_folded().get(folded_words(row.old_province))
    return old_provinces.derived_old_code(row.province_code, old.code if old else None)


def _create_producer(row: ProducerRow, serial: int) -> Producer:
    ward = _ward_for(row)
    producer = Producer(
        slug=row.slug, name=row.name, legal_name=row.name, type=ProducerType(row.type),
        registration_number=f"MH-{serial:04d}", representative=None,
        province_code=row.province_code, ward_code=ward.code, old_province_code=_old_province_code(row),
        address=f"Số {_number(row.slug + 'house', 180) + 1}, thôn {_number(row.slug, 9) + 1}, {ward.name}",
        phone=f"0900{serial:06d}", story=_story(row, ward), is_demo=True,
        verification_status=VerificationStatus.VERIFIED if row.verified else VerificationStatus.PENDING,
        verified_at=utcnow() if row.verified else None,
    )
    db.session.add(producer)
    db.session.flush()
    return producer


def ean13(body12: str) -> str:
    """Append the EAN-13 check digit to 12 digits: the one digit the catalogue's validator accepts."""
    return next(code for digit in "0123456789" if catalog_services.is_valid_ean13(code := body12 + digit))


def _decision_date(row: ProductRow, merged: bool) -> date:
    """Dates that keep every demo certificate valid until late 2026 or beyond.

    5-star decisions come from the renamed ministry (2025 on); certificates of provinces merged on
    1 July 2025 were signed before the merger.
    """
    if row.stars == 5:
        start, span = date(2025, 4, 1), (80 if merged else 540)
    else:
        start, span = date(2024, 1, 10), (530 if merged else 990)
    return start + timedelta(days=(row.row * 29) % span)


def _score(row: ProductRow) -> int:
    if row.potential_five_star:
        return 92
    low, width = {3: (50, 20), 4: (70, 20), 5: (90, 11)}[row.stars]
    return low + (row.row * 7) % width


def _certificate(row: ProductRow, product: Product, producer_row: ProducerRow) -> Certificate:
    merged = producer_row.old_province != geo.province_name(producer_row.province_code)
    if row.expired:
        decision_date = date(2022, 6, 20)
    else:
        decision_date = _decision_date(row, merged)
    old = producer_row.old_province
    if row.stars == 5:
        number, level, authority = f"{1800 + (row.row * 53) % 900}/QĐ-BNNMT", IssuingLevel.MINISTRY, MINISTRY
    else:
        kind = "thành phố" if old in CITIES else "tỉnh"
        number, level, authority = f"{100 + (row.row * 97) % 2900}/QĐ-UBND", IssuingLevel.PROVINCE, f"UBND {kind} {old}"
    return Certificate(
        product_id=product.id, star_level=row.stars, score=_score(row), decision_number=number,
        decision_date=decision_date, issuing_level=level, authority=authority, issuing_province_name=old,
        evaluation_kind=EvaluationKind.REEVALUATION if row.row % 4 == 0 else EvaluationKind.NEW,
        valid_until=catalog_services.default_valid_until(decision_date), status=CertificateStatus.VALID,
        is_potential_five_star=row.potential_five_star, verification_code=catalog_services.new_verification_code(),
        verified_at=utcnow(),
    )


def _picture_keys(row: ProductRow, slug: str) -> tuple[str, str]:
    """Keys named after what the picture shows (slug, group, stars), so a stored file never goes stale."""
    stem = f"demo/products/{slug}-{row.group_code.replace('.', '-')}-{row.stars}"
    return f"{stem}.webp", f"{stem}-thumb.webp"


def _write_pictures(storage: Storage, row: ProductRow, slug: str) -> int:
    """Draw and store the picture and thumbnail unless they are already stored; returns files written."""
    key, thumb_key = _picture_keys(row, slug)
    if storage.exists(key) and storage.exists(thumb_key):
        return 0
    picture = images.render_product_picture(row.name, row.stars, row.group_code, PICTURE_SIZE)
    storage.save(key, images.to_webp(picture), "image/webp")
    storage.save(thumb_key, images.to_webp(picture, THUMB_SIZE), "image/webp")
    return 2


def _create_product(row: ProductRow, producer: Producer, producer_row: ProducerRow, slug: str) -> Product:
    product = Product(
        producer=producer, slug=slug, name=row.name,
        description=f"{row.name}: {row.about} Sản phẩm OCOP {row.stars} sao của {producer.name}. {DESCRIPTION_SUFFIX}",
        group_code=row.group_code, set_code=row.set_code, unit=row.unit, price_vnd=row.price_vnd,
        status=ProductStatus.ACTIVE, sku=f"MH-{row.row:03d}",
        barcode=ean13(f"20{row.row:010d}") if row.row % 3 == 0 else None,
        is_featured=row.row in FEATURED_ROWS,
    )
    catalog_services.index_product(product)
    db.session.add(product)
    db.session.flush()
    db.session.add(_certificate(row, product, producer_row))
    db.session.flush()
    catalog_services.refresh_certification(product)
    key, thumb_key = _picture_keys(row, slug)
    db.session.add(ProductImage(
        product_id=product.id, position=0, storage_key=key, thumb_key=thumb_key, width=PICTURE_SIZE,
        height=PICTURE_SIZE, alt=f"{row.name} (ảnh minh họa)",
    ))
    if row.row not in OUT_OF_STOCK_ROWS:
        location = stock_services.warehouse_for(producer)
        stock_services.receive(product.id, location.id, 5 + (row.row * 37) % 150, reason="Dữ liệu minh họa: tồn kho ban đầu")
    db.session.flush()
    return product


def load_demo(storage: Storage | None = None) -> LoadResult:
    """Create whatever part of the demo catalogue is missing; flushes, the caller commits."""
    storage = storage or get_storage()
    result = LoadResult()
    producer_rows = {row.slug: row for row in PRODUCERS}
    # What already exists, in one query per table rather than one per row.
    producers = {producer.slug: producer for producer in db.session.scalars(
        sa.select(Producer).where(Producer.slug.in_(list(producer_rows))))}
    for serial, row in enumerate(PRODUCERS, start=1):
        if row.slug not in producers:
            producers[row.slug] = _create_producer(row, serial)
            result.producers_created += 1
        elif producers[row.slug].old_province_code is None:
            # A demo loaded before old provinces were kept: record it, and let search find the old name.
            producers[row.slug].old_province_code = _old_province_code(row)
            catalog_services.reindex_producer(producers[row.slug])
    slugs = [slugify(row.name) for row in PRODUCTS]
    existing = dict(db.session.execute(sa.select(Product.slug, Product.id).where(Product.slug.in_(slugs))).all())
    pictured = set(db.session.scalars(
        sa.select(ProductImage.product_id).where(ProductImage.product_id.in_(list(existing.values())))))
    for row, slug in zip(PRODUCTS, slugs, strict=True):
        if slug not in existing:
            product = _create_product(row, producers[row.producer], producer_rows[row.producer], slug)
            existing[slug] = product.id
            pictured.add(product.id)
            result.products_created += 1
        elif existing[slug] not in pictured:
            # Someone else's product with this slug, or a demo product whose pictures were removed: leave it.
            result.skipped.append(slug)
            continue
        result.images_written += _write_pictures(storage, row, slug)
    result.showrooms_created = load_showrooms()
    result.pos_sales_created = load_pos_sales()
    result.till_closes_created = load_closes()
    result.demand_signals_created = load_signals()
    load_pickups()
    load_wallet_orders()
    load_guest_orders()
    result.reviews_created = load_trust()
    load_order_flow()
    result.demand_requests_created = load_linkage()
    result.promotions_created = load_promotions()
    result.history_entries_written = load_sales_history()
    load_vouchers()
    result.statements_created = load_statements()
    return result
