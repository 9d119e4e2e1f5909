"""Who bears a voucher, through the statements: real checkouts with vouchers, paid by bank transfer (prepaid,
OCOP Market collects) or cash on delivery (the producer collects), then the producer's statement.

The rule (settlements.services): payable = platform-collected sales - commission + shipping - the discounts
the producer bears on prepaid orders + the discounts the platform bears on cash-on-delivery orders. So what
the producer ends up with (the cash it collected + what OCOP Market pays it) is lower by exactly the
discount it bears, and unchanged by one OCOP Market bears.
"""

from datetime import date

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle
from marketplace.orders.queries import reload_order, sub_order_for
from marketplace.payments import bank_transfer, cash, refunds
from marketplace.settlements import services
from marketplace.settlements.fees import order_fees
from marketplace.settlements.models import Collector
from marketplace.vouchers.models import CostBearer, VoucherKind
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import address
from tests.settlements.sample import vn
from tests.vouchers.helpers import make_voucher

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 15))
TODAY = date(2026, 11, 28)
PRICE, SHIPPING = 200_000, 30_000
#: The default commission (10 %) on one unit.
COMMISSION = 20_000


class Shop:
    """A producer selling one product at 200.000 ₫ with a 30.000 ₫ shipping fee, and a member who ships."""

    def __init__(self):
        self.producer = make_producer(shipping_fee_vnd=SHIPPING)
        self.product = make_product(producer=self.producer, price_vnd=PRICE, stock=20)
        self.member = make_user(role=Role.PRODUCER, producer=self.producer)


def sell(shop, monkeypatch, *, code=None, method="vietqr", when=None):
    """A new buyer checks out one unit with the code; the order is paid by transfer (prepaid) or delivered and
    paid in cash (COD). The sale lands in the ledger at `when` (5 October by default)."""
    monkeypatch.setattr(lifecycle, "utcnow", lambda: when or vn(2026, 10, 5))
    buyer = make_user()
    carts.add_to_cart(shop.product.id, 1, user=buyer)
    order, _created = checkout.place_order(buyer, address=address(), payment_method=method,
                                           token=checkout.new_checkout_token(), voucher_code=code)
    if method == "cod":
        sub = reload_order(order).producer_orders[0]
        lifecycle.confirm_sub_order(sub, actor=shop.member)
        lifecycle.ship_sub_order(sub, actor=shop.member, carrier="VNPost", tracking_number=f"VN{order.id}")
        cash.deliver_sub_order(sub, actor=shop.member, cash_collected=True)
    else:
        bank_transfer.mark_transfer_received(order, actor=make_user(role=Role.ADMIN))
    # As the producer's order screen loads it.
    return sub_order_for(shop.member, reload_order(order).producer_orders[0].id)


def refund(sub, monkeypatch, when):
    """The producer refunds the whole sub-order (the ledger reverses its sales at `when`)."""
    monkeypatch.setattr(lifecycle, "utcnow", lambda: when)
    refunds.refund_sub_order(sub, actor=make_user(role=Role.ADMIN), reason="damaged in transit")


def build(shop, period=OCTOBER):
    return services.build_statement(shop.producer, *period, today=TODAY)


def producer_ends_with(statement, subs) -> int:
    """Cash the producer collected itself (cash on delivery) plus what OCOP Market pays it."""
    collected = sum(sub.total_vnd for sub in subs if str(sub.order.payment_method) == "cod")
    return collected + statement.net_payable_vnd


def voucher(kind, bearer, shop, code):
    """A code of this kind: 25.000 ₫ off, or free shipping; a producer-borne one is for the shop's products."""
    amount = 25_000 if kind == VoucherKind.FIXED else None
    return make_voucher(code, kind=kind, amount_vnd=amount, bearer=bearer,
                        producer=shop.producer if bearer == CostBearer.PRODUCER else None, per_user_limit=None)


# Each case: kind, bearer, payment method, how much the statement's payable changes, and how much the
# producer's money changes (cash it collected + payable), compared with the same sale without a voucher.
CASES = [
    (VoucherKind.FIXED, CostBearer.PRODUCER, "vietqr", -25_000, -25_000),
    (VoucherKind.FIXED, CostBearer.PLATFORM, "vietqr", 0, 0),
    (VoucherKind.FIXED, CostBearer.PLATFORM, "cod", +25_000, 0),
    (VoucherKind.FIXED, CostBearer.PRODUCER, "cod", 0, -25_000),
    (VoucherKind.FREE_SHIPPING, CostBearer.PRODUCER, "vietqr", -SHIPPING, -SHIPPING),
    (VoucherKind.FREE_SHIPPING, CostBearer.PLATFORM, "vietqr", 0, 0),
    (VoucherKind.FREE_SHIPPING, CostBearer.PLATFORM, "cod", +SHIPPING, 0),
    (VoucherKind.FREE_SHIPPING, CostBearer.PRODUCER, "cod", 0, -SHIPPING),
]


@pytest.mark.parametrize(("kind", "bearer", "method", "payable_change", "money_change"), CASES,
                         ids=[f"{kind}-{bearer}-{method}" for kind, bearer, method, _p, _m in CASES])
def test_a_voucher_changes_the_payout_only_by_what_the_producer_bears(monkeypatch, kind, bearer, method,
                                                                       payable_change, money_change):
    """Two identical shops, one sale each; one buyer uses a voucher: the statements differ by exactly the rule."""
    plain, discounted = Shop(), Shop()
    voucher(kind, bearer, discounted, "GIAM")
    plain_sub = sell(plain, monkeypatch, method=method)
    sub = sell(discounted, monkeypatch, code="giam", method=method)
    discount = 25_000 if kind == VoucherKind.FIXED else SHIPPING
    assert sub.discount_vnd + sub.shipping_discount_vnd == discount and sub.discount_bearer == bearer
    baseline, statement = build(plain), build(discounted)
    assert baseline.net_payable_vnd == (PRICE - COMMISSION + SHIPPING if method == "vietqr" else -COMMISSION)
    assert statement.net_payable_vnd - baseline.net_payable_vnd == payable_change
    assert producer_ends_with(statement, [sub]) - producer_ends_with(baseline, [plain_sub]) == money_change
    # Commission is on the price before the discount; the discount is recorded by who bears it.
    assert statement.commission_vnd == baseline.commission_vnd == COMMISSION
    assert (statement.discounts_vnd, statement.platform_discounts_vnd) == (
        (discount, 0) if bearer == CostBearer.PRODUCER else (0, discount))
    [section] = statement.sections
    assert section.collected_by == (Collector.MARKETPLACE if method == "vietqr" else Collector.PRODUCER)
    # The producer's order screen says the same as the statement.
    fees = order_fees(sub)
    assert fees.producer_earns_vnd == PRICE + SHIPPING - COMMISSION + min(money_change, 0)
    assert fees.balance_vnd == statement.net_payable_vnd


def test_producer_voucher_on_a_prepaid_order_lowers_the_payout_by_exactly_the_discount(monkeypatch):
    """10 % off a 200.000 ₫ product, borne by the producer, paid by transfer: 200.000 - 20.000 commission +
    30.000 shipping - 20.000 discount = 190.000 ₫ (the buyer paid OCOP Market 210.000 ₫)."""
    shop = Shop()
    make_voucher("SHOP10", percent=10, producer=shop.producer, bearer=CostBearer.PRODUCER)
    sub = sell(shop, monkeypatch, code="shop10")
    assert sub.total_vnd == 210_000
    statement = build(shop)
    assert (statement.platform_sales_vnd, statement.commission_vnd, statement.shipping_fees_vnd) == (
        200_000, 20_000, 30_000)
    assert statement.discounts_vnd == 20_000 and statement.net_payable_vnd == 190_000
    [section] = statement.sections
    assert (section.producer_discounts_vnd, section.platform_discounts_vnd, section.due_vnd) == (20_000, 0, 160_000)


def test_platform_voucher_on_two_orders_prepaid_and_cod(monkeypatch):
    """The same platform code on a prepaid and a cash-on-delivery order of one shop: the prepaid section is
    paid in full, the COD section gets the discount back; one statement, a section per way of paying."""
    shop = Shop()
    make_voucher("TET", percent=10, per_user_limit=None)
    sell(shop, monkeypatch, code="tet")
    sell(shop, monkeypatch, code="tet", method="cod")
    statement = build(shop)
    prepaid, cod = statement.sections
    assert (prepaid.collected_by, prepaid.platform_discounts_vnd, prepaid.due_vnd) == (
        Collector.MARKETPLACE, 20_000, 180_000)
    assert (cod.collected_by, cod.platform_discounts_vnd, cod.due_vnd) == (Collector.PRODUCER, 20_000, 0)
    assert statement.net_payable_vnd == 180_000 + 0 + SHIPPING
    assert statement.platform_discounts_vnd == 40_000 and statement.discounts_vnd == 0


@pytest.mark.parametrize(("kind", "bearer", "method"), [
    (VoucherKind.FIXED, CostBearer.PRODUCER, "vietqr"),
    (VoucherKind.FIXED, CostBearer.PLATFORM, "cod"),
    (VoucherKind.FREE_SHIPPING, CostBearer.PRODUCER, "vietqr"),
    (VoucherKind.FREE_SHIPPING, CostBearer.PLATFORM, "cod"),
])
def test_refund_of_a_discounted_order_in_a_later_statement_reverses_it_exactly(monkeypatch, kind, bearer, method):
    """Sold in October (settled), refunded in November: November's statement is October's negated, discount
    and shipping included, so over both the producer is owed nothing."""
    shop = Shop()
    voucher(kind, bearer, shop, "HOAN")
    sub = sell(shop, monkeypatch, code="hoan", method=method)
    october = build(shop)
    refund(sub, monkeypatch, vn(2026, 11, 3))
    november = build(shop, NOVEMBER)
    assert november.net_payable_vnd == -october.net_payable_vnd != 0
    assert november.discounts_vnd == -october.discounts_vnd
    assert november.platform_discounts_vnd == -october.platform_discounts_vnd
    assert november.commission_vnd == -october.commission_vnd


def test_refund_in_the_same_period_leaves_nothing_to_pay(monkeypatch):
    """A producer-borne voucher order paid and refunded within October: sales, commission, shipping and the
    discount all cancel out."""
    shop = Shop()
    make_voucher("SHOP10", percent=10, producer=shop.producer, bearer=CostBearer.PRODUCER)
    sub = sell(shop, monkeypatch, code="shop10")
    refund(sub, monkeypatch, vn(2026, 10, 9))
    statement = build(shop)
    assert (statement.platform_sales_vnd, statement.platform_refunds_vnd) == (200_000, 200_000)
    assert statement.commission_vnd == statement.shipping_fees_vnd == statement.discounts_vnd == 0
    assert statement.net_payable_vnd == 0


def test_the_statement_page_says_who_bore_each_discount(client, login_as, monkeypatch):
    """The producer's page (Vietnamese) shows the discounts by who bore them, what each does to the money and
    the rule; the office's page names the producer instead of "you"; the spreadsheet has the same lines."""
    shop = Shop()
    make_voucher("SHOP10", percent=10, producer=shop.producer, bearer=CostBearer.PRODUCER, per_user_limit=None)
    make_voucher("TET", kind=VoucherKind.FIXED, amount_vnd=15_000, per_user_limit=None)
    sell(shop, monkeypatch, code="shop10")
    sell(shop, monkeypatch, code="tet", method="cod")
    statement = build(shop)
    assert statement.net_payable_vnd == (PRICE - COMMISSION + SHIPPING - 20_000) + (15_000 - COMMISSION)
    db.session.commit()
    login_as(shop.member)
    page = client.get(f"/manage/statements/{statement.id}?lang=vi").get_data(as_text=True)
    for text in ("Mã giảm giá bạn chịu, trừ vào tiền Chợ OCOP đã thu", "− 20.000\xa0₫",
                 "Mã giảm giá Chợ OCOP chịu: người mua đã trả bạn ít tiền mặt hơn đúng khoản này, nên Chợ OCOP trả"
                 " lại bạn", "+ 15.000\xa0₫", "Bạn chịu: 20.000\xa0₫ · Chợ OCOP chịu: 15.000\xa0₫",
                 "Hoa hồng tính trên giá trước khi giảm.",
                 f"Chợ OCOP trả bạn {statement.net_payable_vnd:,}".replace(",", ".")):
        assert text in page, text
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    login_as(admin)
    office = client.get(f"/admin/statements/{statement.id}?lang=vi").get_data(as_text=True)
    assert f"Mã giảm giá {shop.producer.name} chịu, trừ vào tiền Chợ OCOP đã thu" in office
    assert "Mã giảm giá bạn chịu" not in office
    exported = client.get(f"/admin/statements/{statement.id}.xlsx?lang=vi")
    assert exported.status_code == 200

    from io import BytesIO

    from openpyxl import load_workbook
    rows = [[cell for cell in row] for row in load_workbook(BytesIO(exported.data)).active.iter_rows(values_only=True)]
    assert [f"Mã giảm giá {shop.producer.name} chịu, trừ vào tiền Chợ OCOP đã thu", None, None, None, None, None,
            20_000] in rows
