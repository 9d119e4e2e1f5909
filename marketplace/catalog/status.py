"""The product and certificate machines as data: which status may follow which. Pure, no database."""

from enum import StrEnum


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class CertificateStatus(StrEnum):
    """Stored states. "Expired" is not stored: it follows from valid_until (see Certificate.effective_status)."""

    SUBMITTED = "submitted"
    VALID = "valid"
    REJECTED = "rejected"
    REVOKED = "revoked"


P = ProductStatus
C = CertificateStatus

#: draft -> active -> archived; an archived product may come back. A product never returns to draft,
#: so "still a draft" means "never published", which is when its slug may still follow its name.
PRODUCT_TRANSITIONS: dict[ProductStatus, frozenset[ProductStatus]] = {
    P.DRAFT: frozenset({P.ACTIVE, P.ARCHIVED}),
    P.ACTIVE: frozenset({P.ARCHIVED}),
    P.ARCHIVED: frozenset({P.ACTIVE}),
}
#: The program office verifies or rejects a submitted certificate, and may revoke a valid one.
CERTIFICATE_TRANSITIONS: dict[CertificateStatus, frozenset[CertificateStatus]] = {
    C.SUBMITTED: frozenset({C.VALID, C.REJECTED}),
    C.VALID: frozenset({C.REVOKED}),
    C.REJECTED: frozenset(),
    C.REVOKED: frozenset(),
}
