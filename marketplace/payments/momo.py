"""MoMo: the buyer pays with the MoMo e-wallet (app or QR code) on MoMo's payment page.

Follows MoMo's payment gateway v3 documents:
https://developers.momo.vn/v3/docs/payment/api/wallet/onetime (POST /v2/gateway/api/create, captureWallet),
https://developers.momo.vn/v3/docs/payment/api/result-handling/notification (redirect and IPN),
https://developers.momo.vn/v3/docs/payment/api/payment-api/query (POST /v2/gateway/api/query).

- create: signature = HMAC-SHA256 (hex) with the secret key of the raw string
  accessKey=…&amount=…&extraData=…&ipnUrl=…&orderId=…&orderInfo=…&partnerCode=…&redirectUrl=…&requestId=…&requestType=…
  (values as sent, not URL-encoded). resultCode 0 answers with payUrl, where the buyer is sent.
  amount is in đồng (1.000 to 50.000.000 VND for the wallet).
- redirect (GET, redirectUrl) and IPN (POST JSON, ipnUrl) carry the same fields, signed over
  accessKey, amount, extraData, message, orderId, orderInfo, orderType, partnerCode, payType, requestId,
  responseTime, resultCode, transId in that order. resultCode 0 is paid; the IPN is answered 204 No Content.
- query: signature over accessKey, orderId, partnerCode, requestId.

Enabled when MOMO_PARTNER_CODE, MOMO_ACCESS_KEY and MOMO_SECRET_KEY are set (config.py).
"""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from marketplace.i18n import current_language
from marketplace.orders.models import Order
from marketplace.payments.models import Payment
from marketplace.payments.records import PaymentRefused
from marketplace.payments.wallets import (
    FAILED,
    PAID,
    PENDING,
    WalletProvider,
    WalletResult,
    WalletUnavailable,
    post_json,
)
from marketplace.urls import external_url

NAME = "momo"
REQUEST_TYPE = "captureWallet"
#: The wallet's limits for one payment (the create document).
MIN_AMOUNT_VND, MAX_AMOUNT_VND = 1_000, 50_000_000
CREATE_FIELDS = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode", "redirectUrl",
                 "requestId", "requestType")
RESULT_FIELDS = ("accessKey", "amount", "extraData", "message", "orderId", "orderInfo", "orderType", "partnerCode",
                 "payType", "requestId", "responseTime", "resultCode", "transId")
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
#: resultCode values that are not final: initiated and waiting for the buyer (1000), processing (7000,
#: 7002), waiting for the buyer to confirm again (8000), authorised but not captured (9000).
PENDING_CODES = {1000, 7000, 7002, 8000, 9000}


def _config(name: str) -> str:
    return current_app.config.get(name) or ""


def is_configured() -> bool:
    return bool(_config("MOMO_PARTNER_CODE") and _config("MOMO_ACCESS_KEY") and _config("MOMO_SECRET_KEY"))


def raw_signature(values: Mapping[str, object], fields: tuple[str, ...]) -> str:
    """key1=value1&key2=value2… in the documented order; accessKey is ours, the rest from `values`."""
    merged = {**values, "accessKey": _config("MOMO_ACCESS_KEY")}
    return "&".join(f"{name}={'' if merged.get(name) is None else merged.get(name)}" for name in fields)


def sign(values: Mapping[str, object], fields: tuple[str, ...]) -> str:
    raw = raw_signature(values, fields)
    return hmac.new(_config("MOMO_SECRET_KEY").encode(), raw.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(values: Mapping[str, object]) -> bool:
    """True when a redirect's or IPN's signature is ours over the documented fields, for our partner code."""
    given = str(values.get("signature") or "")
    if not given or not is_configured() or str(values.get("partnerCode") or "") != _config("MOMO_PARTNER_CODE"):
        return False
    return hmac.compare_digest(given.lower(), sign(values, RESULT_FIELDS))


def _code(raw) -> int | None:
    text = str(raw if raw is not None else "")
    return int(text) if text.isascii() and text.lstrip("-").isdigit() else None


def _amount(raw) -> int | None:
    text = str(raw if raw is not None else "")
    return int(text) if text.isascii() and text.isdigit() else None


def result_from_values(values: Mapping[str, object]) -> WalletResult:
    """The outcome a verified redirect, IPN or query answer reports."""
    code = _code(values.get("resultCode"))
    state = PAID if code == 0 else PENDING if code in PENDING_CODES else FAILED
    transaction = str(values.get("transId") or "")
    return WalletResult(reference=str(values.get("orderId") or ""), state=state,
                        amount_vnd=_amount(values.get("amount")),
                        transaction_id=transaction if transaction not in ("", "0") else None,
                        code=str(values.get("resultCode")), message=str(values.get("message") or "")[:200])


def create_payment(order: Order, reference: str, created_at: datetime) -> str:
    """Ask MoMo for a payment page for this attempt; returns its payUrl."""
    if not MIN_AMOUNT_VND <= order.total_vnd <= MAX_AMOUNT_VND:
        raise PaymentRefused(_("MoMo accepts payments from 1.000 ₫ to 50.000.000 ₫. Please choose another way "
                               "to pay for this order."))
    body = {
        "partnerCode": _config("MOMO_PARTNER_CODE"),
        "requestId": reference,
        "amount": order.total_vnd,
        "orderId": reference,
        "orderInfo": f"Thanh toán đơn hàng {order.number} - OCOP Market",
        "redirectUrl": external_url("payments.momo_return"),
        "ipnUrl": external_url("payments.momo_ipn"),
        "requestType": REQUEST_TYPE,
        "extraData": "",
        "lang": "en" if current_language() == "en" else "vi",
        "autoCapture": True,
    }
    body["signature"] = sign(body, CREATE_FIELDS)
    answer = post_json(_config("MOMO_ENDPOINT").rstrip("/") + "/v2/gateway/api/create", body)
    if _code(answer.get("resultCode")) != 0 or not answer.get("payUrl"):
        raise WalletUnavailable(f"momo create answered {answer.get('resultCode')}: {answer.get('message')}")
    return str(answer["payUrl"])


def query(payment: Payment) -> WalletResult:
    """What MoMo recorded for this attempt."""
    body = {"partnerCode": _config("MOMO_PARTNER_CODE"), "requestId": f"{payment.external_id}Q{secrets.token_hex(6)}",
            "orderId": payment.external_id, "lang": "vi"}
    body["signature"] = sign(body, QUERY_FIELDS)
    answer = post_json(_config("MOMO_ENDPOINT").rstrip("/") + "/v2/gateway/api/query", body)
    if str(answer.get("orderId") or "") != payment.external_id or _code(answer.get("resultCode")) is None:
        raise WalletUnavailable(f"momo query answered {answer.get('resultCode')}: {answer.get('message')}")
    return result_from_values(answer)


class MoMoProvider(WalletProvider):
    """The MoMo e-wallet (app or QR code on MoMo's page)."""

    name = NAME
    NAME = NAME

    def is_configured(self) -> bool:
        return is_configured()

    def create_payment(self, order, reference, created_at) -> str:
        return create_payment(order, reference, created_at)

    def query(self, payment) -> WalletResult:
        return query(payment)
