"""Payment pages: start or retry a payment, Stripe's return pages, the VietQR page, the webhook, and the
admin screens for bank transfers (mark paid, import a statement)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import login_required, roles_required
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import PaymentMethod
from marketplace.payments import providers, services, stripe_gateway, webhooks
from marketplace.payments import vietqr as qr_codes

bp = Blueprint("payments", __name__)
bp.add_url_rule("/stripe/webhook", "stripe_webhook", webhooks.stripe_webhook, methods=["POST"])

#: Largest bank statement accepted (characters).
MAX_STATEMENT_CHARS = 2_000_000


@bp.post("/pay/<number>")
@login_required
def pay(number: str):
    """Start (or resume) paying for one's own order with its chosen method."""
    order = orders.order_for_buyer(current_user, number)
    db.session.commit()  # end the read transaction: nothing is held while the provider is called
    try:
        target = providers.get(order.payment_method.value).start(order)
    except services.PaymentRefused as error:
        db.session.commit()  # keep the failed attempt (its idempotency key must not be reused)
        flash(error.message, "error")
        return redirect(url_for("orders.order_detail", number=order.number))
    except stripe_gateway.GatewayError:
        db.session.rollback()
        flash(_("The card payment could not be started. Please try again in a moment."), "error")
        return redirect(url_for("orders.order_detail", number=order.number))
    db.session.commit()
    return redirect(target)


@bp.get("/stripe/success")
@login_required
def stripe_success():
    """Back from Stripe: the session is looked up at Stripe before anything is marked paid."""
    session_id = request.args.get("session_id", "")[:255]
    try:
        order, outcome = services.confirm_from_success_page(current_user, session_id)
    except services.PaymentRefused:
        abort(404)
    except stripe_gateway.GatewayError:
        db.session.rollback()
        flash(_("We could not confirm the payment with the card processor yet. It will show here once confirmed."),
              "info")
        return redirect(url_for("orders.order_list"))
    db.session.commit()
    if outcome in ("paid", "already paid"):
        flash(_("Thank you! Your payment was received."), "success")
    elif outcome == "not paid":
        flash(_("Your payment is being confirmed. This page will show it once the card processor confirms."), "info")
    else:
        flash(_("The payment did not match this order. Our team will contact you and refund it."), "error")
    return redirect(url_for("orders.order_detail", number=order.number))


@bp.get("/stripe/cancel/<number>")
@login_required
def stripe_cancel(number: str):
    """The buyer left the Stripe page without paying: the order waits (until it expires)."""
    order = orders.order_for_buyer(current_user, number)
    flash(_("The card payment was not completed. You can try again or cancel the order."), "info")
    return redirect(url_for("orders.order_detail", number=order.number))


@bp.get("/vietqr/<number>")
@login_required
def vietqr(number: str):
    """The QR code and bank details for transferring an order's total."""
    order = orders.order_for_buyer(current_user, number)
    if order.payment_method != PaymentMethod.VIETQR:
        abort(404)
    payload = qr_codes.order_payload(order)
    return render_template("payments/vietqr.html", order=order, qr_svg=qr_codes.svg(payload), payload=payload,
                           bank=qr_codes.bank_details(), awaiting=services.awaits_payment(order))


@bp.get("/admin/bank-transfers")
@roles_required(Role.ADMIN)
def admin_bank_transfers():
    """Bank-transfer orders still awaiting their money."""
    return render_template("payments/admin_bank_transfers.html", orders=services.pending_bank_transfers(),
                           report=None)


@bp.post("/admin/bank-transfers/<number>/paid")
@roles_required(Role.ADMIN)
def admin_mark_paid(number: str):
    """An admin confirms the transfer arrived."""
    order = orders.order_by_number(number)
    if order is None:
        abort(404)
    reference = request.form.get("reference", "").strip()[:255] or None
    try:
        won = services.mark_transfer_received(order, actor=current_user, reference=reference)
    except services.PaymentRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("payments.admin_bank_transfers"))
    db.session.commit()
    if won:
        flash(_("Order %(number)s is marked as paid.", number=order.number), "success")
    else:
        flash(_("Order %(number)s was already paid or cancelled.", number=order.number), "info")
    return redirect(url_for("payments.admin_bank_transfers"))


@bp.post("/admin/bank-transfers/import")
@roles_required(Role.ADMIN)
def admin_import_statement():
    """Upload a bank statement CSV (date, amount, description); matched lines mark their orders paid."""
    upload = request.files.get("statement")
    error = None
    text = ""
    if upload is None or not upload.filename:
        error = _("Please choose a CSV file.")
    else:
        raw = upload.read(MAX_STATEMENT_CHARS + 1)
        if len(raw) > MAX_STATEMENT_CHARS:
            error = _("The file is too large.")
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                error = _("The file must be a UTF-8 CSV file.")
    report = None
    if error is None:
        try:
            report = services.import_bank_statement(text, actor=current_user)
        except services.PaymentRefused as refused:
            db.session.rollback()
            error = refused.message
        else:
            db.session.commit()
    if error:
        flash(error, "error")
    return render_template("payments/admin_bank_transfers.html", orders=services.pending_bank_transfers(),
                           report=report), (400 if error else 200)
