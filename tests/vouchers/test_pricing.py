"""The discount arithmetic of orders.pricing: rounding, caps, splitting over shops and lines, never negative."""

import pytest

from marketplace.orders import pricing
from marketplace.vouchers.models import Voucher, VoucherKind


def _voucher(kind, *, percent=None, amount_vnd=None, max_discount_vnd=None) -> Voucher:
    return Voucher(kind=kind, percent=percent, amount_vnd=amount_vnd, max_discount_vnd=max_discount_vnd)


def _shop(shipping, *lines):
    return pricing.ShopLines(shipping, [(key, total, eligible) for key, total, eligible in lines])


def test_percentage_is_rounded_down_to_the_dong():
    """15 % of 99.999 ₫ is 14.999 ₫ (14.999,85 rounded down), never rounded up."""
    assert pricing.percent_of(99_999, 15) == 14_999
    assert pricing.percent_of(100_000, 15) == 15_000
    assert pricing.percent_of(1, 99) == 0


def test_percentage_is_capped_by_the_maximum():
    """20 % of 1.000.000 ₫ with a cap of 50.000 ₫ takes 50.000 ₫ off."""
    [part] = pricing.voucher_discounts(_voucher(VoucherKind.PERCENT, percent=20, max_discount_vnd=50_000),
                                       [_shop(30_000, ("a", 1_000_000, True))])
    assert (part.discount_vnd, part.shipping_discount_vnd) == (50_000, 0)


def test_fixed_amount_never_exceeds_the_eligible_products():
    """A 200.000 ₫ code on 150.000 ₫ of eligible products takes 150.000 ₫ off; the total never goes below zero."""
    shops = [_shop(30_000, ("a", 150_000, True), ("b", 90_000, False))]
    [part] = pricing.voucher_discounts(_voucher(VoucherKind.FIXED, amount_vnd=200_000), shops)
    assert part.discount_vnd == 150_000
    assert part.line_discounts == {"a": 150_000, "b": 0}
    totals = pricing.Totals(subtotal_vnd=240_000, shipping_vnd=30_000, discounts_vnd=part.discount_vnd)
    assert totals.total_vnd == 120_000 >= 0


def test_free_shipping_covers_only_shops_with_eligible_products_up_to_the_cap():
    """Two shops ship at 30.000 and 25.000 ₫; the voucher is for the first shop's products: 30.000 ₫ off."""
    shops = [_shop(30_000, ("a", 100_000, True)), _shop(25_000, ("b", 100_000, False))]
    first, second = pricing.voucher_discounts(_voucher(VoucherKind.FREE_SHIPPING), shops)
    assert (first.shipping_discount_vnd, second.shipping_discount_vnd) == (30_000, 0)
    assert first.discount_vnd == second.discount_vnd == 0
    capped = pricing.voucher_discounts(_voucher(VoucherKind.FREE_SHIPPING, max_discount_vnd=20_000), shops)
    assert [part.shipping_discount_vnd for part in capped] == [20_000, 0]


def test_a_shop_shipping_discount_larger_than_its_lines_is_still_split_exactly():
    """A 30.000 ₫ shipping discount on one 20.000 ₫ line goes entirely on that line (nothing lost)."""
    [part] = pricing.voucher_discounts(_voucher(VoucherKind.FREE_SHIPPING), [_shop(30_000, ("a", 20_000, True))])
    assert part.line_shipping_discounts == {"a": 30_000}


@pytest.mark.parametrize(("amount", "weights", "expected"), [
    (100, [1, 1, 1], [34, 33, 33]),            # one đồng left over: the first of the tied remainders
    (10_000, [50_000, 30_000, 20_000], [5_000, 3_000, 2_000]),
    (7, [3, 3], [4, 3]),
    (5, [0, 10], [0, 5]),                      # a zero weight gets nothing
    (0, [5, 5], [0, 0]),
    (5, [0, 0], [0, 0]),
    (10, [1, 2, 7], [1, 2, 7]),
    (11, [2, 2, 6], [2, 2, 7]),                # remainders 0.2, 0.2, 0.6: the largest gets the đồng
])
def test_allocation_adds_up_exactly_by_largest_remainder(amount, weights, expected):
    """Parts add up to the amount, none exceeds its weight when the amount fits, leftovers by largest remainder."""
    parts = pricing.allocate(amount, weights)
    assert parts == expected
    if sum(weights):
        assert sum(parts) == amount
    if amount <= sum(weights):
        assert all(part <= weight for part, weight in zip(parts, weights, strict=True))


def test_percentage_over_two_shops_is_split_in_proportion_and_adds_up():
    """10 % of 333.333 ₫ over shops of 111.111 and 222.222 ₫: 33.333 ₫ split 11.111 / 22.222."""
    shops = [_shop(0, ("a", 111_111, True)), _shop(0, ("b", 222_222, True))]
    parts = pricing.voucher_discounts(_voucher(VoucherKind.PERCENT, percent=10), shops)
    assert [part.discount_vnd for part in parts] == [11_111, 22_222]
    assert sum(part.discount_vnd for part in parts) == pricing.percent_of(333_333, 10)
