"""VietQR: the EMVCo merchant-presented QR payload in the NAPAS layout, and its SVG rendering (segno, local).

Layout (ID, length, value; lengths are two digits):
  00 "01" format | 01 "12" dynamic (one amount) | 38 merchant account: 00 GUID A000000727,
  01 beneficiary (00 bank BIN, 01 account number), 02 service QRIBFTTA (transfer to an account) |
  53 "704" (VND) | 54 amount | 58 "VN" | 62 additional data: 08 purpose (the order number) | 63 CRC16.
"""

import io
import unicodedata

import segno
from flask import current_app

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"


def tlv(tag: str, value: str) -> str:
    """One EMVCo field: two-digit id, two-digit length, value."""
    if len(value) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: str) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _ascii(text: str) -> str:
    # Bank apps read the transfer note in plain ASCII: drop accents and anything unusual.
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch in " -")).strip()


def payload(*, bank_bin: str, account: str, amount_vnd: int, purpose: str) -> str:
    """The full QR text for a transfer of amount_vnd to the account, with the purpose as the transfer note."""
    if not (bank_bin.isdigit() and len(bank_bin) == 6):
        raise ValueError("the bank BIN has six digits")
    if not account or len(account) > 19 or not account.isalnum():
        raise ValueError("the account number is 1-19 letters or digits")
    if not isinstance(amount_vnd, int) or amount_vnd <= 0 or len(str(amount_vnd)) > 13:
        raise ValueError("the amount is a positive whole number of đồng")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01") + tlv("01", "12") + tlv("38", merchant) + tlv("53", CURRENCY_VND)
        + tlv("54", str(amount_vnd)) + tlv("58", COUNTRY) + tlv("62", tlv("08", _ascii(purpose)[:25]))
        + "6304"
    )
    return body + crc16_ccitt(body)


def parse(text: str) -> dict[str, str]:
    """Top-level fields of a payload (for tests and diagnostics)."""
    fields, position = {}, 0
    while position < len(text):
        tag, length = text[position:position + 2], int(text[position + 2:position + 4])
        fields[tag] = text[position + 4:position + 4 + length]
        position += 4 + length
    return fields


def bank_details() -> dict[str, str]:
    config = current_app.config
    return {
        "bank_bin": config.get("VIETQR_BANK_BIN") or "970436",
        "account": config.get("VIETQR_ACCOUNT") or "0001000000000",
        "account_name": config.get("VIETQR_ACCOUNT_NAME") or "OCOP MARKET DEMO",
        "bank_name": config.get("VIETQR_BANK_NAME") or "Vietcombank",
    }


def order_payload(order) -> str:
    details = bank_details()
    return payload(bank_bin=details["bank_bin"], account=details["account"], amount_vnd=order.total_vnd,
                   purpose=order.number)


def svg(text: str, *, scale: int = 5) -> str:
    """The QR code as an inline SVG element."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True,
                                                  title="VietQR", border=2)
    return buffer.getvalue().decode("utf-8")


def png(text: str, *, scale: int = 10) -> bytes:
    """The QR code as a PNG image, large enough for a banking app to read it from a saved photo."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
