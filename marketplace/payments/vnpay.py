"""VNPAY: the buyer pays in a banking app, by VNPAY-QR, or with a domestic card on VNPAY's page.

Follows VNPAY's PAY integration guide, API version 2.1.0:
https://sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html (payment URL, vnp_ReturnUrl, IPN URL)
and https://sandbox.vnpayment.vn/apis/docs/truy-van-hoan-tien/querydr&refund.html (querydr).

- Payment URL: the vnp_* parameters sorted by name, each name and value URL-encoded (spaces as "+"),
  joined with "&", signed with HMAC-SHA512 and the terminal's hash secret (vnp_SecureHash, hex).
  vnp_Amount is the amount ×100 ("to send 10,000 VND, send 1000000"); dates are yyyyMMddHHmmss in GMT+7.
- vnp_ReturnUrl and the IPN URL receive the result as query parameters, signed the same way (every vnp_*
  parameter but vnp_SecureHash and vnp_SecureHashType). Paid means vnp_ResponseCode "00" and
  vnp_TransactionStatus "00". The IPN answers JSON {"RspCode", "Message"}: 00 Confirm Success,
  01 Order not found, 02 Order already confirmed, 04 Invalid amount, 97 Invalid signature, 99 Unknown error.
  VNPAY calls the IPN URL registered for the terminal (give it /payments/vnpay/ipn); it is not sent here.
- querydr (POST JSON to the merchant web API): its checksum is HMAC-SHA512 of the fields joined by "|"
  in the order the guide lists, and so is the answer's.

Enabled when VNPAY_TMN_CODE and VNPAY_HASH_SECRET are set (config.py).
"""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote_plus

from flask import current_app, has_request_context, request

from marketplace.dates import VIETNAM, utcnow
from marketplace.i18n import current_language
from marketplace.orders.models import Order
from marketplace.payments.models import Payment
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

NAME = "vnpay"
VERSION = "2.1.0"
#: The IPN's answers, as VNPAY's guide writes them.
CONFIRMED = {"RspCode": "00", "Message": "Confirm Success"}
ORDER_NOT_FOUND = {"RspCode": "01", "Message": "Order not found"}
ALREADY_CONFIRMED = {"RspCode": "02", "Message": "Order already confirmed"}
INVALID_AMOUNT = {"RspCode": "04", "Message": "invalid amount"}
INVALID_SIGNATURE = {"RspCode": "97", "Message": "Invalid signature"}
UNKNOWN_ERROR = {"RspCode": "99", "Message": "Unknow error"}
#: querydr: the transaction does not exist at VNPAY (the buyer never paid).
QUERY_NOT_FOUND = "91"
#: vnp_TransactionStatus values that are not final yet (01: not completed, 05/06: refund in progress).
STATUS_PENDING = {"01"}


def _config(name: str) -> str:
    return current_app.config.get(name) or ""


def is_configured() -> bool:
    return bool(_config("VNPAY_TMN_CODE") and _config("VNPAY_HASH_SECRET"))


def _hmac(text: str) -> str:
    return hmac.new(_config("VNPAY_HASH_SECRET").encode(), text.encode("utf-8"), hashlib.sha512).hexdigest()


def hash_data(params: Mapping[str, str]) -> str:
    """The signed text: vnp_* parameters (not the hash itself) sorted, URL-encoded, joined with "&"."""
    pairs = sorted((key, str(value)) for key, value in params.items()
                   if key.startswith("vnp_") and key not in ("vnp_SecureHash", "vnp_SecureHashType")
                   and value not in (None, ""))
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in pairs)


def sign(params: Mapping[str, str]) -> str:
    return _hmac(hash_data(params))


def verify(params: Mapping[str, str]) -> bool:
    """True when vnp_SecureHash is the HMAC-SHA512 of the other vnp_* parameters with our secret."""
    given = str(params.get("vnp_SecureHash") or "")
    if not given or not is_configured():
        return False
    return hmac.compare_digest(given.lower(), sign(params))


def _vn_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def _ascii_info(order: Order) -> str:
    # The guide asks for Vietnamese without accents and without special characters.
    return f"Thanh toan don hang {order.number}"


def _client_ip() -> str:
    # vnp_IpAddr is the buyer's address; the payment is started from the buyer's request.
    return (request.remote_addr if has_request_context() else None) or "127.0.0.1"


def payment_params(order: Order, reference: str, created_at: datetime) -> dict[str, str]:
    """The vnp_* parameters of the payment URL, signed."""
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": _config("VNPAY_TMN_CODE"),
        "vnp_Amount": str(order.total_vnd * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": _ascii_info(order),
        "vnp_OrderType": "other",
        "vnp_Locale": "en" if current_language() == "en" else "vn",
        "vnp_ReturnUrl": external_url("payments.vnpay_return"),
        "vnp_IpAddr": _client_ip(),
        "vnp_CreateDate": _vn_time(created_at),
    }
    if order.expires_at is not None:
        params["vnp_ExpireDate"] = _vn_time(order.expires_at)
    params["vnp_SecureHash"] = sign(params)
    return params


def create_payment(order: Order, reference: str, created_at: datetime) -> str:
    """The payment URL (no network call: VNPAY reads the signed parameters when the buyer arrives)."""
    params = payment_params(order, reference, created_at)
    query = "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in params.items())
    return f"{_config('VNPAY_PAYMENT_URL')}?{query}"


def _amount(raw) -> int | None:
    text = str(raw or "")
    if not text.isascii() or not text.isdigit() or int(text) % 100:
        return None
    return int(text) // 100


def result_from_params(params: Mapping[str, str]) -> WalletResult:
    """The outcome a verified return or IPN reports."""
    response_code = str(params.get("vnp_ResponseCode") or "")
    status = str(params.get("vnp_TransactionStatus") or "")
    if response_code == "00" and status == "00":
        state = PAID
    elif status in STATUS_PENDING and response_code == "00":
        state = PENDING
    else:
        state = FAILED
    return WalletResult(reference=str(params.get("vnp_TxnRef") or ""), state=state,
                        amount_vnd=_amount(params.get("vnp_Amount")),
                        transaction_id=str(params.get("vnp_TransactionNo") or "") or None,
                        code=f"{response_code}/{status}")


def belongs_to_us(params: Mapping[str, str]) -> bool:
    return str(params.get("vnp_TmnCode") or "") == _config("VNPAY_TMN_CODE")


QUERY_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
                "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
ANSWER_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
                 "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
                 "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount")


def pipe_hash(values: Mapping[str, object], fields: tuple[str, ...]) -> str:
    """The querydr checksum: HMAC-SHA512 of the fields' values joined by "|" in the guide's order."""
    return _hmac("|".join(str(values.get(name) if values.get(name) is not None else "") for name in fields))


def query(payment: Payment) -> WalletResult:
    """querydr: what VNPAY recorded for this attempt (its answer's checksum is verified)."""
    body = {
        "vnp_RequestId": secrets.token_hex(16),
        "vnp_Version": VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": _config("VNPAY_TMN_CODE"),
        "vnp_TxnRef": payment.external_id,
        "vnp_OrderInfo": f"Truy van giao dich {payment.external_id}",
        "vnp_TransactionDate": _vn_time(payment.created_at),
        "vnp_CreateDate": _vn_time(utcnow()),
        "vnp_IpAddr": "127.0.0.1",
    }
    body["vnp_SecureHash"] = pipe_hash(body, QUERY_FIELDS)
    answer = post_json(_config("VNPAY_API_URL"), body)
    given = str(answer.get("vnp_SecureHash") or "")
    if not given or not hmac.compare_digest(given.lower(), pipe_hash(answer, ANSWER_FIELDS)):
        raise WalletUnavailable("vnpay querydr: the answer's checksum does not verify")
    code = str(answer.get("vnp_ResponseCode") or "")
    if code == QUERY_NOT_FOUND:
        return WalletResult(reference=payment.external_id, state=PENDING, amount_vnd=None, transaction_id=None,
                            code=code, message=str(answer.get("vnp_Message") or ""))
    if code != "00" or str(answer.get("vnp_TxnRef") or "") != payment.external_id:
        raise WalletUnavailable(f"vnpay querydr answered {code}: {answer.get('vnp_Message')}")
    return WalletResult(reference=payment.external_id,
                        state=result_from_params({**answer, "vnp_ResponseCode": "00"}).state,
                        amount_vnd=_amount(answer.get("vnp_Amount")),
                        transaction_id=str(answer.get("vnp_TransactionNo") or "") or None,
                        code=f"{code}/{answer.get('vnp_TransactionStatus')}",
                        message=str(answer.get("vnp_Message") or ""))


class VNPayProvider(WalletProvider):
    """Banking apps, VNPAY-QR and domestic cards through the VNPAY gateway."""

    name = NAME
    NAME = NAME

    def is_configured(self) -> bool:
        return is_configured()

    def create_payment(self, order, reference, created_at) -> str:
        return create_payment(order, reference, created_at)

    def query(self, payment) -> WalletResult:
        return query(payment)
