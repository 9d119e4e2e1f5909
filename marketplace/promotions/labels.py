"""Labels of the promotion enums in the reader's language (one function per enum)."""

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from marketplace.promotions.models import SelectionKind
from marketplace.promotions.status import ParticipationStatus

SELECTION_LABELS = {
    SelectionKind.CHOSEN: _l("Products chosen by hand"),
    SelectionKind.RULE: _l("Every product matching a rule"),
}


def participation_status_label(status) -> str:
    """'pending' -> 'Chờ duyệt' etc."""
    labels = {
        ParticipationStatus.PENDING: pgettext("fair participation", "Waiting for approval"),
        ParticipationStatus.APPROVED: pgettext("fair participation", "Approved"),
        ParticipationStatus.DECLINED: pgettext("fair participation", "Declined"),
        ParticipationStatus.WITHDRAWN: pgettext("fair participation", "Withdrawn"),
    }
    try:
        return labels[ParticipationStatus(status)]
    except ValueError:
        return str(status)


def selection_kind_label(kind) -> str:
    try:
        return str(SELECTION_LABELS[SelectionKind(kind)])
    except ValueError:
        return str(kind)
