"""VietQR payloads (EMVCo/NAPAS layout, CRC) and the admin's bank-transfer tools."""

import io
import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders.queries import reload_order
from marketplace.orders.status import OrderStatus
from marketplace.payments import vietqr
from tests.factories import make_product, make_user
from tests.orders.helpers import place


def test_crc16_ccitt_matches_the_standard_check_value():
    """CRC-16/CCITT-FALSE of "123456789" is 29B1."""
    assert vietqr.crc16_ccitt("123456789") == "29B1"


def test_payload_layout_and_checksum():
    """Fields in NAPAS order: format, dynamic, NAPAS account, VND, amount, VN, order note, and a valid CRC."""
    text = vietqr.payload(bank_bin="970436", account="0011001234567", amount_vnd=305000, purpose="OC-2611-000123")
    fields = vietqr.parse(text)
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert (fields["00"], fields["01"], fields["53"], fields["54"], fields["58"]) == ("01", "12", "704", "305000", "VN")
    merchant = vietqr.parse(fields["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert vietqr.parse(merchant["01"]) == {"00": "970436", "01": "0011001234567"}
    assert vietqr.parse(fields["62"]) == {"08": "OC-2611-000123"}
    assert text[-8:-4] == "6304" and vietqr.crc16_ccitt(text[:-4]) == text[-4:]


@pytest.mark.parametrize("changes", [{"bank_bin": "97043"}, {"account": ""}, {"amount_vnd": 0}, {"amount_vnd": -5}])
def test_bad_payload_inputs_are_refused(changes):
    """A short BIN, an empty account or a non-positive amount cannot make a code."""
    fields = dict(bank_bin="970436", account="0011001234567", amount_vnd=1000, purpose="OC-1")
    fields.update(changes)
    with pytest.raises(ValueError):
        vietqr.payload(**fields)


def test_qr_is_rendered_locally_as_svg():
    """The code is an inline SVG produced without any network call."""
    svg = vietqr.svg(vietqr.payload(bank_bin="970436", account="123", amount_vnd=1000, purpose="OC-1"))
    assert svg.lstrip().startswith("<svg") and "</svg>" in svg


def test_buyer_sees_the_qr_page_for_a_bank_transfer_order(client, login_as):
    """The VietQR page shows the code, the amount and the order number as the note."""
    buyer = make_user()
    order = place(buyer, [make_product(price_vnd=120000)], method="vietqr")
    db.session.commit()
    login_as(buyer)
    page = client.get(f"/payments/vietqr/{order.number}").get_data(as_text=True)
    assert "<svg" in page and order.number in page


def _admin_client(client, login_as):
    admin = make_user(role="admin")
    db.session.commit()
    login_as(admin)
    return admin


def test_only_admins_reach_the_bank_transfer_screens(client, login_as):
    """A consumer gets 403 on the list, the mark-paid action and the import."""
    login_as(make_user())
    assert client.get("/payments/admin/bank-transfers").status_code == 403
    assert client.post("/payments/admin/bank-transfers/OC-1/paid").status_code == 403
    assert client.post("/payments/admin/bank-transfers/import").status_code == 403


def test_admin_marks_a_transfer_paid_once(client, login_as, outbox):
    """Mark paid moves the sub-orders to paid and mails the buyer; a second click changes nothing."""
    buyer = make_user(email="transfer@example.test")
    order = place(buyer, [make_product()], method="vietqr")
    db.session.commit()
    _admin_client(client, login_as)
    client.post(f"/payments/admin/bank-transfers/{order.number}/paid", data={"reference": "FT123"})
    client.post(f"/payments/admin/bank-transfers/{order.number}/paid", data={"reference": "FT123"})
    db.session.refresh(order.producer_orders[0])
    assert order.producer_orders[0].status == OrderStatus.PAID
    outbox.wait_for(1)
    assert len(outbox.to("transfer@example.test")) == 1


def test_statement_import_matches_by_order_code_and_exact_amount(client, login_as):
    """Lines with the order code and the exact total are matched; others are reported with the reason."""
    buyer = make_user()
    exact = place(buyer, [make_product(price_vnd=100000)], method="vietqr")
    wrong_amount = place(buyer, [make_product(price_vnd=200000)], method="vietqr")
    db.session.commit()
    compact = exact.number.replace("-", "")
    csv_text = (
        "date,amount,description\n"
        f"2026-11-28,{exact.total_vnd},CT tu NGUYEN VAN AN {compact} thanh toan\n"
        f"2026-11-28,{wrong_amount.total_vnd - 1000},{wrong_amount.number}\n"
        "2026-11-28,50000,chuyen tien an trua\n"
        "2026-11-28,abc,OC-0000-000000\n"
    )
    _admin_client(client, login_as)
    response = client.post("/payments/admin/bank-transfers/import",
                           data={"statement": (io.BytesIO(csv_text.encode()), "statement.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1" in page and exact.number in page
    exact, wrong_amount = reload_order(exact), reload_order(wrong_amount)
    assert exact.producer_orders[0].status == OrderStatus.PAID
    assert wrong_amount.producer_orders[0].status == OrderStatus.PENDING_PAYMENT
    assert page.count("<li>") >= 4
    # The report lists the one matched line and the three others, each under its own heading.
    matched = re.search(r'class="plain-list report-matched">(.*?)</ul>', page, re.S).group(1)
    unmatched = re.search(r'class="plain-list report-unmatched">(.*?)</ul>', page, re.S).group(1)
    assert matched.count("<li>") == 1 and exact.number in matched
    assert unmatched.count("<li>") == 3 and wrong_amount.number in unmatched and exact.number not in unmatched


@pytest.mark.parametrize(("content", "filename"), [
    (b"", "empty.csv"), (b"when,how much\n1,2\n", "bad-header.csv"), (b"\xff\xfe\x00bad", "binary.csv"),
])
def test_bad_statement_files_are_refused_with_a_message(client, login_as, content, filename):
    """Empty, wrongly headed or non-UTF-8 files are refused (400) and no order changes."""
    order = place(make_user(), [make_product()], method="vietqr")
    db.session.commit()
    _admin_client(client, login_as)
    response = client.post("/payments/admin/bank-transfers/import",
                           data={"statement": (io.BytesIO(content), filename)}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert reload_order(order).producer_orders[0].status == OrderStatus.PENDING_PAYMENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        __import__("marketplace.ledger.models", fromlist=["SaleEntry"]).SaleEntry)) == 0


def test_unpaid_bank_transfer_orders_expire_and_release_stock(runner):
    """flask payments expire-unpaid cancels a bank-transfer order past its time and gives the units back."""
    from datetime import timedelta

    from marketplace.dates import utcnow
    from tests.orders.helpers import stock_of

    product = make_product(stock=4)
    order = place(make_user(), [product], method="vietqr", quantity=2)
    order.expires_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    result = runner.invoke(args=["payments", "expire-unpaid"])
    assert result.exit_code == 0, result.output
    db.session.refresh(order.producer_orders[0])
    assert order.producer_orders[0].status == OrderStatus.CANCELLED
    assert stock_of(product) == 4
