"""What people read for each producer enum value, in both languages: one label function per enum."""

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from marketplace.producers.models import ProducerType
from marketplace.producers.status import VerificationStatus

#: How each kind of OCOP subject is named, with the abbreviation producers know from their papers.
TYPE_LABELS = {
    ProducerType.COOPERATIVE: _l("Cooperative (HTX)"),
    ProducerType.COOPERATIVE_GROUP: _l("Cooperative group (THT)"),
    ProducerType.ENTERPRISE: _l("Enterprise (DN)"),
    ProducerType.HOUSEHOLD: _l("Household business (HKD)"),
}
#: The same kinds as buyers read them.
PLAIN_TYPE_LABELS = {
    ProducerType.COOPERATIVE: _l("Cooperative"),
    ProducerType.COOPERATIVE_GROUP: _l("Cooperative group"),
    ProducerType.ENTERPRISE: _l("Enterprise"),
    ProducerType.HOUSEHOLD: _l("Household business"),
}


def producer_type_label(kind: ProducerType | str, *, abbreviation: bool = False) -> str:
    """"Household business", or with `abbreviation` "Household business (HKD)" (forms, back office)."""
    try:
        kind = ProducerType(kind)
    except ValueError:
        return str(kind)
    return str((TYPE_LABELS if abbreviation else PLAIN_TYPE_LABELS)[kind])


def verification_status_label(status: VerificationStatus | str) -> str:
    labels = {
        VerificationStatus.PENDING: pgettext("producer", "Waiting for verification"),
        VerificationStatus.VERIFIED: pgettext("producer", "Verified"),
        VerificationStatus.REJECTED: pgettext("producer", "Rejected"),
        VerificationStatus.SUSPENDED: pgettext("producer", "Suspended"),
    }
    try:
        return labels[VerificationStatus(status)]
    except ValueError:
        return str(status)
