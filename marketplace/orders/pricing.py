"""What a cart costs: the one place that computes line totals, each shop's subtotal and shipping fee,
discounts and the total. The cart page, the checkout page and the placed order all read these figures.

Discounts are always 0 today; promotions will compute them here.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Totals:
    """Money figures of one shop's part of a cart, or of the whole cart (VND)."""

    subtotal_vnd: int
    shipping_vnd: int
    discounts_vnd: int = 0

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.shipping_vnd - self.discounts_vnd


def line_total(unit_price_vnd: int, quantity: int) -> int:
    return unit_price_vnd * quantity


def shipping_fee_for(producer, subtotal_vnd: int) -> int:
    """The producer's flat fee, or 0 at or above its free-shipping threshold."""
    threshold = producer.free_shipping_threshold_vnd
    if threshold is not None and subtotal_vnd >= threshold:
        return 0
    return producer.shipping_fee_vnd or 0


def shop_totals(producer, line_totals: Iterable[int]) -> Totals:
    """One shop's part: its lines, its shipping fee (no discounts yet)."""
    subtotal = sum(line_totals)
    return Totals(subtotal_vnd=subtotal, shipping_vnd=shipping_fee_for(producer, subtotal), discounts_vnd=0)


def cart_totals(shops: Iterable[Totals]) -> Totals:
    """The whole cart: the sum of its shops."""
    shops = list(shops)
    return Totals(subtotal_vnd=sum(t.subtotal_vnd for t in shops), shipping_vnd=sum(t.shipping_vnd for t in shops),
                  discounts_vnd=sum(t.discounts_vnd for t in shops))


def free_shipping_gap(producer, totals: Totals) -> int | None:
    """How much more to buy from this shop for free shipping (None when not applicable)."""
    threshold = producer.free_shipping_threshold_vnd
    if threshold is None or totals.shipping_vnd == 0:
        return None
    return threshold - totals.subtotal_vnd
