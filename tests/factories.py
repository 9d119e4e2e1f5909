"""Plain functions that make test data with sensible defaults (no hidden magic)."""

import itertools
from datetime import date, timedelta
from functools import cache

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password, normalise_email
from marketplace.catalog import services as catalog_services
from marketplace.catalog.models import Certificate, CertificateStatus, IssuingLevel, Product, ProductStatus
from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerType, VerificationStatus
from marketplace.stock import services as stock_services

_counter = itertools.count(1)
#: Scores inside each star band (Decision 148).
SCORE_FOR_STARS = {3: 60, 4: 80, 5: 95}
#: The password make_user gives every user unless told otherwise.
DEFAULT_PASSWORD = "correct horse battery"


def make_producer(name=None, *, verified=True, province_code=1, type=ProducerType.COOPERATIVE, **fields) -> Producer:
    n = next(_counter)
    name = name or f"Hợp tác xã Thử nghiệm {n}"
    producer = Producer(
        slug=fields.pop("slug", f"producer-{n}"), name=name, legal_name=fields.pop("legal_name", name), type=type,
        registration_number=fields.pop("registration_number", f"0100{n:06d}"), province_code=province_code,
        address=fields.pop("address", "Số 1, thôn Thử"),
        verification_status=VerificationStatus.VERIFIED if verified else VerificationStatus.PENDING,
        verified_at=utcnow() if verified else None, **fields,
    )
    db.session.add(producer)
    db.session.flush()
    return producer


def make_certificate(product: Product, *, stars=4, decision_date: date | None = None, valid_until: date | None = None,
                     status=CertificateStatus.VALID, potential_five=False, score=None) -> Certificate:
    decision_date = decision_date or today_vn() - timedelta(days=200)
    certificate = Certificate(
        product_id=product.id, star_level=stars, score=score or (92 if potential_five else SCORE_FOR_STARS[stars]),
        decision_number=f"{next(_counter)}/QĐ-UBND", decision_date=decision_date,
        issuing_level=IssuingLevel.MINISTRY if stars == 5 else IssuingLevel.PROVINCE,
        authority="UBND Thành phố Hà Nội" if stars < 5 else "Bộ Nông nghiệp và Môi trường",
        valid_until=valid_until or catalog_services.default_valid_until(decision_date),
        status=status, is_potential_five_star=potential_five,
        verification_code=catalog_services.new_verification_code(),
    )
    db.session.add(certificate)
    db.session.flush()
    catalog_services.refresh_certification(product)
    return certificate


def make_product(name=None, *, producer: Producer | None = None, price_vnd=125000, stars: int | None = 4, stock=10,
                 status=ProductStatus.ACTIVE, group_code="1.4", description="", **fields) -> Product:
    n = next(_counter)
    producer = producer or make_producer()
    name = name or f"Sản phẩm thử {n}"
    product = Product(
        producer=producer, slug=fields.pop("slug", f"product-{n}"), name=name, description=description,
        group_code=group_code, set_code=fields.pop("set_code", f"{group_code}.1"), unit=fields.pop("unit", "chai 500ml"),
        price_vnd=price_vnd, status=status, sku=fields.pop("sku", f"SKU-{n}"), **fields,
    )
    catalog_services.index_product(product)
    db.session.add(product)
    db.session.flush()
    if stars:
        make_certificate(product, stars=stars)
    if stock:
        location = stock_services.warehouse_for(producer)
        stock_services.receive(product.id, location.id, stock, reason="test stock")
    return product


@cache
def _password_hash(password: str) -> str:
    """The app's own scrypt hash, computed once per password for the whole run (each one takes ~70 ms)."""
    return hash_password(password)


def make_user(email=None, *, role=Role.CONSUMER, password=DEFAULT_PASSWORD, producer=None, **fields) -> User:
    n = next(_counter)
    user = User(
        email=normalise_email(email or f"user{n}@example.test"), full_name=fields.pop("full_name", f"Người dùng {n}"),
        password_hash=_password_hash(password), role=role,
        producer_id=producer.id if producer else fields.pop("producer_id", None), **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user
