"""The public verification page of a certificate, and its QR code for packaging.

Anyone scanning the QR printed on a product sees whether the certificate behind that label is VALID,
EXPIRED, REVOKED or NOT VERIFIED, with the product, producer, stars, decision and validity.
"""

import io

import segno
from flask import Blueprint, Response, abort, render_template
from markupsafe import Markup

from marketplace.catalog.models import Certificate
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.urls import external_url

bp = Blueprint("verify", __name__)

#: What the page says for each effective status (rejected and submitted are both "not verified").
VERDICTS = {"valid": "valid", "expired": "expired", "revoked": "revoked", "submitted": "unverified",
            "rejected": "unverified"}


def _certificate(code: str) -> Certificate:
    if not code or len(code) > 32:
        abort(404)
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.verification_code == code))
    if certificate is None:
        abort(404)
    return certificate


def verification_url(certificate: Certificate) -> str:
    """The absolute URL printed in the QR code."""
    return external_url("verify.certificate", code=certificate.verification_code)


def qr_svg(url: str, scale: int = 5) -> Markup:
    """The QR code as inline SVG (generated here, no external service)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2,
                                    title="QR", svgclass="qr-code")
    return Markup(out.getvalue().decode("utf-8"))


@bp.get("/verify/<code>")
def certificate(code: str):
    """The verification page; says clearly whether the certificate is valid, expired, revoked or not verified."""
    cert = _certificate(code)
    today = today_vn()
    effective = cert.effective_status(today)
    url = verification_url(cert)
    return render_template("catalog/certificate_verify.html", certificate=cert, product=cert.product,
                           producer=cert.product.producer, verdict=VERDICTS.get(effective, "unverified"),
                           effective=effective, today=today, qr=qr_svg(url), verify_url=url)


@bp.get("/verify/<code>/qr.png")
def certificate_qr_png(code: str):
    """A high-resolution PNG of the QR code, for printing on labels."""
    cert = _certificate(code)
    out = io.BytesIO()
    segno.make(verification_url(cert), error="m").save(out, kind="png", scale=16, border=4)
    response = Response(out.getvalue(), mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="ocop-qr-{cert.verification_code}.png"'
    return response


@bp.get("/verify/<code>/qr.svg")
def certificate_qr_svg(code: str):
    """The QR code as an SVG file (scales to any label size)."""
    cert = _certificate(code)
    response = Response(str(qr_svg(verification_url(cert), scale=10)), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="ocop-qr-{cert.verification_code}.svg"'
    return response
