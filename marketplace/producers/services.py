"""Producer rules: sign-up, legal details, members and the shop profile.

Verification by the program office is in producers.verification, member invitations in producers.invitations.

Services take explicit actors and flush; the caller commits once (mail queued here leaves after that commit).
"""

import secrets
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from marketplace import geo, old_provinces
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    find_user_by_email,
    hash_password,
    normalise_email,
    set_password,
)
from marketplace.database import unique_slug
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.images import process_image
from marketplace.invitations import InvalidInvitation
from marketplace.mail import queue_mail
from marketplace.producers.models import Producer, ProducerType, VerificationStatus
from marketplace.storage import check_key, get_storage
from marketplace.text import nfc

#: How long the link that finishes a producer's sign-up works.
JOIN_MAX_AGE_SECONDS = 24 * 3600


class EmailTaken(DomainError):
    """An account with this e-mail address already exists."""


class InvalidProducerData(DomainError):
    """Some fields are wrong; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please correct the highlighted fields."), errors=errors)
        self.errors = errors


@dataclass
class LegalDetails:
    """What a producer declares when it signs up (and may correct while pending or rejected)."""

    name: str
    legal_name: str
    type: ProducerType
    registration_number: str
    tax_code: str | None
    representative: str
    province_code: int
    ward_code: int | None
    address: str
    phone: str
    email: str | None
    #: The province before July 2025, chosen at sign-up among the parts of a merged province (None: not
    #: chosen, or keep the producer's choice).
    old_province_code: int | None = None


def check_password(password: str) -> None:
    """Refuse passwords that are too short or too long (the same rule as the consumer sign-up)."""
    if not PASSWORD_MIN_LENGTH <= len(password or "") <= PASSWORD_MAX_LENGTH:
        raise InvalidProducerData({"password": _("The password must have %(low)s to %(high)s characters.",
                                                 low=PASSWORD_MIN_LENGTH, high=PASSWORD_MAX_LENGTH)})


def _join_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="producer-join")


def make_join_token(details: LegalDetails, *, email: str, full_name: str, language: str) -> str:
    """A signed link token holding a producer's sign-up (no password): the shop and its first account are
    created only when the owner of the address follows it, so the join form never tells which are taken."""
    payload = asdict(details)
    payload.update(type=ProducerType(details.type).value, login=normalise_email(email), full_name=nfc(full_name),
                   language=language)
    return _join_serializer().dumps(payload)


def join_from_token(token: str) -> tuple[LegalDetails, dict]:
    """The legal details and the account ({login, full_name, language}) a join link stands for."""
    try:
        payload = _join_serializer().loads(token, max_age=JOIN_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise InvalidInvitation(_("This link has expired. Register your shop again.")) from None
    except BadSignature:
        raise InvalidInvitation(_("This link is not valid. Register your shop again.")) from None
    try:
        account = {key: payload.pop(key) for key in ("login", "full_name", "language")}
        payload["type"] = ProducerType(payload["type"])
        return LegalDetails(**payload), account
    except (AttributeError, KeyError, TypeError, ValueError):
        raise InvalidInvitation(_("This link is not valid. Register your shop again.")) from None


def check_legal_details(details: LegalDetails) -> None:
    """Refuse a province, commune or registration number that cannot be right."""
    errors: dict[str, str] = {}
    if geo.province(details.province_code) is None:
        errors["province_code"] = _("Choose a province.")
    if details.ward_code is not None and not geo.is_ward_in_province(details.ward_code, details.province_code):
        errors["ward_code"] = _("This commune or ward is not in the chosen province.")
    if details.old_province_code is not None and not any(
            part.code == details.old_province_code for part in old_provinces.parts_of(details.province_code)):
        errors["old_province_code"] = _("Choose one of the provinces that merged into yours.")
    if not details.registration_number.strip():
        errors["registration_number"] = _("The registration number is required.")
    if errors:
        raise InvalidProducerData(errors)


def unique_producer_slug(name: str) -> str:
    """A shop slug from the name, with a number added when taken."""
    return unique_slug(db.session, Producer.slug, name, max_length=100)


def register_producer(details: LegalDetails, *, email: str, password: str, full_name: str,
                      language: str = "vi") -> User:
    """Create a pending producer and its first member account in one unit of work; returns the user."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None and not existing.is_guest:
        raise EmailTaken(_("An account with this e-mail address already exists."))
    check_password(password)
    check_legal_details(details)
    producer = Producer(slug=unique_producer_slug(details.name), verification_status=VerificationStatus.PENDING,
                        shipping_fee_vnd=current_app.config["DEFAULT_SHIPPING_FEE_VND"], story="")
    apply_legal_details(producer, details)
    db.session.add(producer)
    db.session.flush()
    if existing is not None:
        # The address bought without an account before: that guest account becomes the member, orders kept.
        user = existing
        user.full_name, user.phone, user.role = nfc(full_name), details.phone or None, Role.PRODUCER
        user.producer_id, user.preferred_language = producer.id, language
        set_password(user, password)
    else:
        user = User(email=email, full_name=nfc(full_name), phone=details.phone or None, role=Role.PRODUCER,
                    producer_id=producer.id, preferred_language=language, password_hash=hash_password(password))
        add_member_account(user)
    queue_mail(user.email, _l("Your shop is waiting for verification"), "producer_registered",
               language=language, user=user, producer=producer)
    return user


def add_member_account(user: User) -> None:
    """Insert the account; a concurrent sign-up with the same address that won the race gives EmailTaken."""
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise EmailTaken(_("An account with this e-mail address already exists.")) from None


def apply_legal_details(producer: Producer, details: LegalDetails) -> None:
    """Copy the declared details onto the producer (NFC text, normalised e-mail)."""
    producer.name = nfc(details.name)
    producer.legal_name = nfc(details.legal_name)
    producer.type = details.type
    producer.registration_number = nfc(details.registration_number)
    producer.tax_code = nfc(details.tax_code) or None
    producer.representative = nfc(details.representative)
    producer.province_code = details.province_code
    producer.ward_code = details.ward_code
    # The old province follows from a province that did not merge; a merged one keeps the producer's choice
    # while it is still one of its parts.
    chosen = details.old_province_code if details.old_province_code is not None else producer.old_province_code
    producer.old_province_code = old_provinces.derived_old_code(details.province_code, chosen)
    producer.address = nfc(details.address)
    producer.phone = nfc(details.phone) or None
    producer.email = normalise_email(details.email) or None


def find_producers(query: str, *, limit: int = 100) -> list[Producer]:
    """Producers by name, or whose name or registration number contains `query`."""
    statement = sa.select(Producer).order_by(Producer.name).limit(limit)
    if query:
        statement = statement.where(Producer.name.ilike(f"%{query}%") | Producer.registration_number.ilike(f"%{query}%"))
    return list(db.session.scalars(statement))


def members(producer: Producer) -> list[User]:
    """The accounts of this producer's members."""
    return list(db.session.scalars(
        sa.select(User).where(User.producer_id == producer.id, User.role == Role.PRODUCER).order_by(User.id)
    ))


def member_addresses(producer: Producer) -> list[tuple[str, str]]:
    """(e-mail, language) of the active members, plus the shop's contact address when it is not a member's."""
    found = [(user.email, user.preferred_language) for user in members(producer) if user.is_active]
    if producer.email and producer.email not in {email for email, _lang in found}:
        found.append((producer.email, "vi"))
    return found


def notify_members(producer: Producer, subject, template: str, **context) -> None:
    """Queue the same message (each in the member's language) to every member of the producer."""
    for email, language in member_addresses(producer):
        queue_mail(email, subject, template, language=language, producer=producer, **context)


def update_profile(producer: Producer, *, story: str, phone: str | None, email: str | None,
                   shipping_fee_vnd: int, free_shipping_threshold_vnd: int | None) -> None:
    """Change the shop profile. The story is plain text (shown escaped, line breaks kept)."""
    errors: dict[str, str] = {}
    if shipping_fee_vnd < 0:
        errors["shipping_fee_vnd"] = _("The shipping fee cannot be negative.")
    if free_shipping_threshold_vnd is not None and free_shipping_threshold_vnd < 0:
        errors["free_shipping_threshold_vnd"] = _("The threshold cannot be negative.")
    if errors:
        raise InvalidProducerData(errors)
    producer.story = nfc(story)
    producer.phone = nfc(phone) or None
    producer.email = normalise_email(email) or None
    producer.shipping_fee_vnd = shipping_fee_vnd
    producer.free_shipping_threshold_vnd = free_shipping_threshold_vnd
    db.session.flush()


def set_old_province(producer: Producer, old_province_code: int | None) -> bool:
    """Record which old province (before July 2025) the shop is in; True when it changed.

    Only one of the old provinces that merged into the shop's province is accepted (marketplace.old_provinces);
    for a province that did not merge the old one is derived and the choice is ignored.
    """
    parts = old_provinces.parts_of(producer.province_code)
    if len(parts) == 1:
        code = parts[0].code
    elif old_province_code is None:
        code = None
    elif any(part.code == old_province_code for part in parts):
        code = old_province_code
    else:
        raise InvalidProducerData({"old_province_code": _("Choose one of the provinces that merged into yours.")})
    changed = code != producer.old_province_code
    producer.old_province_code = code
    db.session.flush()
    return changed


def set_shop_picture(producer: Producer, which: str, data: bytes) -> tuple[str, str | None]:
    """Replace the logo or cover with a checked, re-encoded picture.

    Returns (new key, old key): the caller deletes the old file after its commit, or the new one if it rolls back.
    """
    if which not in ("logo", "cover"):
        raise ValueError(which)
    processed = process_image(data)
    key = check_key(f"producers/{producer.id}/{which}_{secrets.token_urlsafe(12)}.webp")
    storage = get_storage()
    storage.save(key, processed.thumb if which == "logo" else processed.data, "image/webp")
    old = getattr(producer, f"{which}_key")
    setattr(producer, f"{which}_key", key)
    try:
        db.session.flush()
    except Exception:
        storage.delete(key)
        raise
    return key, old
