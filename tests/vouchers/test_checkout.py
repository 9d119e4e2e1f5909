"""Vouchers through the cart and the checkout: every refusal, the discount recorded per sub-order and line,
the per-buyer limit, the use given back (once) when an order is cancelled or expires unpaid, and the
ledger's discount columns."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle
from marketplace.orders.queries import reload_order
from marketplace.orders.status import OrderStatus
from marketplace.payments import bank_transfer, cash, refunds
from marketplace.payments.expiry import expire_unpaid_order
from marketplace.vouchers.models import CostBearer, Voucher, VoucherKind, VoucherRedemption, VoucherUse
from marketplace.vouchers.rules import VoucherRefused
from marketplace.vouchers.status import VoucherStatus
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import address
from tests.vouchers.helpers import make_voucher

S = OrderStatus
pytestmark = pytest.mark.usefixtures("english_request_context")


def _fill(buyer, *products, quantity=1):
    for product in products:
        carts.add_to_cart(product.id, quantity, user=buyer)


def _place(buyer, code, *, method="cod", token=None):
    order, _created = checkout.place_order(buyer, address=address(), payment_method=method,
                                           token=token or checkout.new_checkout_token(), voucher_code=code)
    return order


def _refusal(buyer, code) -> VoucherRefused:
    summary = carts.load_cart(user=buyer, voucher_code=code)
    assert summary.voucher is None
    return summary.voucher_refusal


def _used(voucher) -> int:
    return db.session.scalar(sa.select(Voucher.used_count).where(Voucher.id == voucher.id))


def _buyer_uses(voucher, buyer) -> int:
    return db.session.scalar(sa.select(VoucherUse.used_count).where(
        VoucherUse.voucher_id == voucher.id, VoucherUse.user_id == buyer.id)) or 0


# Refusals, each with its message in the buyer's language.

def test_unknown_and_empty_codes_are_refused_with_what_was_typed():
    """A code nobody created, or nothing typed, is refused and says so."""
    buyer = make_user()
    _fill(buyer, make_product())
    refusal = _refusal(buyer, "khong-co")
    assert refusal.reason == "unknown" and "KHONG-CO" in refusal.message
    assert _refusal(buyer, "   ").reason == "empty"


def test_expired_and_not_yet_valid_codes_are_refused_with_their_dates():
    """Validity is counted in Vietnam days: before the first day and after the last day the code is refused."""
    buyer = make_user()
    _fill(buyer, make_product())
    today = today_vn()
    make_voucher("CUCU", valid_from=today - timedelta(days=10), valid_until=today - timedelta(days=1))
    make_voucher("SAP", valid_from=today + timedelta(days=2), valid_until=today + timedelta(days=9))
    expired = _refusal(buyer, "cucu")
    assert expired.reason == "expired" and (today - timedelta(days=1)).strftime("%d/%m/%Y") in expired.message
    early = _refusal(buyer, "sap")
    assert early.reason == "not_yet_valid" and (today + timedelta(days=2)).strftime("%d/%m/%Y") in early.message


def test_the_last_day_is_included():
    """A code whose last day is today still works today."""
    buyer = make_user()
    _fill(buyer, make_product(price_vnd=100_000))
    make_voucher("HOMNAY", valid_until=today_vn(), valid_from=today_vn())
    assert carts.load_cart(user=buyer, voucher_code="homnay").discounts_vnd == 10_000


def test_minimum_order_not_reached_says_how_much_is_missing():
    """A 300.000 ₫ minimum on a 125.000 ₫ cart: refused, saying 175.000 ₫ more is needed."""
    buyer = make_user()
    _fill(buyer, make_product(price_vnd=125_000))
    make_voucher("TOITHIEU", min_order_vnd=300_000)
    refusal = _refusal(buyer, "toithieu")
    assert refusal.reason == "minimum_not_reached" and "175.000" in refusal.message


def test_used_up_paused_and_other_shops_codes_are_refused():
    """No use left, paused by its owner, or only for another shop's products: each refusal says which."""
    buyer = make_user()
    _fill(buyer, make_product())
    make_voucher("HET", total_limit=1).used_count = 1
    make_voucher("TAM", status=VoucherStatus.PAUSED)
    other_shop = make_producer(name="HTX Chè Tân Cương")
    make_voucher("SHOPKHAC", producer=other_shop, bearer=CostBearer.PRODUCER)
    make_voucher("SANPHAM", products=[make_product()])
    db.session.flush()
    assert _refusal(buyer, "het").reason == "used_up"
    assert _refusal(buyer, "tam").reason == "paused"
    shop = _refusal(buyer, "shopkhac")
    assert shop.reason == "not_for_these_products" and "HTX Chè Tân Cương" in shop.message
    assert _refusal(buyer, "sanpham").reason == "not_for_these_products"


def test_already_used_by_this_buyer_and_first_orders_only():
    """A one-per-buyer code cannot be used on a second order; a first-order code not after a first order."""
    buyer = make_user()
    product = make_product(price_vnd=100_000, stock=20)
    make_voucher("MOTLAN")
    _fill(buyer, product)
    _place(buyer, "motlan")
    _fill(buyer, product)
    refusal = _refusal(buyer, "motlan")
    assert refusal.reason == "already_used" and "already used" in refusal.message
    make_voucher("DAUTIEN", first_order_only=True, per_user_limit=None)
    assert _refusal(buyer, "dautien").reason == "first_order_only"
    newcomer = make_user()
    _fill(newcomer, product)
    assert carts.load_cart(user=newcomer, voucher_code="dautien").voucher is not None


def test_free_shipping_on_a_shop_that_ships_free_takes_nothing_off():
    """A free-shipping code on a cart whose shops already ship free is refused (it would change nothing)."""
    buyer = make_user()
    shop = make_producer(shipping_fee_vnd=0)
    _fill(buyer, make_product(producer=shop))
    make_voucher("FREESHIP", kind=VoucherKind.FREE_SHIPPING)
    assert _refusal(buyer, "freeship").reason == "nothing_to_discount"


def test_a_refused_voucher_at_checkout_places_nothing():
    """place_order refuses the whole order when the voucher cannot be used: no order, no stock taken."""
    buyer = make_user()
    product = make_product(price_vnd=50_000, stock=5)
    _fill(buyer, product)
    make_voucher("LON", min_order_vnd=1_000_000)
    with pytest.raises(VoucherRefused):
        _place(buyer, "lon")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoucherRedemption)) == 0
    assert carts.load_cart(user=buyer).items[0].available == 5


# What an order with a voucher records.

def test_platform_voucher_over_two_shops_is_recorded_per_sub_order_and_line():
    """10 % of two shops' products: the order, each sub-order and each line carry their share; totals add up."""
    buyer = make_user()
    tea = make_producer(name="A tea", shipping_fee_vnd=30_000)
    honey = make_producer(name="B honey", shipping_fee_vnd=20_000)
    _fill(buyer, make_product(producer=tea, price_vnd=111_111), make_product(producer=honey, price_vnd=222_222))
    voucher = make_voucher("TET2027", percent=10)
    order = _place(buyer, "tet2027")
    assert (order.discount_vnd, order.shipping_discount_vnd, order.voucher_code) == (33_333, 0, "TET2027")
    assert order.total_vnd == 333_333 + 50_000 - 33_333
    first, second = order.producer_orders
    assert (first.discount_vnd, second.discount_vnd) == (11_111, 22_222)
    assert first.discount_bearer == second.discount_bearer == "platform"
    assert first.total_vnd + second.total_vnd == order.total_vnd
    assert [line.discount_vnd for sub in order.producer_orders for line in sub.lines] == [11_111, 22_222]
    assert _used(voucher) == 1 and _buyer_uses(voucher, buyer) == 1


def test_producer_voucher_lowers_only_its_own_shop():
    """A producer's 30.000 ₫ code on a two-shop cart: only its sub-order is discounted, borne by it."""
    buyer = make_user()
    shop = make_producer(name="A shop")
    other = make_producer(name="B other")
    _fill(buyer, make_product(producer=shop, price_vnd=100_000), make_product(producer=other, price_vnd=100_000))
    make_voucher("SHOP30", kind=VoucherKind.FIXED, amount_vnd=30_000, producer=shop, bearer=CostBearer.PRODUCER)
    order = _place(buyer, "shop30")
    own, foreign = order.producer_orders
    assert (own.discount_vnd, own.discount_bearer) == (30_000, "producer")
    assert (foreign.discount_vnd, foreign.discount_bearer) == (0, None)


def test_free_shipping_voucher_takes_the_shipping_off():
    """A free-shipping code: the shipping discount is on the order and the sub-order, the goods untouched."""
    buyer = make_user()
    shop = make_producer(shipping_fee_vnd=35_000)
    _fill(buyer, make_product(producer=shop, price_vnd=100_000))
    make_voucher("FREESHIP", kind=VoucherKind.FREE_SHIPPING)
    order = _place(buyer, "freeship")
    [sub] = order.producer_orders
    assert (order.discount_vnd, order.shipping_discount_vnd, order.total_vnd) == (0, 35_000, 100_000)
    assert (sub.shipping_discount_vnd, sub.total_vnd) == (35_000, 100_000)


# Giving the use back.

def test_cancelled_unpaid_order_gives_the_use_back_exactly_once():
    """Cancelling a COD order frees its use (total and per buyer); a second release does nothing."""
    from marketplace.vouchers.redemptions import release_for_order

    buyer = make_user()
    _fill(buyer, make_product())
    voucher = make_voucher("MOT", total_limit=1)
    order = _place(buyer, "mot")
    assert _used(voucher) == 1
    refunds.cancel_order_by_buyer(reload_order(order), actor=buyer, reason_code="changed_mind")
    assert _used(voucher) == 0 and _buyer_uses(voucher, buyer) == 0
    assert not release_for_order(order.id)
    assert _used(voucher) == 0
    redemption = db.session.scalar(sa.select(VoucherRedemption).where(VoucherRedemption.order_id == order.id))
    assert redemption.released_at is not None
    _fill(buyer, make_product())
    assert _place(buyer, "mot").voucher_code == "MOT"


def test_expired_unpaid_order_gives_the_use_back():
    """A bank-transfer order left unpaid past its time is cancelled by the expiry job and frees its use."""
    buyer = make_user()
    _fill(buyer, make_product())
    voucher = make_voucher("CHUYENKHOAN", total_limit=5)
    order = _place(buyer, "chuyenkhoan", method="vietqr")
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    expire_unpaid_order(reload_order(order))
    assert _used(voucher) == 0


def test_cancelling_one_shop_of_two_keeps_the_use():
    """The order still goes on with the other shop: the voucher's use is not given back."""
    buyer = make_user()
    _fill(buyer, make_product(producer=make_producer(name="A")), make_product(producer=make_producer(name="B")))
    voucher = make_voucher("HAISHOP")
    order = _place(buyer, "haishop")
    lifecycle.cancel_sub_order(order.producer_orders[0], actor=None, reason="out of season")
    assert _used(voucher) == 1


def test_a_refunded_paid_order_keeps_the_use():
    """Only an order cancelled before payment gives the use back; a paid order refunded does not."""
    buyer = make_user()
    _fill(buyer, make_product())
    voucher = make_voucher("DATRA")
    order = _place(buyer, "datra", method="vietqr")
    admin = make_user(role="admin")
    bank_transfer.mark_transfer_received(order, actor=admin)
    refunds.cancel_sub_order(reload_order(order).producer_orders[0], actor=admin, reason="buyer changed mind")
    assert _used(voucher) == 1


# The ledger.

def _entries():
    return list(db.session.scalars(sa.select(SaleEntry).order_by(SaleEntry.id)))


def test_ledger_sale_carries_the_discount_and_who_bears_it_and_the_reversal_mirrors_it():
    """A paid order with a producer-borne code: the sale entry has the discount and bearer; the refund's
    reversal has them negated with the same bearer."""
    buyer = make_user()
    shop = make_producer(shipping_fee_vnd=20_000)
    _fill(buyer, make_product(producer=shop, price_vnd=100_000))
    make_voucher("SHOP10", percent=10, producer=shop, bearer=CostBearer.PRODUCER)
    order = _place(buyer, "shop10", method="vietqr")
    admin = make_user(role="admin")
    bank_transfer.mark_transfer_received(order, actor=admin)
    [sale] = _entries()
    assert (sale.total_vnd, sale.discount_vnd, sale.shipping_discount_vnd, sale.discount_bearer) == (
        100_000, 10_000, 0, "producer")
    refunds.cancel_sub_order(reload_order(order).producer_orders[0], actor=admin, reason="damaged")
    _sale, reversal = _entries()
    assert (reversal.total_vnd, reversal.discount_vnd, reversal.discount_bearer) == (-100_000, -10_000, "producer")


def test_cod_sale_with_a_platform_free_shipping_code_records_the_shipping_discount():
    """Cash on delivery with a platform free-shipping code: at delivery the entry records the shipping
    discount borne by the platform; a sale without a voucher has no bearer."""
    producer = make_producer(shipping_fee_vnd=25_000)
    member = make_user(role="producer", producer=producer)
    buyer = make_user()
    _fill(buyer, make_product(producer=producer, price_vnd=80_000))
    make_voucher("FREESHIP", kind=VoucherKind.FREE_SHIPPING)
    order = _place(buyer, "freeship")
    sub = reload_order(order).producer_orders[0]
    lifecycle.confirm_sub_order(sub, actor=member)
    lifecycle.ship_sub_order(sub, actor=member, carrier="VNPost", tracking_number="VN1")
    cash.deliver_sub_order(sub, actor=member, cash_collected=True)
    [entry] = _entries()
    assert (entry.discount_vnd, entry.shipping_discount_vnd, entry.discount_bearer) == (0, 25_000, "platform")
    other_buyer = make_user()
    _fill(other_buyer, make_product(producer=producer))
    plain = _place(other_buyer, None)
    sub = reload_order(plain).producer_orders[0]
    lifecycle.confirm_sub_order(sub, actor=member)
    lifecycle.ship_sub_order(sub, actor=member, carrier="VNPost", tracking_number="VN2")
    cash.deliver_sub_order(sub, actor=member, cash_collected=True)
    assert (_entries()[-1].discount_vnd, _entries()[-1].discount_bearer) == (0, None)


def _campaign(*, chosen=(), rule_group_code=None):
    from marketplace.promotions.models import Campaign, CampaignProduct, SelectionKind

    campaign = Campaign(slug=f"qua-tet-{len(chosen)}-{rule_group_code}", title="Quà Tết OCOP", starts_on=today_vn(),
                        ends_on=today_vn() + timedelta(days=30),
                        selection=SelectionKind.RULE if rule_group_code else SelectionKind.CHOSEN,
                        rule_group_code=rule_group_code)
    db.session.add(campaign)
    db.session.flush()
    for position, product in enumerate(chosen):
        db.session.add(CampaignProduct(campaign_id=campaign.id, product_id=product.id, position=position))
    db.session.flush()
    return campaign


def test_campaign_voucher_applies_only_to_the_campaigns_products():
    """A code limited to a campaign: only the campaign's chosen products are discounted; a cart without any
    of them is refused naming the campaign. A rule campaign counts the products its rule matches."""
    buyer = make_user()
    chosen = make_product(price_vnd=100_000)
    other = make_product(price_vnd=100_000, group_code="4.1")
    make_voucher("QUATET", percent=10).campaign_id = _campaign(chosen=[chosen]).id
    _fill(buyer, chosen, other)
    summary = carts.load_cart(user=buyer, voucher_code="quatet")
    assert summary.discounts_vnd == 10_000
    carts.remove_products(buyer, [chosen.id])
    refusal = _refusal(buyer, "quatet")
    assert refusal.reason == "not_for_these_products" and "Quà Tết OCOP" in refusal.message
    make_voucher("THUCONG", percent=20).campaign_id = _campaign(rule_group_code="4.1").id
    db.session.flush()
    assert carts.load_cart(user=buyer, voucher_code="thucong").discounts_vnd == 20_000
