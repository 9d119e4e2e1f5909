"""Payment pages: start or retry a payment, Stripe's and the e-wallets' return pages, the VietQR page, the
webhook and the e-wallets' IPN endpoints.

The program office's bank-transfer screens are in views_admin.py."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.policies import login_required
from marketplace.extensions import db
from marketplace.orders.labels import PAYMENT_LABELS
from marketplace.orders.models import PaymentMethod
from marketplace.orders.queries import order_for_buyer
from marketplace.payments import (
    card,
    momo,
    providers,
    stripe_gateway,
    vnpay,
    wallet_notifications,
    wallets,
    webhooks,
)
from marketplace.payments import vietqr as qr_codes
from marketplace.payments.fulfilment import awaits_payment
from marketplace.payments.records import PaymentRefused
from marketplace.payments.status import PaymentStatus

bp = Blueprint("payments", __name__)
bp.add_url_rule("/stripe/webhook", "stripe_webhook", webhooks.stripe_webhook, methods=["POST"])
bp.add_url_rule("/vnpay/ipn", "vnpay_ipn", wallet_notifications.vnpay_ipn, methods=["GET"])
bp.add_url_rule("/momo/ipn", "momo_ipn", wallet_notifications.momo_ipn, methods=["POST"])


@bp.post("/pay/<number>")
@login_required
def pay(number: str):
    """Start (or resume) paying for one's own order with its chosen method."""
    order = order_for_buyer(current_user, number)
    db.session.commit()  # end the read transaction: nothing is held while the provider is called
    try:
        target = providers.get(order.payment_method.value).start(order)
    except PaymentRefused as error:
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
        order, outcome = card.confirm_from_success_page(current_user, session_id)
    except PaymentRefused:
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
    order = order_for_buyer(current_user, number)
    flash(_("The card payment was not completed. You can try again or cancel the order."), "info")
    return redirect(url_for("orders.order_detail", number=order.number))


@bp.get("/vietqr/<number>")
@login_required
def vietqr(number: str):
    """The QR code and bank details for transferring an order's total."""
    order = order_for_buyer(current_user, number)
    if order.payment_method != PaymentMethod.VIETQR:
        abort(404)
    payload = qr_codes.order_payload(order)
    return render_template("payments/vietqr.html", order=order, qr_svg=qr_codes.svg(payload), payload=payload,
                           bank=qr_codes.bank_details(), awaiting=awaits_payment(order),
                           qr_png_url=url_for("payments.vietqr_png", number=order.number))


@bp.get("/vietqr/<number>.png")
@login_required
def vietqr_png(number: str):
    """The order's VietQR code as a PNG to save: banking apps scan a QR code from a photo in the library."""
    order = order_for_buyer(current_user, number)
    if order.payment_method != PaymentMethod.VIETQR:
        abort(404)
    response = Response(qr_codes.png(qr_codes.order_payload(order)), mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="vietqr-{order.number}.png"'
    return response


def _wallet_outcome(gateway, payment, returned: wallets.WalletResult) -> str:
    """What became of the attempt the buyer comes back from: "paid", "failed", "pending", "unmatched",
    "expired" (the order was cancelled unpaid) or "unknown" (the gateway could not be asked)."""
    order = payment.order
    if payment.status == PaymentStatus.SUCCEEDED:
        return "paid"
    if not awaits_payment(order):
        return "unmatched" if payment.status == PaymentStatus.UNMATCHED else "paid" if order.paid_at else "expired"
    db.session.commit()  # end the read transaction: nothing is held while the gateway is asked
    payment = wallets.attempt_for_reference(gateway.NAME, payment.external_id)
    try:
        if returned.state == wallets.FAILED:
            # The gateway's signed word that this attempt failed is enough to close it (no money moved).
            outcome = wallets.apply_result(payment, returned)
        else:
            # Never trust a redirect for money: ask the gateway itself (the IPN may not have come yet).
            outcome = wallets.settle_from_gateway(gateway, payment)
    except wallets.WalletUnavailable:
        db.session.rollback()
        return "unknown"
    db.session.commit()
    if outcome in ("paid", "already paid"):
        return "paid"
    if outcome.startswith(("unmatched", "refused")):
        return "unmatched"
    return "failed" if outcome == "failed" else "pending"


def _wallet_return(gateway, verified: bool, returned: wallets.WalletResult | None):
    if not verified or returned is None:
        return render_template("payments/wallet_return.html", outcome="invalid", order=None,
                               label=PAYMENT_LABELS[PaymentMethod(gateway.NAME)]), 400
    payment = wallets.attempt_for_reference(gateway.NAME, returned.reference)
    if payment is None or payment.order.buyer_id != current_user.id:
        abort(404)
    outcome = _wallet_outcome(gateway, payment, returned)
    order = order_for_buyer(current_user, payment.order.number)
    return render_template("payments/wallet_return.html", outcome=outcome, order=order,
                           label=PAYMENT_LABELS[PaymentMethod(gateway.NAME)], awaiting=awaits_payment(order))


@bp.get("/vnpay/return")
@login_required
def vnpay_return():
    """Back from VNPAY (vnp_ReturnUrl): the signed parameters are checked, then VNPAY is asked."""
    params = request.args.to_dict()
    verified = vnpay.verify(params) and vnpay.belongs_to_us(params)
    return _wallet_return(providers.get("vnpay"), verified, vnpay.result_from_params(params) if verified else None)


@bp.get("/momo/return")
@login_required
def momo_return():
    """Back from MoMo (redirectUrl): the signed parameters are checked, then MoMo is asked."""
    values = request.args.to_dict()
    verified = momo.verify(values)
    return _wallet_return(providers.get("momo"), verified, momo.result_from_values(values) if verified else None)
