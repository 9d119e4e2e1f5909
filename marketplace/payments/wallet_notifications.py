"""The e-wallet gateways' server-to-server notifications (IPN): VNPAY's GET and MoMo's POST JSON.

Each one: verify the signature (nothing changes otherwise), find the attempt by its reference, apply the
result through payments.wallets.apply_result (amount checked, fulfilment idempotent), remember the
notification by a unique id so a replay does nothing, commit, and answer in the gateway's own format
(VNPAY: JSON RspCode/Message; MoMo: 204 No Content). Replays and racing deliveries: the unique
ProviderEvent lets only one commit, and fulfilment's compare-and-set lets only one pay the order.
"""

import logging

from flask import jsonify, request
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import csrf, db
from marketplace.payments import momo, vnpay, wallets
from marketplace.payments.status import PaymentStatus

log = logging.getLogger(__name__)


def _commit_notification(provider: str, event_id: str, event_type: str, outcome: str) -> bool:
    """Store the notification and commit; False when a concurrent delivery of it committed first."""
    wallets.record_notification(provider, event_id, event_type, outcome)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


@csrf.exempt
def vnpay_ipn():
    """GET /payments/vnpay/ipn: VNPAY's IPN, answered with its RspCode/Message JSON."""
    params = request.args.to_dict()
    if not vnpay.verify(params) or not vnpay.belongs_to_us(params):
        log.warning("vnpay ipn refused: invalid signature for %s", params.get("vnp_TxnRef", "")[:64])
        return jsonify(vnpay.INVALID_SIGNATURE)
    result = vnpay.result_from_params(params)
    payment = wallets.attempt_for_reference(vnpay.NAME, result.reference)
    if payment is None:
        return jsonify(vnpay.ORDER_NOT_FOUND)
    if result.amount_vnd != payment.amount_vnd:
        # VNPAY's order of checks: the amount before the status; the attempt keeps the refused amount.
        if payment.status != PaymentStatus.SUCCEEDED:
            wallets.apply_result(payment, result)
            db.session.commit()
        return jsonify(vnpay.INVALID_AMOUNT)
    event_id = f"{result.reference}:{result.transaction_id or '-'}:{result.code}:{result.amount_vnd}"
    if payment.status == PaymentStatus.SUCCEEDED or wallets.notification_seen(vnpay.NAME, event_id):
        return jsonify(vnpay.ALREADY_CONFIRMED)
    try:
        outcome = wallets.apply_result(payment, result)
    except Exception:
        db.session.rollback()
        log.exception("vnpay ipn for %s failed", result.reference)
        return jsonify(vnpay.UNKNOWN_ERROR)
    if not _commit_notification(vnpay.NAME, event_id, f"ipn {result.state}", outcome):
        return jsonify(vnpay.ALREADY_CONFIRMED)
    if outcome.startswith("unmatched"):
        return jsonify(vnpay.ALREADY_CONFIRMED)
    return jsonify(vnpay.CONFIRMED)


@csrf.exempt
def momo_ipn():
    """POST /payments/momo/ipn: MoMo's IPN (JSON), answered 204 No Content once handled."""
    values = request.get_json(silent=True)
    if not isinstance(values, dict) or not momo.verify(values):
        log.warning("momo ipn refused: invalid signature or body")
        return jsonify(error="invalid signature"), 400
    result = momo.result_from_values(values)
    payment = wallets.attempt_for_reference(momo.NAME, result.reference)
    if payment is None:
        return jsonify(error="unknown orderId"), 404
    event_id = f"{result.reference}:{result.transaction_id or '-'}:{result.code}:{result.amount_vnd}"
    if wallets.notification_seen(momo.NAME, event_id):
        return "", 204
    outcome = wallets.apply_result(payment, result)
    _commit_notification(momo.NAME, event_id, f"ipn {result.state}", outcome)
    return "", 204
