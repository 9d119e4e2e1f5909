"""What a cart costs: the one place that computes line totals, each shop's subtotal and shipping fee,
discounts and the total. The cart page, the checkout page and the placed order all read these figures.

A voucher's discount (vouchers decides whether it may be used; the arithmetic is here):
- percentage: the eligible products' subtotal times the percentage, ROUNDED DOWN to the whole đồng
  (15 % of 99.999 ₫ is 14.999 ₫, never 15.000 ₫), then capped by the voucher's maximum;
- fixed amount: the amount, but never more than the eligible products' subtotal;
- free shipping: the shipping fees of the shops with eligible products, capped by the voucher's maximum.
A discount is split over the shops, then over each shop's lines, in proportion to what it applies to, by
the largest-remainder rule: every part is rounded down, then the đồng left over go one each to the parts
with the largest remainders (the first such part on a tie). So the parts always add up exactly, no part is
more than what it is taken off, and no total can go below zero.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from marketplace.vouchers.models import Voucher, VoucherKind


@dataclass(frozen=True)
class Totals:
    """Money figures of one shop's part of a cart, or of the whole cart (VND)."""

    subtotal_vnd: int
    shipping_vnd: int
    #: A voucher's discount off the products, and off the shipping.
    discounts_vnd: int = 0
    shipping_discount_vnd: int = 0

    @property
    def all_discounts_vnd(self) -> int:
        return self.discounts_vnd + self.shipping_discount_vnd

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.shipping_vnd - self.discounts_vnd - self.shipping_discount_vnd


def line_total(unit_price_vnd: int, quantity: int) -> int:
    return unit_price_vnd * quantity


def shipping_fee_for(producer, subtotal_vnd: int) -> int:
    """The producer's flat fee, or 0 at or above its free-shipping threshold."""
    threshold = producer.free_shipping_threshold_vnd
    if threshold is not None and subtotal_vnd >= threshold:
        return 0
    return producer.shipping_fee_vnd or 0


def shop_totals(producer, line_totals: Iterable[int], *, discounts_vnd: int = 0,
                shipping_discount_vnd: int = 0) -> Totals:
    """One shop's part: its lines, its shipping fee and its share of a voucher's discount."""
    subtotal = sum(line_totals)
    return Totals(subtotal_vnd=subtotal, shipping_vnd=shipping_fee_for(producer, subtotal),
                  discounts_vnd=discounts_vnd, shipping_discount_vnd=shipping_discount_vnd)


def cart_totals(shops: Iterable[Totals]) -> Totals:
    """The whole cart: the sum of its shops."""
    shops = list(shops)
    return Totals(subtotal_vnd=sum(t.subtotal_vnd for t in shops), shipping_vnd=sum(t.shipping_vnd for t in shops),
                  discounts_vnd=sum(t.discounts_vnd for t in shops),
                  shipping_discount_vnd=sum(t.shipping_discount_vnd for t in shops))


def free_shipping_gap(producer, totals: Totals) -> int | None:
    """How much more to buy from this shop for free shipping (None when not applicable)."""
    threshold = producer.free_shipping_threshold_vnd
    if threshold is None or totals.shipping_vnd == 0:
        return None
    return threshold - totals.subtotal_vnd


def percent_of(amount_vnd: int, percent: int) -> int:
    """`percent` % of an amount, rounded down to the whole đồng (integer arithmetic, no float)."""
    return amount_vnd * percent // 100


def allocate(amount_vnd: int, weights: Sequence[int]) -> list[int]:
    """Split an amount over parts in proportion to their weights (largest remainder; see the module doc).

    The parts add up to the amount; with amount <= sum(weights) no part exceeds its weight; a zero weight
    gets nothing (and nothing is given out when every weight is zero).
    """
    whole = sum(weights)
    if amount_vnd <= 0 or whole <= 0:
        return [0] * len(weights)
    parts = [amount_vnd * weight // whole for weight in weights]
    remainders = [amount_vnd * weight % whole for weight in weights]
    left = amount_vnd - sum(parts)
    # Largest remainders first; on a tie the earlier part (sorted() is stable).
    for index in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        parts[index] += 1
    return parts


@dataclass(frozen=True)
class ShopLines:
    """What a voucher's arithmetic needs of one shop: its shipping fee, and each line's key, total and
    whether the voucher applies to it."""

    shipping_vnd: int
    lines: Sequence[tuple[object, int, bool]]

    @property
    def eligible_vnd(self) -> int:
        return sum(total for _key, total, eligible in self.lines if eligible)


@dataclass
class ShopDiscount:
    """One shop's share of a voucher's discount, and each line's share (by line key)."""

    discount_vnd: int = 0
    shipping_discount_vnd: int = 0
    line_discounts: dict = field(default_factory=dict)
    line_shipping_discounts: dict = field(default_factory=dict)


def voucher_discounts(voucher: Voucher, shops: Sequence[ShopLines]) -> list[ShopDiscount]:
    """A voucher's discount split over the shops and their lines (the rules in the module doc)."""
    eligible = [shop.eligible_vnd for shop in shops]
    goods_total = shipping_total = 0
    if voucher.kind == VoucherKind.PERCENT:
        goods_total = percent_of(sum(eligible), voucher.percent or 0)
        if voucher.max_discount_vnd is not None:
            goods_total = min(goods_total, voucher.max_discount_vnd)
    elif voucher.kind == VoucherKind.FIXED:
        goods_total = min(voucher.amount_vnd or 0, sum(eligible))
    shipping = [shop.shipping_vnd if amount > 0 else 0 for shop, amount in zip(shops, eligible, strict=True)]
    if voucher.kind == VoucherKind.FREE_SHIPPING:
        shipping_total = sum(shipping)
        if voucher.max_discount_vnd is not None:
            shipping_total = min(shipping_total, voucher.max_discount_vnd)
    result = []
    for shop, goods, ship in zip(shops, allocate(goods_total, eligible), allocate(shipping_total, shipping),
                                 strict=True):
        keys = [key for key, _total, _eligible in shop.lines]
        line_goods = allocate(goods, [total if ok else 0 for _key, total, ok in shop.lines])
        line_ship = allocate(ship, [total for _key, total, _ok in shop.lines])
        result.append(ShopDiscount(goods, ship, dict(zip(keys, line_goods, strict=True)),
                                   dict(zip(keys, line_ship, strict=True))))
    return result
