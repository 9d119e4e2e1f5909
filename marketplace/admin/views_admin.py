"""The program office's home at /admin: what waits for review (producers and certificates) and the producer
counts. The screens themselves live with their packages (producers, catalog, payments, settlements:
views_admin.py each); every action calls the owning package's service.
"""

import sqlalchemy as sa
from flask import Blueprint, render_template

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog import certificates as certs
from marketplace.extensions import db
from marketplace.producers import verification
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
    return render_template("admin/index.html", pending=verification.pending_producers(),
                           certificates=certs.submitted_certificates(),
                           counts=_producer_counts())


def _producer_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Producer.verification_status, sa.func.count()).group_by(Producer.verification_status)
    ).all()
    found = {status.value: count for status, count in rows}
    return {status.value: found.get(status.value, 0) for status in VerificationStatus}
