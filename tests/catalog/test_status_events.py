"""Every status machine of the catalogue and of producers: one writer, refusals, and an event row per change;
and their relationships never load implicitly."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.catalog import certificates, products
from marketplace.catalog.models import (
    AssistedListing,
    Certificate,
    CertificateEvent,
    Product,
    ProductEvent,
    ProductImage,
)
from marketplace.catalog.status import CertificateStatus, ProductStatus
from marketplace.extensions import db
from marketplace.producers import verification
from marketplace.producers.models import Producer, ProducerEvent, ProducerInvitation
from marketplace.producers.status import VerificationStatus
from marketplace.statemachine import InvalidTransition, StatusConflict
from tests.factories import make_certificate, make_producer, make_product, make_user


def test_approval_records_who_when_and_from_what(app):
    """change_verification no longer ignores its actor: an approval leaves an event row."""
    admin = make_user(role=Role.ADMIN)
    producer = make_producer(verified=False)
    with app.test_request_context("/"):
        verification.approve_producer(producer, actor=admin)
        verification.suspend_producer(producer, actor=admin, reason="Fake registration number")
    events = verification.verification_events(producer)
    assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in events] == [
        (VerificationStatus.PENDING, VerificationStatus.VERIFIED, admin.id, None),
        (VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED, admin.id, "Fake registration number"),
    ]
    assert all(e.at is not None for e in events)
    assert producer.verification_status == VerificationStatus.SUSPENDED
    assert producer.rejection_reason == "Fake registration number"


def test_refused_verification_change_writes_nothing(app):
    admin = make_user(role=Role.ADMIN)
    producer = make_producer(verified=False)
    with app.test_request_context("/"), pytest.raises(InvalidTransition):
        verification.suspend_producer(producer, actor=admin, reason="too early")
    assert producer.verification_status == VerificationStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProducerEvent)) == 0


def test_verification_compare_and_set_refuses_a_stale_status(app):
    """Two admins deciding at once: the second finds another status in the database and loses."""
    admin = make_user(role=Role.ADMIN)
    producer = make_producer(verified=False)
    # Another admin rejected it meanwhile; this session's copy still says "pending".
    db.session.execute(sa.update(Producer).where(Producer.id == producer.id)
                       .values(verification_status=VerificationStatus.REJECTED)
                       .execution_options(synchronize_session=False))
    with app.test_request_context("/"), pytest.raises(StatusConflict):
        verification.approve_producer(producer, actor=admin)
    assert producer.verification_status == VerificationStatus.REJECTED
    assert verification.verification_events(producer) == []


def test_corrected_details_send_a_rejected_producer_back_with_the_member_as_actor(app):
    producer = make_producer(verified=False)
    member = make_user(role=Role.PRODUCER, producer=producer)
    admin = make_user(role=Role.ADMIN)
    with app.test_request_context("/"):
        verification.reject_producer(producer, actor=admin, reason="Wrong tax code")
        verification.change_verification(producer, VerificationStatus.PENDING, actor=member, reason="corrected")
    last = verification.verification_events(producer)[-1]
    assert (last.from_status, last.to_status, last.actor_id) == (
        VerificationStatus.REJECTED, VerificationStatus.PENDING, member.id)


def test_product_status_change_records_an_event(app):
    producer = make_producer()
    member = make_user(role=Role.PRODUCER, producer=producer)
    product = make_product(producer=producer, status=ProductStatus.DRAFT, stars=None, stock=0)
    with app.test_request_context("/"):
        products.change_product_status(product, ProductStatus.ACTIVE, actor=member)
        products.change_product_status(product, ProductStatus.ARCHIVED, actor=member, reason="season over")
        with pytest.raises(InvalidTransition):
            products.change_product_status(product, ProductStatus.DRAFT, actor=member)
    events = products.product_events(product.id)
    assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in events] == [
        (ProductStatus.DRAFT, ProductStatus.ACTIVE, member.id, None),
        (ProductStatus.ACTIVE, ProductStatus.ARCHIVED, member.id, "season over"),
    ]
    assert db.session.get(ProductEvent, events[0].id).at is not None
    assert product.status == ProductStatus.ARCHIVED


def test_assisted_edit_takes_a_product_off_the_shelves_through_the_writer(app):
    """Staff editing an active listing archive it through change_product_status: the event names them."""
    producer = make_producer()
    admin = make_user(role=Role.ADMIN)
    product = make_product(producer=producer, status=ProductStatus.ACTIVE, stars=None, stock=0)
    raw = {"name": product.name, "description": "", "group_code": product.group_code, "set_code": "",
           "unit": product.unit, "price_vnd": product.price_vnd, "sku": product.sku, "barcode": ""}
    with app.test_request_context("/"):
        products.update_product(product, raw, actor=admin)
    assert product.status == ProductStatus.ARCHIVED
    (event,) = products.product_events(product.id)
    assert (event.from_status, event.to_status, event.actor_id) == (
        ProductStatus.ACTIVE, ProductStatus.ARCHIVED, admin.id)
    assert event.reason


def test_certificate_decisions_record_events_with_reason(app):
    admin = make_user(role=Role.ADMIN)
    certificate = make_certificate(make_product(stars=None, stock=0), status=CertificateStatus.SUBMITTED)
    with app.test_request_context("/"):
        certificates.verify_certificate(certificate, actor=admin)
        certificates.revoke_certificate(certificate, actor=admin, reason="Withdrawn by the province")
        with pytest.raises(InvalidTransition):
            certificates.verify_certificate(certificate, actor=admin)
    events = certificates.certificate_events(certificate.id)
    assert [(e.from_status, e.to_status, e.actor_id, e.reason) for e in events] == [
        (CertificateStatus.SUBMITTED, CertificateStatus.VALID, admin.id, None),
        (CertificateStatus.VALID, CertificateStatus.REVOKED, admin.id, "Withdrawn by the province"),
    ]
    assert certificate.status == CertificateStatus.REVOKED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateEvent)) == 2


def test_certificate_refusal_without_reason_writes_nothing(app):
    admin = make_user(role=Role.ADMIN)
    certificate = make_certificate(make_product(stars=None, stock=0), status=CertificateStatus.SUBMITTED)
    with app.test_request_context("/"), pytest.raises(certificates.InvalidCertificate):
        certificates.reject_certificate(certificate, actor=admin, reason="  ")
    assert certificate.status == CertificateStatus.SUBMITTED
    assert certificates.certificate_events(certificate.id) == []


@pytest.mark.parametrize("model", [Product, ProductImage, Certificate, AssistedListing, Producer, ProducerInvitation, User])
def test_relationships_never_load_implicitly(model):
    """Catalogue, producer and account relationships load only when a query asks (raise_on_sql otherwise)."""
    assert {rel.key: rel.lazy for rel in sa.inspect(model).relationships} == {
        rel.key: "raise_on_sql" for rel in sa.inspect(model).relationships}
