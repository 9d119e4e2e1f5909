"""Accounts: registration, authentication, passwords and reset tokens.

Functions take explicit arguments, flush and never commit; refusals raise DomainError subclasses.
"""

import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import Role, User, new_session_token
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.text import nfc

PASSWORD_MIN_LENGTH = 8
#: scrypt on megabytes of input would be a cheap denial of service, so passwords are capped.
PASSWORD_MAX_LENGTH = 128
NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
#: How long a password reset link works.
RESET_TOKEN_MAX_AGE_SECONDS = 3600
_RESET_SALT = "accounts.password-reset"
#: How long the link that finishes a sign-up works (the account exists only once it is followed).
SIGNUP_TOKEN_MAX_AGE_SECONDS = 24 * 3600
_SIGNUP_SALT = "accounts.signup"
#: Accounts a browser remembers having signed in to (for the per-account login limit).
KNOWN_BROWSER_ACCOUNTS = 5
#: Checked against when the e-mail is unknown, so a wrong address costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")
#: The password hash of a guest account: not a hash werkzeug can match, so no password logs it in.
GUEST_PASSWORD_HASH = "!guest"  # noqa: S105 a marker, not a password


class EmailTaken(DomainError):
    """Another account already uses this e-mail address."""


class WrongPassword(DomainError):
    """The current password given does not match."""


class InvalidResetToken(DomainError):
    """The reset link is forged, expired, or was already used."""


class InvalidSignupToken(DomainError):
    """The sign-up link is forged or expired."""


def normalise_email(value: str | None) -> str:
    """The stored form of an e-mail address: NFC, trimmed, lower-case."""
    return nfc(value).lower()


def hash_password(password: str) -> str:
    """A scrypt hash (werkzeug) of the password."""
    return generate_password_hash(password, method="scrypt")


def find_user_by_email(email: str) -> User | None:
    """The account with this e-mail (any letter case), or None."""
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def register_user(full_name: str, email: str, password: str, *, language: str = "vi",
                  role: Role = Role.CONSUMER) -> User:
    """Create an account; raises EmailTaken when the address is in use.

    A guest account with this e-mail (made when its owner bought without an account) becomes the account,
    with its orders: the caller has checked that the person owns the mailbox (the e-mailed sign-up link).
    """
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None and existing.is_guest:
        existing.full_name = nfc(full_name)
        existing.role = role
        existing.preferred_language = language if language in ("vi", "en") else "vi"
        set_password(existing, password)
        return existing
    if existing is not None:
        raise EmailTaken("An account with this e-mail already exists.")
    user = User(email=email, full_name=nfc(full_name), password_hash=hash_password(password), role=role,
                preferred_language=language if language in ("vi", "en") else "vi")
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # a concurrent sign-up with the same address won the race
        raise EmailTaken("An account with this e-mail already exists.") from error
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (in about the same time either way)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if user.is_guest or not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def guest_account(email: str, *, full_name: str, phone: str | None, language: str = "vi") -> User:
    """The account a shopper buying without one orders under: the account with this e-mail if there is one
    (guest or not, so the answer never tells whether the address has an account), else a new guest account,
    which has no password and cannot log in."""
    email = normalise_email(email)
    user = find_user_by_email(email)
    if user is not None:
        return user
    user = User(email=email, full_name=nfc(full_name), phone=phone, password_hash=GUEST_PASSWORD_HASH,
                is_guest=True, role=Role.CONSUMER, preferred_language=language if language in ("vi", "en") else "vi")
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a concurrent checkout with the same address made it first
        user = find_user_by_email(email)
        if user is None:
            raise
    return user


def known_browser_mark(email: str, secret_key: str) -> str:
    """What a browser that signed in to this account keeps: a keyed digest of the address (not the address)."""
    message = b"known-browser:" + normalise_email(email).encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def is_known_browser(cookie: str, email: str, secret_key: str) -> bool:
    """True when the cookie holds this account's mark."""
    mark = known_browser_mark(email, secret_key)
    return any(hmac.compare_digest(item, mark) for item in (cookie or "").split(".")[:KNOWN_BROWSER_ACCOUNTS])


def add_known_browser(cookie: str, email: str, secret_key: str) -> str:
    """The cookie with this account's mark added (the newest few accounts are kept)."""
    mark = known_browser_mark(email, secret_key)
    kept = [item for item in (cookie or "").split(".")[:KNOWN_BROWSER_ACCOUNTS] if item and item != mark]
    return ".".join([mark, *kept][:KNOWN_BROWSER_ACCOUNTS])


def record_login(user: User) -> None:
    """Remember when the user last signed in."""
    user.last_login_at = utcnow()
    db.session.flush()


def rotate_session_token(user: User) -> None:
    """Give the user a new session token: every session and remember cookie issued before stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Store a new password hash and sign every existing session out (a guest account becomes an ordinary
    one: a reset link e-mailed to it proves its owner has the mailbox)."""
    user.password_hash = hash_password(password)
    user.is_guest = False
    rotate_session_token(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password after checking the current one; raises WrongPassword."""
    if not check_password_hash(user.password_hash, current_password):
        raise WrongPassword("The current password is not correct.")
    set_password(user, new_password)


def _password_fingerprint(user: User) -> str:
    # Binds a reset token to the password it resets: once the password changes the token is dead.
    # A digest, because the token is only signed, not encrypted, and must not carry the hash itself.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _reset_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)


def make_reset_token(user: User, secret_key: str) -> str:
    """A signed, time-stamped token for the reset link (works once: it names the current password)."""
    return _reset_serializer(secret_key).dumps({"user": user.id, "password": _password_fingerprint(user)})


def user_for_reset_token(token: str, secret_key: str, max_age: int = RESET_TOKEN_MAX_AGE_SECONDS) -> User:
    """The user a reset token was made for; raises InvalidResetToken if forged, expired or already used."""
    try:
        data = _reset_serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidResetToken("This reset link has expired.", reason="expired") from error
    except BadSignature as error:
        raise InvalidResetToken("This reset link is not valid.", reason="invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        raise InvalidResetToken("This reset link is not valid.", reason="invalid")
    user = db.session.get(User, data["user"])
    if user is None or not user.is_active:
        raise InvalidResetToken("This reset link is not valid.", reason="invalid")
    if not hmac.compare_digest(str(data.get("password", "")), _password_fingerprint(user)):
        raise InvalidResetToken("This reset link was already used.", reason="used")
    return user


def make_signup_token(full_name: str, email: str, language: str, secret_key: str, next_url: str = "") -> str:
    """A signed, time-stamped token for the link that finishes a sign-up (who asked, in which language).

    Sign-up answers the same whether or not the address has an account: the account is created only when
    the owner of the mailbox follows this link, so the page never tells anyone which addresses are taken.
    """
    return URLSafeTimedSerializer(secret_key, salt=_SIGNUP_SALT).dumps(
        {"name": nfc(full_name), "email": normalise_email(email), "lang": language, "next": next_url})


def signup_from_token(token: str, secret_key: str, max_age: int = SIGNUP_TOKEN_MAX_AGE_SECONDS) -> dict:
    """The sign-up a link stands for ({name, email, lang, next}); raises InvalidSignupToken."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_SIGNUP_SALT).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidSignupToken("This sign-up link has expired.", reason="expired") from error
    except BadSignature as error:
        raise InvalidSignupToken("This sign-up link is not valid.", reason="invalid") from error
    if not isinstance(data, dict) or not all(isinstance(data.get(key), str) for key in ("name", "email", "lang")):
        raise InvalidSignupToken("This sign-up link is not valid.", reason="invalid")
    return data


def create_admin(email: str, full_name: str, password: str) -> User:
    """Create an administrator account, or promote the existing account with that e-mail."""
    user = find_user_by_email(email)
    if user is None:
        return register_user(full_name, email, password, role=Role.ADMIN)
    user.role = Role.ADMIN
    user.full_name = nfc(full_name) or user.full_name
    user.producer_id = None
    user.location_id = None
    set_password(user, password)
    return user
