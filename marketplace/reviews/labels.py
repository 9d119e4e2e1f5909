"""What a person reads for each review status (one label function for the enum)."""

from flask_babel import lazy_gettext as _l

from marketplace.reviews.status import ReviewStatus

STATUS_LABELS = {
    ReviewStatus.PUBLISHED: _l("Published"),
    ReviewStatus.HIDDEN: _l("Hidden by moderation"),
}


def review_status_label(status) -> str:
    return str(STATUS_LABELS.get(ReviewStatus(status), status))
