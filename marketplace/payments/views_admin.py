"""The program office's payment screens under /payments/admin: orders awaiting a transfer, marking one
paid, importing a bank statement whose matched lines mark their orders paid, and the e-wallet money to
give back (refunds carried out in the gateway's merchant portal, then recorded here)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.extensions import db
from marketplace.money import format_vnd
from marketplace.orders.labels import PAYMENT_LABELS
from marketplace.orders.models import PaymentMethod
from marketplace.orders.queries import order_by_number
from marketplace.payments import bank_statement, bank_transfer, wallets
from marketplace.payments.models import Payment
from marketplace.payments.records import PaymentRefused

bp = Blueprint("payments_admin", __name__)

#: Largest bank statement accepted (characters).
MAX_STATEMENT_CHARS = 2_000_000


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every screen here is for administrators only."""
    return None


@bp.get("/bank-transfers")
def bank_transfers():
    """Bank-transfer orders still awaiting their money."""
    return render_template("payments/admin/bank_transfers.html", orders=bank_transfer.pending_bank_transfers(),
                           report=None)


@bp.post("/bank-transfers/<number>/paid")
def mark_paid(number: str):
    """An admin confirms the transfer arrived."""
    order = order_by_number(number)
    if order is None:
        abort(404)
    reference = request.form.get("reference", "").strip()[:255] or None
    try:
        won = bank_transfer.mark_transfer_received(order, actor=current_user, reference=reference)
    except PaymentRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".bank_transfers"))
    db.session.commit()
    if won:
        flash(_("Order %(number)s is marked as paid.", number=order.number), "success")
    else:
        flash(_("Order %(number)s was already paid or cancelled.", number=order.number), "info")
    return redirect(url_for(".bank_transfers"))


@bp.post("/bank-transfers/import")
def import_statement():
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
            report = bank_statement.import_bank_statement(text, actor=current_user)
        except PaymentRefused as refused:
            db.session.rollback()
            error = refused.message
        else:
            db.session.commit()
    if error:
        flash(error, "error")
    return render_template("payments/admin/bank_transfers.html", orders=bank_transfer.pending_bank_transfers(),
                           report=report), (400 if error else 200)


@bp.get("/wallet-refunds")
def wallet_refunds():
    """VNPAY and MoMo money to give back: refunds of cancelled paid orders, and unmatched payments."""
    return render_template("payments/admin/wallet_refunds.html", payments=wallets.refunds_due(),
                           wallet_label=lambda provider: PAYMENT_LABELS[PaymentMethod(provider)])


@bp.post("/wallet-refunds/<int:payment_id>/done")
def wallet_refund_done(payment_id: int):
    """An admin refunded the money in the gateway's portal and records it (with the gateway's reference)."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    reference = " ".join(request.form.get("reference", "").split())[:255] or None
    try:
        done = wallets.record_refund_done(payment, actor=current_user, reference=reference)
    except PaymentRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".wallet_refunds")), 303
    db.session.commit()
    if done:
        flash(_("The refund of %(amount)s is recorded.", amount=format_vnd(payment.amount_vnd)), "success")
    else:
        flash(_("This refund was already recorded."), "info")
    return redirect(url_for(".wallet_refunds")), 303
