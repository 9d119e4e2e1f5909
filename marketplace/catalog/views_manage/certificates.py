"""The certificates screen of a listing: submit a certificate with its scan, and see the scans sent."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from marketplace.accounts.policies import roles_required
from marketplace.catalog import certificates as certs
from marketplace.catalog.forms import CertificateForm
from marketplace.catalog.models import Certificate
from marketplace.catalog.policies import LISTING_ROLES
from marketplace.catalog.views_manage.common import (
    query_producer,
    read_upload,
    show_errors,
    upload_page_status,
)
from marketplace.catalog.views_manage.loaders import get_certificate, get_product
from marketplace.extensions import db
from marketplace.storage import get_storage


@roles_required(*LISTING_ROLES)
def product_certificates(product_id: int):
    """The product's certificates, and a form to submit a new one with its scan."""
    product = get_product(product_id)
    form = CertificateForm()
    if form.validate_on_submit():
        data = read_upload("scan")
        raw = dict(form.data)
        try:
            details = certs.clean_certificate_fields(raw)
            with db.session.begin_nested():
                certs.submit_certificate(product, details, data)
        except certs.InvalidCertificate as error:
            show_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Certificate submitted. The program office will check it against the scan."), "success")
            return redirect(url_for(".product_certificates", product_id=product.id))
    return render_template("catalog/manage/product_certificates.html", product=product, producer=product.producer,
                           form=form, certificates=certs.product_certificates(product.id),
                           status_label=certs.certificate_status_label,
                           extra=query_producer(product.producer)), upload_page_status()


@roles_required(*LISTING_ROLES)
def certificate_scan(product_id: int, certificate_id: int):
    """The stored scan, for the producer to check what was sent."""
    certificate = get_certificate(get_product(product_id), certificate_id)
    if not certificate.scan_key:
        abort(404)
    return send_scan(certificate)


def send_scan(certificate: Certificate):
    """Send a certificate scan as a download that browsers will not run (also used by the admin screens)."""
    try:
        data = get_storage().open(certificate.scan_key)
    except FileNotFoundError:
        abort(404)
    is_pdf = certificate.scan_key.endswith(".pdf")
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf" if is_pdf else "image/webp"
    response.headers["Content-Disposition"] = (
        f'inline; filename="certificate-{certificate.id}.{"pdf" if is_pdf else "webp"}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
