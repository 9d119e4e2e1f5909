"""A producer member's consignment screens: record a delivery to a showroom, follow it, cancel it before
it is received. Products of the member's own producer only."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.backoffice import producer_scope
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.showrooms import consignments, services, traceability
from marketplace.showrooms.forms import ButtonForm, ReasonForm
from marketplace.showrooms.views_manage import forms_lines
from marketplace.showrooms.views_manage.loaders import producer_consignment


def producer_consignments():
    producer = producer_scope(required=True)
    return render_template("showrooms/manage/producer_consignments.html", producer=producer,
                           consignments=consignments.consignments(producer_id=producer.id))


def producer_consignment_new():
    """Record a delivery of the member's products to a showroom (nothing moves until a manager receives it)."""
    producer = producer_scope(required=True)
    products = services.consignable_products(producer.id)
    showrooms = services.public_showrooms()
    errors, status = [], 200
    if request.method == "POST":
        status = 422
        if not ButtonForm().validate_on_submit():
            errors = [_("The form expired. Please try again.")]
        else:
            showroom_id = parse_int(request.form.get("showroom"), minimum=1, maximum=MAX_ID)
            showroom = next((s for s in showrooms if s.id == showroom_id), None)
            lines, errors = forms_lines.delivery_lines(request.form, {p.id for p in products})
            if showroom is None:
                errors.insert(0, _("Choose the showroom."))
            if not errors:
                try:
                    consignment = consignments.record_delivery(showroom, producer.id, lines, actor=current_user,
                                                               note=request.form.get("note", ""))
                except DomainError as error:
                    errors = [error.message]
                else:
                    db.session.commit()
                    flash(_("Consignment %(number)s recorded. The showroom will count it in.",
                            number=consignment.number), "success")
                    return redirect(url_for(".producer_consignment_detail", consignment_id=consignment.id))
    return render_template("showrooms/manage/delivery_form.html", producer=producer, products=products,
                           showroom=None, showrooms=showrooms, errors=errors, form=ButtonForm(),
                           rows=forms_lines.DELIVERY_ROWS, today=today_vn(), action=url_for(".producer_consignment_new")), status


def producer_consignment_detail(consignment_id: int):
    consignment = producer_consignment(consignment_id)
    return render_template("showrooms/manage/consignment_detail.html", producer=consignment.producer,
                           showroom=consignment.showroom, consignment=consignment, errors=[], form=ButtonForm(),
                           manager=False, receivable=False, back=url_for(".producer_consignments"),
                           lot_codes=traceability.public_codes(line.lot_id for line in consignment.lines),
                           lot_labels=True,
                           cancel_url=url_for(".producer_consignment_cancel", consignment_id=consignment.id))


def producer_consignment_cancel(consignment_id: int):
    consignment = producer_consignment(consignment_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            consignments.cancel(consignment, actor=current_user, reason=form.reason.data or "")
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Consignment cancelled."), "success")
    return redirect(url_for(".producer_consignment_detail", consignment_id=consignment_id))
