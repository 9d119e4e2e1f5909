"""Forms of reviews: the shape of the input (the rules live in reviews.services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectChoice, TextAreaField

RATING_CHOICES = [SelectChoice("5", _l("5 – Excellent")), SelectChoice("4", _l("4 – Good")),
                  SelectChoice("3", _l("3 – Fair")), SelectChoice("2", _l("2 – Poor")),
                  SelectChoice("1", _l("1 – Very poor"))]


class ReviewForm(FlaskForm):
    # validate_choice off: an unknown rating gets the service's own message, not the form library's.
    rating = RadioField(_l("Your rating"), choices=RATING_CHOICES, validate_choice=False)
    body = TextAreaField(_l("Your review (optional)"))
    photos = MultipleFileField(_l("Photos (optional, up to 4: JPEG, PNG or WebP)"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply (shown publicly under the review; you can reply once)"))


class ModerationForm(FlaskForm):
    reason = TextAreaField(_l("Reason (kept in the review's history)"))
