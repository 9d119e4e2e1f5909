"""OCOP certificates: what a producer submits, the certificate status machine, and expiry reminders.

`change_certificate_status` is the one writer of Certificate.status (table in catalog.status,
compare-and-set, a CertificateEvent row for each change); verify, reject and revoke call it and e-mail the
producer's members.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import User
from marketplace.catalog.models import (
    Certificate,
    CertificateEvent,
    CertificateReminder,
    EvaluationKind,
    IssuingLevel,
    Product,
)
from marketplace.catalog.products import InvalidProduct
from marketplace.catalog.services import (
    SCORE_BANDS,
    default_valid_until,
    new_verification_code,
    refresh_certification,
)
from marketplace.catalog.status import CERTIFICATE_TRANSITIONS, CertificateStatus
from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db
from marketplace.images import UploadRefused, process_scan
from marketplace.inputs import parse_int
from marketplace.producers.services import notify_members
from marketplace.statemachine import StatusConflict, check_transition
from marketplace.storage import get_storage, new_key
from marketplace.text import nfc
from marketplace.urls import external_url

#: Expiry reminders are e-mailed this many days before a certificate's end of validity.
REMINDER_THRESHOLDS = (60, 14)


class InvalidCertificate(InvalidProduct):
    """Some certificate fields are wrong; `errors` maps field names to messages."""


@dataclass
class CertificateDetails:
    """Typed certificate fields, as cleaned by clean_certificate_fields."""

    star_level: int
    score: int
    is_potential_five_star: bool
    decision_number: str
    decision_date: date
    valid_until: date
    issuing_level: IssuingLevel
    authority: str
    issuing_province_name: str | None
    criteria_version: str
    evaluation_kind: EvaluationKind
    legacy_group: str | None


def _int(text, field: str, errors: dict, message: str) -> int | None:
    number = parse_int(text)
    if number is None:
        errors[field] = message
    return number


def clean_certificate_fields(raw: dict) -> CertificateDetails:
    """Typed certificate values; the score must fall in the star band of Decision 148."""
    errors: dict[str, str] = {}
    stars = _int(raw.get("star_level"), "star_level", errors, _("Choose 3, 4 or 5 stars."))
    if stars is not None and stars not in (3, 4, 5):
        errors["star_level"] = _("Only 3, 4 and 5-star products are recognised OCOP products.")
    score = _int(raw.get("score"), "score", errors, _("The score must be a whole number from 0 to 100."))
    potential = bool(raw.get("is_potential_five_star"))
    if score is not None and not 0 <= score <= 100:
        errors["score"] = _("The score must be a whole number from 0 to 100.")
    elif score is not None and stars in (3, 4, 5) and "star_level" not in errors:
        if potential and stars != 4:
            errors["is_potential_five_star"] = _("A potential 5-star product is shown with 4 stars.")
        elif potential and score < 90:
            errors["score"] = _("A potential 5-star product scored 90 or more.")
        elif not potential and score not in SCORE_BANDS[stars]:
            errors["score"] = _("A score of %(score)s does not give %(stars)s stars (3 stars: 50-69, 4 stars: "
                                "70-89, 5 stars: 90-100).", score=score, stars=stars)
    decision_number = nfc(raw.get("decision_number"))
    if not decision_number:
        errors["decision_number"] = _("The decision number is required (for example 1032/QĐ-UBND).")
    decision_date = raw.get("decision_date")
    if not isinstance(decision_date, date):
        errors["decision_date"] = _("Enter the date of the decision.")
    elif decision_date > today_vn():
        errors["decision_date"] = _("The decision date cannot be in the future.")
    valid_until = raw.get("valid_until")
    if isinstance(decision_date, date) and "decision_date" not in errors:
        if not isinstance(valid_until, date):
            valid_until = default_valid_until(decision_date)
        elif valid_until <= decision_date:
            errors["valid_until"] = _("The end of validity must come after the decision date.")
    try:
        level = IssuingLevel(raw.get("issuing_level"))
    except ValueError:
        errors["issuing_level"] = _("Choose who issued the decision.")
        level = None
    authority = nfc(raw.get("authority"))
    if not authority:
        errors["authority"] = _("The issuing authority is required (for example UBND tỉnh Kiên Giang).")
    try:
        kind = EvaluationKind(raw.get("evaluation_kind") or EvaluationKind.NEW.value)
    except ValueError:
        errors["evaluation_kind"] = _("Choose the kind of evaluation.")
        kind = None
    if errors:
        raise InvalidCertificate(errors)
    return CertificateDetails(
        star_level=stars, score=score, is_potential_five_star=potential, decision_number=decision_number[:60],
        decision_date=decision_date, valid_until=valid_until, issuing_level=level, authority=authority[:200],
        issuing_province_name=nfc(raw.get("issuing_province_name"))[:100] or None,
        criteria_version=nfc(raw.get("criteria_version"))[:40] or "148/QĐ-TTg", evaluation_kind=kind,
        legacy_group=nfc(raw.get("legacy_group"))[:120] or None,
    )


def submit_certificate(product: Product, details: CertificateDetails, scan: bytes | None) -> Certificate:
    """Record a certificate as "submitted", with its checked scan; an admin verifies it against the scan."""
    if not scan:
        raise InvalidCertificate({"scan": _("Upload the scan of the recognition decision (PDF or picture).")})
    try:
        processed = process_scan(scan)
    except UploadRefused as error:
        raise InvalidCertificate({"scan": error.message}) from None
    certificate = Certificate(product_id=product.id, status=CertificateStatus.SUBMITTED,
                              verification_code=new_verification_code(), **details.__dict__)
    db.session.add(certificate)
    db.session.flush()
    storage = get_storage()
    key = new_key(f"certificates/{certificate.id}", processed.extension)
    storage.save(key, processed.data, processed.content_type)
    certificate.scan_key = key
    try:
        db.session.flush()
    except Exception:
        storage.delete(key)
        raise
    return certificate


def change_certificate_status(certificate: Certificate, new: CertificateStatus, *, actor: User | None,
                              reason: str | None = None) -> CertificateEvent:
    """The one writer of Certificate.status: checks the table, compare-and-sets, records who and why, and
    refreshes the product's stars. Refusing or revoking needs a reason."""
    new = CertificateStatus(new)
    current = CertificateStatus(certificate.status)
    check_transition(CERTIFICATE_TRANSITIONS, current, new,
                     _("This certificate cannot change that way (it is %(status)s).",
                       status=certificate_status_label(certificate.effective_status())))
    if new in (CertificateStatus.REJECTED, CertificateStatus.REVOKED) and not nfc(reason):
        raise InvalidCertificate({"reason": _("Give the reason.")})
    now = utcnow()
    values: dict = {"status": new, "status_reason": nfc(reason) or None}
    if new == CertificateStatus.VALID:
        values.update(verified_at=now, verified_by_id=actor.id if actor else None)
    # Compare-and-set: of two concurrent deciders only one finds the old status and wins.
    result = db.session.execute(
        sa.update(Certificate).where(Certificate.id == certificate.id, Certificate.status == current)
        .values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(certificate)
        raise StatusConflict(_("This certificate was changed by someone else in the meantime. Please reload."))
    for key, value in values.items():
        set_committed_value(certificate, key, value)
    event = CertificateEvent(certificate_id=certificate.id, from_status=current, to_status=new, at=now,
                             actor_id=actor.id if actor else None, reason=nfc(reason) or None)
    db.session.add(event)
    db.session.flush()
    refresh_certification(_product(certificate))
    return event


def _product(certificate: Certificate) -> Product:
    """The certificate's product with its producer (read again: the caller may hold the product without it)."""
    return db.session.get(Product, certificate.product_id, options=[joinedload(Product.producer)],
                          populate_existing=True)


def _notify(certificate: Certificate, subject, template: str, **context) -> None:
    product = _product(certificate)
    notify_members(product.producer, subject, template, certificate=certificate, product=product, **context)


def verify_certificate(certificate: Certificate, *, actor: User) -> None:
    """The admin checked the scan: the certificate becomes valid and the product shows its stars."""
    change_certificate_status(certificate, CertificateStatus.VALID, actor=actor)
    _notify(certificate, _l("Your OCOP certificate is verified"), "certificate_verified")


def reject_certificate(certificate: Certificate, *, actor: User, reason: str) -> None:
    """The scan does not support the details entered: refused, with the reason e-mailed."""
    change_certificate_status(certificate, CertificateStatus.REJECTED, actor=actor, reason=reason)
    _notify(certificate, _l("Your OCOP certificate was not accepted"), "certificate_rejected", reason=reason)


def revoke_certificate(certificate: Certificate, *, actor: User, reason: str) -> None:
    """A valid certificate was withdrawn by the authority (or found false): the product loses its stars."""
    change_certificate_status(certificate, CertificateStatus.REVOKED, actor=actor, reason=reason)
    _notify(certificate, _l("Your OCOP certificate was revoked"), "certificate_revoked", reason=reason)


#: Who issued a certificate, as producers and buyers name it.
LEVEL_LABELS = {
    IssuingLevel.DISTRICT: _l("District People's Committee (before 07/2025)"),
    IssuingLevel.PROVINCE: _l("Province People's Committee"),
    IssuingLevel.MINISTRY: _l("Ministry (national 5-star)"),
}
#: Why the certificate was evaluated.
KIND_LABELS = {
    EvaluationKind.NEW: _l("First evaluation"),
    EvaluationKind.REEVALUATION: _l("Re-evaluation"),
    EvaluationKind.UPGRADE: _l("Upgrade"),
}


def issuing_level_label(level: IssuingLevel | str) -> str:
    try:
        return str(LEVEL_LABELS[IssuingLevel(level)])
    except ValueError:
        return str(level)


def evaluation_kind_label(kind: EvaluationKind | str) -> str:
    try:
        return str(KIND_LABELS[EvaluationKind(kind)])
    except ValueError:
        return str(kind)


def certificate_status_label(effective: str) -> str:
    """A certificate's effective status in the page language."""
    return {
        "submitted": _("waiting for verification"), "valid": _("valid"), "expired": _("expired"),
        "rejected": _("rejected"), "revoked": _("revoked"),
    }.get(effective, effective)


def product_certificates(product_id: int) -> list[Certificate]:
    """The product's certificates, latest decision first."""
    return list(db.session.scalars(
        sa.select(Certificate).where(Certificate.product_id == product_id)
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc())
    ))


def submitted_certificates() -> list[Certificate]:
    """Certificates waiting for the program office, oldest first, each with its product (and producer)."""
    return list(db.session.scalars(
        sa.select(Certificate).join(Product, Product.id == Certificate.product_id)
        .options(contains_eager(Certificate.product).joinedload(Product.producer))
        .where(Certificate.status == CertificateStatus.SUBMITTED)
        .order_by(Certificate.created_at, Certificate.id)
    ))


def expiring_certificates(producer_id: int, today: date, *, days: int) -> list[Certificate]:
    """The producer's valid certificates that end between today and `days` days from now, soonest first."""
    return list(db.session.scalars(
        sa.select(Certificate).join(Product, Product.id == Certificate.product_id)
        .where(Product.producer_id == producer_id, Certificate.status == CertificateStatus.VALID,
               Certificate.valid_until >= today, Certificate.valid_until <= today + timedelta(days=days))
        .order_by(Certificate.valid_until)
    ))


def certificate_events(certificate_id: int) -> list[CertificateEvent]:
    """The certificate's status history, oldest first."""
    return list(db.session.scalars(
        sa.select(CertificateEvent).where(CertificateEvent.certificate_id == certificate_id)
        .order_by(CertificateEvent.id)
    ))


def send_certificate_reminders(today: date) -> list[tuple[int, int]]:
    """E-mail the members of producers whose valid certificates end within 60 or 14 days, once per threshold.

    Returns (certificate id, threshold) for each reminder sent. When a run was missed and both thresholds
    have passed, only the nearer one is sent and both are recorded.
    """
    horizon = today + timedelta(days=max(REMINDER_THRESHOLDS))
    # Each certificate with its product (and the product's producer, joined), then every reminder already
    # sent for them: two queries, not one more per certificate.
    rows = db.session.execute(
        sa.select(Certificate, Product).join(Product, Product.id == Certificate.product_id)
        .options(joinedload(Product.producer))
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
