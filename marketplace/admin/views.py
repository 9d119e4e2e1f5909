"""The program office's screens: pending producers, submitted certificates, and their decisions."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from marketplace import geo
from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog import services_manage
from marketplace.catalog.models import Certificate, CertificateStatus, Product
from marketplace.catalog.views_manage import send_scan
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.producers import services as producer_services
from marketplace.producers.forms import ConfirmForm, ReasonForm
from marketplace.producers.models import Producer, VerificationStatus

bp = Blueprint("admin", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every screen here is for administrators only."""
    return None


@bp.get("/")
def index():
    """The dashboard: producers waiting for review and certificates waiting for verification."""
    return render_template("admin/index.html", pending=producer_services.pending_producers(),
                           certificates=services_manage.submitted_certificates(),
                           counts=_producer_counts())


def _producer_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Producer.verification_status, sa.func.count()).group_by(Producer.verification_status)
    ).all()
    found = {status.value: count for status, count in rows}
    return {status.value: found.get(status.value, 0) for status in VerificationStatus}


@bp.get("/producers")
def producer_list():
    """All producers, filtered by verification status."""
    status = request.args.get("status", "")
    statement = sa.select(Producer).order_by(Producer.name).limit(500)
    if status in {s.value for s in VerificationStatus}:
        statement = statement.where(Producer.verification_status == VerificationStatus(status))
    return render_template("admin/producer_list.html", producers=list(db.session.scalars(statement)), status=status,
                           statuses=[s.value for s in VerificationStatus])


@bp.get("/producers/<int:producer_id>")
def producer_detail(producer_id: int):
    """A producer's legal details, members and products, with the decision buttons."""
    producer = db.get_or_404(Producer, producer_id)
    products = services_manage.producer_products(producer.id)
    return render_template("admin/producer_detail.html", producer=producer, members=producer_services.members(producer),
                           ward=geo.ward(producer.ward_code),
                           products=products, reason_form=ReasonForm(), action_form=ConfirmForm(),
                           allowed=producer_services.VERIFICATION_TRANSITIONS.get(producer.verification_status, set()))


@bp.post("/producers/<int:producer_id>/<decision>")
def producer_decide(producer_id: int, decision: str):
    """Approve, reject (with a reason) or suspend (with a reason) a producer."""
    producer = db.get_or_404(Producer, producer_id)
    if decision not in ("approve", "reject", "suspend"):
        abort(404)
    form = ReasonForm() if decision != "approve" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Give the reason, so the producer can correct it."), "error")
        return redirect(url_for(".producer_detail", producer_id=producer.id))
    try:
        with db.session.begin_nested():
            _decide_producer(producer, decision, form)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_PRODUCER_MESSAGES[decision](producer.name), "success")
    return redirect(url_for(".producer_detail", producer_id=producer.id))


_PRODUCER_MESSAGES = {
    "approve": lambda name: _("%(name)s is verified.", name=name),
    "reject": lambda name: _("%(name)s was rejected; the reason was e-mailed.", name=name),
    "suspend": lambda name: _("%(name)s is suspended; the reason was e-mailed.", name=name),
}


def _decide_producer(producer: Producer, decision: str, form) -> None:
    if decision == "approve":
        producer_services.approve_producer(producer, actor=current_user)
    elif decision == "reject":
        producer_services.reject_producer(producer, actor=current_user, reason=form.reason.data)
    else:
        producer_services.suspend_producer(producer, actor=current_user, reason=form.reason.data)


@bp.get("/certificates")
def certificate_list():
    """Certificates by status (submitted first)."""
    status = request.args.get("status", CertificateStatus.SUBMITTED.value)
    # The product (and its producer, joined eagerly) comes with each row: the table names both.
    statement = (sa.select(Certificate).join(Product, Product.id == Certificate.product_id)
                 .options(contains_eager(Certificate.product))
                 .order_by(Certificate.created_at.desc()).limit(500))
    if status in {s.value for s in CertificateStatus}:
        statement = statement.where(Certificate.status == CertificateStatus(status))
    return render_template("admin/certificate_list.html", certificates=list(db.session.scalars(statement)),
                           status=status, statuses=[s.value for s in CertificateStatus],
                           status_label=services_manage.certificate_status_label)


@bp.get("/certificates/<int:certificate_id>")
def certificate_detail(certificate_id: int):
    """The details entered by the producer next to the scan, with verify, reject and revoke."""
    certificate = db.get_or_404(Certificate, certificate_id)
    return render_template("admin/certificate_detail.html", certificate=certificate, product=certificate.product,
                           producer=certificate.product.producer, reason_form=ReasonForm(), action_form=ConfirmForm(),
                           effective=certificate.effective_status(), status_label=services_manage.certificate_status_label,
                           allowed=services_manage.CERTIFICATE_TRANSITIONS.get(certificate.status, set()))


@bp.get("/certificates/<int:certificate_id>/scan")
def certificate_scan(certificate_id: int):
    """The uploaded scan (sandboxed, never run as a page)."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.scan_key:
        abort(404)
    return send_scan(certificate)


@bp.post("/certificates/<int:certificate_id>/<decision>")
def certificate_decide(certificate_id: int, decision: str):
    """Verify, reject (with a reason) or revoke (with a reason) a certificate."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if decision not in ("verify", "reject", "revoke"):
        abort(404)
    form = ReasonForm() if decision != "verify" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Give the reason."), "error")
        return redirect(url_for(".certificate_detail", certificate_id=certificate.id))
    try:
        with db.session.begin_nested():
            if decision == "verify":
                services_manage.verify_certificate(certificate, actor=current_user)
            elif decision == "reject":
                services_manage.reject_certificate(certificate, actor=current_user, reason=form.reason.data)
            else:
                services_manage.revoke_certificate(certificate, actor=current_user, reason=form.reason.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash({"verify": _("The certificate is verified."),
               "reject": _("The certificate was rejected; the reason was e-mailed."),
               "revoke": _("The certificate is revoked; the product lost its stars.")}[decision], "success")
    return redirect(url_for(".certificate_detail", certificate_id=certificate.id))
