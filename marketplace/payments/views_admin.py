"""The program office's bank-transfer screens under /payments/admin: orders awaiting a transfer, marking
one paid, and importing a bank statement whose matched lines mark their orders paid."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.extensions import db
from marketplace.orders.queries import order_by_number
from marketplace.payments import bank_statement, bank_transfer
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
