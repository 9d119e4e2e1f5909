"""Sign-up, login and password forms (Flask-WTF: every one carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from marketplace.accounts.services import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    normalise_email,
)
from marketplace.text import nfc

_BAD_EMAIL = _l("Enter a valid e-mail address, like name@example.com.")


def _looks_like_email(form, field) -> None:
    """Enough to look an account up: one @ with something either side (full checks happen at sign-up)."""
    local, at, domain = (field.data or "").rpartition("@")
    if not (local and at and domain) or any(ch.isspace() for ch in field.data):
        raise ValidationError(_BAD_EMAIL)


def _email_field(*, strict: bool = False):
    """The e-mail field; strict (sign-up) checks the address fully with email-validator, offline."""
    check = Email(_BAD_EMAIL, granular_message=False, check_deliverability=False) if strict else _looks_like_email
    return EmailField(
        _l("E-mail"),
        filters=[normalise_email],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=EMAIL_MAX_LENGTH, message=_l("The e-mail address is too long.")),
            check,
        ],
        render_kw={"maxlength": EMAIL_MAX_LENGTH, "autocomplete": "email"},
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Enter a password.")),
            Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
                   message=_l("The password must be %(min)d to %(max)d characters long.",
                              min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)),
        ],
        render_kw={"minlength": PASSWORD_MIN_LENGTH, "maxlength": PASSWORD_MAX_LENGTH, "autocomplete": "new-password"},
    )


def _confirm_field(other: str):
    return PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(_l("Repeat the password.")),
                    EqualTo(other, message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class SignupForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[nfc],
        validators=[DataRequired(_l("Enter your name.")),
                    Length(max=NAME_MAX_LENGTH, message=_l("The name is too long (at most %(max)d characters).",
                                                           max=NAME_MAX_LENGTH))],
        render_kw={"maxlength": NAME_MAX_LENGTH, "autocomplete": "name"},
    )
    email = _email_field(strict=True)
    next = HiddenField()


class SignupPasswordForm(FlaskForm):
    """The second step of sign-up, reached from the e-mailed link: choose the password."""

    password = _new_password_field(_l("Password"))
    confirm = _confirm_field("password")


def _current_password_field(label, required_message) -> PasswordField:
    """A field for a password the user already has (login, confirming a change)."""
    return PasswordField(
        label,
        validators=[InputRequired(required_message),
                    Length(max=PASSWORD_MAX_LENGTH, message=_l("The password is too long."))],
        render_kw={"autocomplete": "current-password"},
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = _current_password_field(_l("Password"), _l("Enter your password."))
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field("password")


class ChangePasswordForm(FlaskForm):
    current_password = _current_password_field(_l("Current password"), _l("Enter your current password."))
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field("password")


class LogoutForm(FlaskForm):
    """No fields: it exists for its CSRF token."""
