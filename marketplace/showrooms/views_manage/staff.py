"""Showroom staff screens: the showroom's stock by product and lot, lots expiring soon, consignments
(record for a producer, receive, cancel), returns to producers and stock counts. Admins see every showroom."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, arg_int
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.showrooms import consignments, lots, pickups, services, traceability
from marketplace.showrooms.forms import ButtonForm, ReasonForm
from marketplace.showrooms.models import ConsignmentKind
from marketplace.showrooms.status import ConsignmentStatus
from marketplace.showrooms.views_manage import forms_lines
from marketplace.showrooms.views_manage.loaders import is_manager, showroom_consignment, staff_showroom

#: Lots whose best-before falls within this many days are listed as expiring.
EXPIRY_DAYS = 30


def my_showrooms():
    """The showrooms the signed-in staff member works in (one: straight to it); admins: every showroom."""
    if current_user.role == Role.ADMIN:
        showrooms = services.all_showrooms()
    else:
        showrooms = [member.showroom for member in services.memberships(current_user)]
        if len(showrooms) == 1:
            return redirect(url_for(".showroom_stock", showroom_id=showrooms[0].id))
    return render_template("showrooms/manage/my_showrooms.html", showrooms=showrooms)


def showroom_stock(showroom_id: int):
    """The showroom's stock: each product with its lots, best-before dates and units."""
    showroom = staff_showroom(showroom_id)
    rows = lots.lots_at(showroom.location_id)
    soon = today_vn().toordinal() + EXPIRY_DAYS
    return render_template("showrooms/manage/stock.html", showroom=showroom, rows=rows, soon=soon,
                           manager=is_manager(showroom), held=pickups.held_units(showroom))


def expiring(showroom_id: int):
    """Lots expiring in the next 30 days (or already past), each with a return-to-producer action."""
    showroom = staff_showroom(showroom_id)
    today = today_vn()
    return render_template("showrooms/manage/expiring.html", showroom=showroom, today=today, days=EXPIRY_DAYS,
                           rows=lots.expiring_lots(showroom.location_id, today, EXPIRY_DAYS),
                           manager=is_manager(showroom))


def consignment_list(showroom_id: int):
    showroom = staff_showroom(showroom_id)
    return render_template("showrooms/manage/consignment_list.html", showroom=showroom,
                           consignments=consignments.consignments(showroom_id=showroom.id),
                           manager=is_manager(showroom))


def _verified_producers() -> list[Producer]:
    return list(db.session.scalars(
        sa.select(Producer).where(Producer.verification_status == VerificationStatus.VERIFIED)
        .order_by(Producer.name)))


def consignment_new(showroom_id: int):
    """A manager records a delivery for a producer (chosen first with ?producer=<id>)."""
    showroom = staff_showroom(showroom_id, manager=True)
    producer_id = arg_int("producer", minimum=1, maximum=MAX_ID, args=request.values)
    producer = db.session.get(Producer, producer_id) if producer_id else None
    if producer is None:
        return render_template("showrooms/manage/choose_producer.html", showroom=showroom,
                               producers=_verified_producers())
    products = services.consignable_products(producer.id)
    errors, status = [], 200
    if request.method == "POST" and ButtonForm().validate_on_submit():
        lines, errors = forms_lines.delivery_lines(request.form, {p.id for p in products})
        if not errors:
            try:
                consignment = consignments.record_delivery(showroom, producer.id, lines, actor=current_user,
                                                           note=request.form.get("note", ""))
            except DomainError as error:
                errors = [error.message]
            else:
                db.session.commit()
                flash(_("Consignment %(number)s recorded. Receive it when the goods are counted.",
                        number=consignment.number), "success")
                return redirect(url_for(".consignment_detail", showroom_id=showroom.id,
                                        consignment_id=consignment.id))
        status = 422
    elif request.method == "POST":
        errors, status = [_("The form expired. Please try again.")], 422
    return render_template("showrooms/manage/delivery_form.html", showroom=showroom, producer=producer,
                           products=products, showrooms=None, errors=errors, form=ButtonForm(),
                           rows=forms_lines.DELIVERY_ROWS, today=today_vn(),
                           action=url_for(".consignment_new", showroom_id=showroom.id, producer=producer.id)), status


def consignment_detail(showroom_id: int, consignment_id: int):
    """A consignment's lines and history; a manager receives a recorded delivery here (POST)."""
    manager_only = request.method == "POST"
    showroom = staff_showroom(showroom_id, manager=manager_only)
    consignment = showroom_consignment(showroom, consignment_id)
    errors, status = [], 200
    if request.method == "POST":
        status = 422
        if not ButtonForm().validate_on_submit():
            errors = [_("The form expired. Please try again.")]
        else:
            labels = {line.id: f"{line.product.name} · {line.lot_code}" for line in consignment.lines}
            counted, errors = forms_lines.keyed_units(request.form, "counted", labels, low=0, labels=labels)
            reasons = {line.id: request.form.get(f"reason_{line.id}", "") for line in consignment.lines}
            if not errors:
                try:
                    consignments.receive(consignment, counted, reasons, actor=current_user)
                except DomainError as error:
                    errors = [error.message]
                    consignment = showroom_consignment(showroom, consignment_id)
                else:
                    number = consignment.number
                    db.session.commit()
                    flash(_("Consignment %(number)s received: the counted units are in stock.", number=number),
                          "success")
                    return redirect(url_for(".consignment_detail", showroom_id=showroom.id,
                                            consignment_id=consignment_id))
    receivable = consignment.status == ConsignmentStatus.RECORDED and consignment.kind == ConsignmentKind.DELIVERY
    return render_template("showrooms/manage/consignment_detail.html", showroom=showroom, consignment=consignment,
                           errors=errors, form=ButtonForm(), manager=is_manager(showroom), receivable=receivable,
                           back=url_for(".consignment_list", showroom_id=showroom.id),
                           lot_codes=traceability.public_codes(line.lot_id for line in consignment.lines),
                           cancel_url=url_for(".consignment_cancel", showroom_id=showroom.id,
                                              consignment_id=consignment.id)), status


def consignment_cancel(showroom_id: int, consignment_id: int):
    showroom = staff_showroom(showroom_id, manager=True)
    consignment = showroom_consignment(showroom, consignment_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            consignments.cancel(consignment, actor=current_user, reason=form.reason.data or "")
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Consignment cancelled."), "success")
    return redirect(url_for(".consignment_detail", showroom_id=showroom_id, consignment_id=consignment_id))


def return_new(showroom_id: int):
    """A manager hands lots back to their producer (?lot=<id> preselects one, from the expiring list)."""
    showroom = staff_showroom(showroom_id, manager=True)
    rows = lots.lots_at(showroom.location_id)
    chosen = arg_int("lot", minimum=1, maximum=MAX_ID)
    if chosen is not None:
        rows = [row for row in rows if row.lot.id == chosen] or rows
    errors, status = [], 200
    if request.method == "POST":
        status = 422
        if not ButtonForm().validate_on_submit():
            errors = [_("The form expired. Please try again.")]
        else:
            labels = {row.lot.id: f"{row.product.name} · {row.lot.code}" for row in rows}
            picks, errors = forms_lines.keyed_units(request.form, "units", labels, low=0, labels=labels,
                                                    skip_empty=True)
            if not errors:
                try:
                    consignment = consignments.record_return(showroom, picks, actor=current_user,
                                                             reason=request.form.get("reason", ""))
                except DomainError as error:
                    errors = [error.message]
                    rows = lots.lots_at(showroom.location_id)
                else:
                    db.session.commit()
                    flash(_("Return %(number)s recorded: the units left the showroom's stock.",
                            number=consignment.number), "success")
                    return redirect(url_for(".consignment_detail", showroom_id=showroom.id,
                                            consignment_id=consignment.id))
    return render_template("showrooms/manage/return_form.html", showroom=showroom, rows=rows, errors=errors,
                           form=ButtonForm()), status


def stock_count(showroom_id: int):
    """A manager enters the counted units of each lot; differences become adjustments with the reason."""
    showroom = staff_showroom(showroom_id, manager=True)
    rows = lots.lots_at(showroom.location_id)
    errors, status = [], 200
    if request.method == "POST":
        status = 422
        if not ButtonForm().validate_on_submit():
            errors = [_("The form expired. Please try again.")]
        else:
            labels = {row.lot.id: f"{row.product.name} · {row.lot.code}" for row in rows}
            counted, errors = forms_lines.keyed_units(request.form, "counted", labels, low=0, labels=labels)
            if not errors:
                try:
                    changed = lots.count_lots(showroom.location_id, counted, reason=request.form.get("reason", ""),
                                              reference=f"count:{showroom.slug}:{today_vn().isoformat()}",
                                              actor_id=current_user.id)
                except DomainError as error:
                    errors = [error.message]
                    rows = lots.lots_at(showroom.location_id)
                else:
                    db.session.commit()
                    flash(_("Count saved: %(n)s lot(s) adjusted.", n=changed), "success")
                    return redirect(url_for(".showroom_stock", showroom_id=showroom.id))
    return render_template("showrooms/manage/count_form.html", showroom=showroom, rows=rows, errors=errors,
                           form=ButtonForm(), held=pickups.held_units(showroom)), status

