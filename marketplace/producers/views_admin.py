"""The program office's producer screens under /admin/producers: the list by verification status, each
producer's file, and the decisions (approve, reject or suspend with a reason e-mailed)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import geo
from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog import products as listings
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.producers import services as producer_services
from marketplace.producers import verification
from marketplace.producers.forms import ConfirmForm, ReasonForm
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.producers.status import TRANSITIONS as VERIFICATION_TRANSITIONS

bp = Blueprint("producers_admin", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every screen here is for administrators only."""
    return None


@bp.get("/producers")
def producer_list():
    """All producers, filtered by verification status."""
    status = request.args.get("status", "")
    statement = sa.select(Producer).order_by(Producer.name).limit(500)
    if status in {s.value for s in VerificationStatus}:
        statement = statement.where(Producer.verification_status == VerificationStatus(status))
    return render_template("producers/admin/producer_list.html", producers=list(db.session.scalars(statement)),
                           status=status, statuses=[s.value for s in VerificationStatus])


@bp.get("/producers/<int:producer_id>")
def producer_detail(producer_id: int):
    """A producer's legal details, members and products, with the decision buttons."""
    producer = db.get_or_404(Producer, producer_id)
    products = listings.producer_products(producer.id)
    return render_template("producers/admin/producer_detail.html", producer=producer,
                           members=producer_services.members(producer), ward=geo.ward(producer.ward_code),
                           products=products, reason_form=ReasonForm(), action_form=ConfirmForm(),
                           allowed=VERIFICATION_TRANSITIONS.get(producer.verification_status, set()))


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
        verification.approve_producer(producer, actor=current_user)
    elif decision == "reject":
        verification.reject_producer(producer, actor=current_user, reason=form.reason.data)
    else:
        verification.suspend_producer(producer, actor=current_user, reason=form.reason.data)
