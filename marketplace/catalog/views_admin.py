"""The program office's certificate screens under /admin/certificates: the list by status, each
certificate's details next to its scan, and the decisions (verify, reject or revoke with a reason)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog import certificates as certs
from marketplace.catalog.models import Certificate, CertificateStatus, Product
from marketplace.catalog.status import CERTIFICATE_TRANSITIONS
from marketplace.catalog.views_manage.certificates import send_scan
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.producers.forms import ConfirmForm, ReasonForm

bp = Blueprint("catalog_admin", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every screen here is for administrators only."""
    return None


#: The filters of the list: the effective statuses, "expired" included (a stored "valid" past its end date).
CERTIFICATE_FILTERS = ("submitted", "valid", "expired", "rejected", "revoked")


@bp.get("/certificates")
def certificate_list():
    """Certificates by effective status (submitted first): "valid" lists only those still in force today,
    "expired" those whose validity has ended."""
    status = request.args.get("status", CertificateStatus.SUBMITTED.value)
    if status not in CERTIFICATE_FILTERS:
        status = CertificateStatus.SUBMITTED.value
    # The product (and its producer, joined eagerly) comes with each row: the table names both.
    statement = (sa.select(Certificate).join(Product, Product.id == Certificate.product_id)
                 .options(contains_eager(Certificate.product).joinedload(Product.producer))
                 .order_by(Certificate.created_at.desc()).limit(500))
    today = today_vn()
    if status == "valid":
        statement = statement.where(Certificate.status == CertificateStatus.VALID, Certificate.valid_until >= today)
    elif status == "expired":
        statement = statement.where(Certificate.status == CertificateStatus.VALID, Certificate.valid_until < today)
    else:
        statement = statement.where(Certificate.status == CertificateStatus(status))
    return render_template("catalog/admin/certificate_list.html", certificates=list(db.session.scalars(statement)),
                           status=status, statuses=CERTIFICATE_FILTERS, status_label=certs.certificate_status_label)


@bp.get("/certificates/<int:certificate_id>")
def certificate_detail(certificate_id: int):
    """The details entered by the producer next to the scan, with verify, reject and revoke."""
    certificate = db.get_or_404(Certificate, certificate_id, populate_existing=True,
                                options=[joinedload(Certificate.product).joinedload(Product.producer)])
    return render_template("catalog/admin/certificate_detail.html", certificate=certificate, product=certificate.product,
                           producer=certificate.product.producer, reason_form=ReasonForm(), action_form=ConfirmForm(),
                           effective=certificate.effective_status(), status_label=certs.certificate_status_label,
                           allowed=CERTIFICATE_TRANSITIONS.get(certificate.status, set()))


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
                certs.verify_certificate(certificate, actor=current_user)
            elif decision == "reject":
                certs.reject_certificate(certificate, actor=current_user, reason=form.reason.data)
            else:
                certs.revoke_certificate(certificate, actor=current_user, reason=form.reason.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash({"verify": _("The certificate is verified."),
               "reject": _("The certificate was rejected; the reason was e-mailed."),
               "revoke": _("The certificate is revoked; the product lost its stars.")}[decision], "success")
    return redirect(url_for(".certificate_detail", certificate_id=certificate.id))
