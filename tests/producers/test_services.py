"""The status tables of producers, products and certificates: every (from, to) pair is allowed or refused."""

import itertools

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog import certificates, products
from marketplace.catalog.models import CertificateStatus, ProductStatus
from marketplace.catalog.status import CERTIFICATE_TRANSITIONS, PRODUCT_TRANSITIONS
from marketplace.errors import DomainError
from marketplace.producers import verification
from marketplace.producers.models import VerificationStatus
from marketplace.producers.status import TRANSITIONS as VERIFICATION_TRANSITIONS
from marketplace.statemachine import InvalidTransition
from tests.factories import make_certificate, make_producer, make_product, make_user


@pytest.mark.parametrize(("old", "new"), list(itertools.product(VerificationStatus, VerificationStatus)))
def test_producer_verification_table(app, old, new):
    """change_verification allows exactly the pairs of VERIFICATION_TRANSITIONS."""
    producer = make_producer(verified=False)
    producer.verification_status = old
    allowed = new in VERIFICATION_TRANSITIONS.get(old, set())
    with app.test_request_context("/"):
        if allowed:
            verification.change_verification(producer, new, actor=None, reason="r")
            assert producer.verification_status == new
        else:
            with pytest.raises(InvalidTransition):
                verification.change_verification(producer, new, actor=None, reason="r")
            assert producer.verification_status == old


@pytest.mark.parametrize(("old", "new"), list(itertools.product(ProductStatus, ProductStatus)))
def test_product_status_table(app, old, new):
    """change_product_status allows exactly the pairs of PRODUCT_TRANSITIONS."""
    producer = make_producer()
    member = make_user(role=Role.PRODUCER, producer=producer)
    product = make_product(producer=producer, status=old, stars=None, stock=0)
    with app.test_request_context("/"):
        if new in PRODUCT_TRANSITIONS.get(old, set()):
            products.change_product_status(product, new, actor=member)
            assert product.status == new
        else:
            with pytest.raises(InvalidTransition):
                products.change_product_status(product, new, actor=member)
            assert product.status == old


@pytest.mark.parametrize(("old", "new"), list(itertools.product(CertificateStatus, CertificateStatus)))
def test_certificate_status_table(app, old, new):
    """Certificates move only submitted -> valid/rejected and valid -> revoked."""
    admin = make_user(role=Role.ADMIN)
    certificate = make_certificate(make_product(stars=None, stock=0), status=old)
    allowed = new in CERTIFICATE_TRANSITIONS.get(old, set())
    with app.test_request_context("/"):
        try:
            certificates.change_certificate_status(certificate, new, actor=admin, reason="reason")
        except DomainError:
            assert not allowed
            assert certificate.status == old
        else:
            assert allowed
            assert certificate.status == new
