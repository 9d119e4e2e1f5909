"""Payment pages: start or retry a payment, Stripe's return pages, the VietQR page and the webhook.

The program office's bank-transfer screens are in views_admin.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.policies import login_required
from marketplace.extensions import db
from marketplace.orders.models import PaymentMethod
from marketplace.orders.queries import order_for_buyer
from marketplace.payments import card, providers, stripe_gateway, webhooks
from marketplace.payments import vietqr as qr_codes
from marketplace.payments.fulfilment import awaits_payment
from marketplace.payments.records import PaymentRefused

bp = Blueprint("payments", __name__)
bp.add_url_rule("/stripe/webhook", "stripe_webhook", webhooks.stripe_webhook, methods=["POST"])


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
                           bank=qr_codes.bank_details(), awaiting=awaits_payment(order))
