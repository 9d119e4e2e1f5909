"""Unpaid card, bank-transfer and e-wallet orders past their time: close the open card session, or ask
the e-wallet gateway about the open attempt (and notice either was paid after all), then cancel what
still awaits payment and release its stock (a click-and-collect sub-order's units go back into the showroom's
lots). Prepared pickups to pay at the counter that the buyer did not collect by their time are cancelled too.
`flask payments expire-unpaid` (payments.cli) runs both from cron."""

import sqlalchemy as sa

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.orders import lifecycle, pickups
from marketplace.orders.models import Order, PaymentMethod, ProducerOrder
from marketplace.orders.queries import ORDER_GRAPH
from marketplace.orders.status import OrderStatus
from marketplace.payments import stripe_gateway, wallets
from marketplace.payments.card import apply_paid_session
from marketplace.payments.momo import MoMoProvider
from marketplace.payments.records import close_attempt, latest_attempt
from marketplace.payments.status import PaymentStatus
from marketplace.payments.vnpay import VNPayProvider

WALLETS = {PaymentMethod.VNPAY: VNPayProvider(), PaymentMethod.MOMO: MoMoProvider()}


def expired_unpaid_orders(now=None) -> list[Order]:
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Order).where(Order.expires_at.is_not(None), Order.expires_at < now, Order.paid_at.is_(None))
        .where(sa.exists().where(ProducerOrder.order_id == Order.id,
                                 ProducerOrder.status == OrderStatus.PENDING_PAYMENT))
        .options(*ORDER_GRAPH).order_by(Order.id)
    ))


def expire_unpaid_order(order: Order) -> str:
    """Close the open card session or e-wallet attempt (or notice it was paid after all), then cancel and
    release the stock. Raises stripe_gateway.GatewayError or wallets.WalletUnavailable when the provider
    cannot say (the order is left for the next run)."""
    gateway = WALLETS.get(order.payment_method)
    if gateway is not None:
        outcome = wallets.settle_before_expiry(gateway, order)
        if outcome is not None:
            return outcome
    payment = latest_attempt(order, "card") if order.payment_method == PaymentMethod.CARD else None
    if payment is not None and payment.status == PaymentStatus.STARTED and payment.external_id:
        try:
            session = stripe_gateway.expire_checkout_session(payment.external_id)
        except stripe_gateway.GatewayError:
            session = stripe_gateway.retrieve_checkout_session(payment.external_id)
        if session.payment_status == "paid":
            return apply_paid_session(order, session, payment)
        close_attempt(payment, PaymentStatus.EXPIRED, reason="not paid in time")
    cancelled = lifecycle.cancel_unpaid_order(order, reason="not paid in time")
    return f"cancelled {cancelled}"


def expire_uncollected_pickups(now=None) -> int:
    """Cancel the prepared pickups to pay at the counter left uncollected past their time; returns how many.
    (A pickup paid online is never cancelled by the clock: its showroom contacts the buyer or refunds it.)"""
    return sum(1 for producer_order in pickups.expired_pickups(now) if pickups.cancel_uncollected(producer_order))
