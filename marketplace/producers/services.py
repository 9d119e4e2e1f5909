"""Producer rules: sign-up, verification by the program office, shop profile and member invitations.

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

from marketplace import geo
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    find_user_by_email,
    hash_password,
    normalise_email,
)
from marketplace.catalog.images import process_image
from marketplace.database import unique_slug
from marketplace.dates import utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.mail import queue_mail
from marketplace.producers.models import Producer, ProducerInvitation, ProducerType, VerificationStatus
from marketplace.storage import check_key, get_storage
from marketplace.text import nfc
from marketplace.urls import external_url

#: Allowed changes of a producer's verification status (pending -> verified is the admin's approval).
VERIFICATION_TRANSITIONS: dict[VerificationStatus, set[VerificationStatus]] = {
    VerificationStatus.PENDING: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.REJECTED: {VerificationStatus.PENDING, VerificationStatus.VERIFIED},
    VerificationStatus.VERIFIED: {VerificationStatus.SUSPENDED},
    VerificationStatus.SUSPENDED: {VerificationStatus.VERIFIED},
}
#: Invitation links work for this long.
INVITATION_MAX_AGE_SECONDS = 14 * 24 * 3600
#: How long the link that finishes a producer's sign-up works.
JOIN_MAX_AGE_SECONDS = 24 * 3600


class InvalidTransition(DomainError):
    """The producer's verification status cannot change that way."""


class EmailTaken(DomainError):
    """An account with this e-mail address already exists."""


class InvalidInvitation(DomainError):
    """The invitation link is wrong, expired or already used."""


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


def check_password(password: str) -> None:
    """Refuse passwords that are too short or too long (the same rule as the consumer sign-up)."""
    if not PASSWORD_MIN_LENGTH <= len(password or "") <= PASSWORD_MAX_LENGTH:
        raise InvalidProducerData({"password": _("The password must have %(low)s to %(high)s characters.",
                                                 low=PASSWORD_MIN_LENGTH, high=PASSWORD_MAX_LENGTH)})


def check_legal_details(details: LegalDetails) -> None:
    """Refuse legal details that cannot be registered (InvalidProducerData), before any e-mail is sent."""
    _check_legal(details)


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


def _check_legal(details: LegalDetails) -> None:
    errors: dict[str, str] = {}
    if geo.province(details.province_code) is None:
        errors["province_code"] = _("Choose a province.")
    if details.ward_code is not None and not geo.is_ward_in_province(details.ward_code, details.province_code):
        errors["ward_code"] = _("This commune or ward is not in the chosen province.")
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
    if find_user_by_email(email) is not None:
        raise EmailTaken(_("An account with this e-mail address already exists."))
    check_password(password)
    _check_legal(details)
    producer = Producer(slug=unique_producer_slug(details.name), verification_status=VerificationStatus.PENDING,
                        shipping_fee_vnd=current_app.config["DEFAULT_SHIPPING_FEE_VND"], story="")
    _apply_legal(producer, details)
    db.session.add(producer)
    db.session.flush()
    user = User(email=email, full_name=nfc(full_name), phone=details.phone or None, role=Role.PRODUCER,
                producer_id=producer.id, preferred_language=language, password_hash=hash_password(password))
    _add_user(user)
    queue_mail(user.email, _l("Your shop is waiting for verification"), "producer_registered",
               language=language, user=user, producer=producer)
    return user


def _add_user(user: User) -> None:
    """Insert the account; a concurrent sign-up with the same address that won the race gives EmailTaken."""
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise EmailTaken(_("An account with this e-mail address already exists.")) from None


def _apply_legal(producer: Producer, details: LegalDetails) -> None:
    producer.name = nfc(details.name)
    producer.legal_name = nfc(details.legal_name)
    producer.type = details.type
    producer.registration_number = nfc(details.registration_number)
    producer.tax_code = nfc(details.tax_code) or None
    producer.representative = nfc(details.representative)
    producer.province_code = details.province_code
    producer.ward_code = details.ward_code
    producer.address = nfc(details.address)
    producer.phone = nfc(details.phone) or None
    producer.email = normalise_email(details.email) or None


def update_legal_details(producer: Producer, details: LegalDetails) -> None:
    """Correct the legal details; a rejected producer goes back to pending review, a verified one cannot change them."""
    if producer.verification_status not in (VerificationStatus.PENDING, VerificationStatus.REJECTED):
        raise InvalidTransition(_("Verified legal details can only be changed by the program office."))
    _check_legal(details)
    _apply_legal(producer, details)
    _reindex_products(producer)
    if producer.verification_status == VerificationStatus.REJECTED:
        change_verification(producer, VerificationStatus.PENDING, actor=None)
    db.session.flush()


def _reindex_products(producer: Producer) -> None:
    """The shop name and province are part of every product's search text."""
    from marketplace.catalog.models import Product
    from marketplace.catalog.services import index_product

    for product in db.session.scalars(sa.select(Product).where(Product.producer_id == producer.id)):
        index_product(product)


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


def change_verification(producer: Producer, new: VerificationStatus, *, actor: User | None,
                        reason: str | None = None) -> None:
    """The one place that changes verification_status; refuses changes not in VERIFICATION_TRANSITIONS."""
    if new not in VERIFICATION_TRANSITIONS.get(producer.verification_status, set()):
        raise InvalidTransition(_("This producer cannot go from %(old)s to %(new)s.",
                                  old=producer.verification_status.value, new=new.value))
    producer.verification_status = new
    if new == VerificationStatus.VERIFIED:
        producer.verified_at = utcnow()
        producer.rejection_reason = None
    elif new in (VerificationStatus.REJECTED, VerificationStatus.SUSPENDED):
        producer.rejection_reason = reason
    db.session.flush()


def approve_producer(producer: Producer, *, actor: User) -> None:
    """Verify a pending (or suspended) producer and tell its members."""
    change_verification(producer, VerificationStatus.VERIFIED, actor=actor)
    notify_members(producer, _l("Your shop on OCOP Market is verified"), "producer_approved")


def reject_producer(producer: Producer, *, actor: User, reason: str) -> None:
    """Reject a pending producer with a reason, e-mailed to its members."""
    _refuse(producer, VerificationStatus.REJECTED, reason, _l("Your shop on OCOP Market was not verified"), actor=actor)


def suspend_producer(producer: Producer, *, actor: User, reason: str) -> None:
    """Take a verified producer's products out of the catalogue, with a reason e-mailed to its members."""
    _refuse(producer, VerificationStatus.SUSPENDED, reason, _l("Your shop on OCOP Market is suspended"), actor=actor)


def _refuse(producer: Producer, new: VerificationStatus, reason: str, subject, *, actor: User) -> None:
    """Reject or suspend: a reason is required, and it is e-mailed to the members."""
    reason = nfc(reason)
    if not reason:
        raise InvalidProducerData({"reason": _("Give the reason, so the producer can correct it.")})
    change_verification(producer, new, actor=actor, reason=reason)
    notify_members(producer, subject, "producer_rejected", reason=reason)


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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="producer-invitation")


def invite_member(producer: Producer, email: str, *, actor: User) -> ProducerInvitation:
    """Invite someone to join the producer; e-mails them a signed link (or, when the address already has an
    account, a notice instead: the inviter sees the same either way)."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    invitation = ProducerInvitation(producer_id=producer.id, email=email, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    if existing is not None:
        # The inviter is told the same as for a new address; the owner learns why no link came.
        queue_mail(existing.email, _l("%(shop)s invited you on OCOP Market", shop=producer.name),
                   "invitation_account_exists", language=existing.preferred_language, producer=producer,
                   inviter=actor, user=existing)
        return invitation
    token = _serializer().dumps({"id": invitation.id, "email": email})
    queue_mail(email, _l("You are invited to manage %(shop)s on OCOP Market", shop=producer.name),
               "producer_invitation", language=actor.preferred_language, producer=producer, inviter=actor,
               accept_url=external_url("producers_manage.invitation_accept", token=token))
    return invitation


def invitation_from_token(token: str) -> ProducerInvitation:
    """The unused invitation a link stands for; raises InvalidInvitation otherwise."""
    try:
        payload = _serializer().loads(token, max_age=INVITATION_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise InvalidInvitation(_("This invitation has expired. Ask for a new one.")) from None
    except BadSignature:
        raise InvalidInvitation(_("This invitation link is not valid.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise InvalidInvitation(_("This invitation link is not valid."))
    invitation = db.session.get(ProducerInvitation, payload["id"])
    if invitation is None or invitation.email != payload.get("email"):
        raise InvalidInvitation(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("This invitation was already used."))
    return invitation


def accept_invitation(invitation: ProducerInvitation, *, full_name: str, password: str,
                      language: str = "vi") -> User:
    """Create the invited member's account (once)."""
    if invitation.accepted_at is not None:
        raise InvalidInvitation(_("This invitation was already used."))
    if find_user_by_email(invitation.email) is not None:
        raise EmailTaken(_("An account with this e-mail address already exists."))
    check_password(password)
    if not nfc(full_name):
        raise InvalidProducerData({"full_name": _("Your name is required.")})
    user = User(email=invitation.email, full_name=nfc(full_name), role=Role.PRODUCER,
                producer_id=invitation.producer_id, preferred_language=language,
                password_hash=hash_password(password))
    _add_user(user)
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    db.session.flush()
    return user


def pending_producers() -> list[Producer]:
    """Producers waiting for the program office, oldest first."""
    return list(db.session.scalars(
        sa.select(Producer).where(Producer.verification_status == VerificationStatus.PENDING)
        .order_by(Producer.created_at, Producer.id)
    ))


#: Expiry reminders are e-mailed this many days before a certificate's end of validity.
REMINDER_THRESHOLDS = (60, 14)


def send_certificate_reminders(today) -> list[tuple[int, int]]:
    """E-mail the members of producers whose valid certificates end within 60 or 14 days, once per threshold.

    Returns (certificate id, threshold) for each reminder sent. When a run was missed and both thresholds
    have passed, only the nearer one is sent and both are recorded.
    """
    from datetime import timedelta

    from marketplace.catalog.models import Certificate, CertificateStatus, Product
    from marketplace.producers.models import CertificateReminder

    horizon = today + timedelta(days=max(REMINDER_THRESHOLDS))
    # Each certificate with its product (and the product's producer, joined), then every reminder already
    # sent for them: two queries, not one more per certificate.
    rows = db.session.execute(
        sa.select(Certificate, Product).join(Product, Product.id == Certificate.product_id)
        .where(Certificate.status == CertificateStatus.VALID, Certificate.valid_until >= today,
               Certificate.valid_until <= horizon)
        .order_by(Certificate.valid_until, Certificate.id)
    ).all()
    done: dict[int, set[int]] = {}
    if rows:
        for certificate_id, days_before in db.session.execute(
                sa.select(CertificateReminder.certificate_id, CertificateReminder.days_before)
                .where(CertificateReminder.certificate_id.in_([certificate.id for certificate, _product in rows]))):
            done.setdefault(certificate_id, set()).add(days_before)
    sent: list[tuple[int, int]] = []
    for certificate, product in rows:
        days_left = (certificate.valid_until - today).days
        already = done.get(certificate.id, set())
        due = [threshold for threshold in REMINDER_THRESHOLDS if days_left <= threshold and threshold not in already]
        if not due:
            continue
        for threshold in due:
            db.session.add(CertificateReminder(certificate_id=certificate.id, days_before=threshold))
        nearest = min(due)
        notify_members(product.producer, _l("Your OCOP certificate ends in %(days)s days", days=days_left),
                       "certificate_expiring", certificate=certificate, product=product, days_left=days_left,
                       verify_url=external_url("catalog.certificate_verify", code=certificate.verification_code))
        sent.append((certificate.id, nearest))
    db.session.flush()
    return sent
