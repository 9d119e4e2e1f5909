"""Whether a voucher may be used on a cart, and why not: every refusal is a VoucherRefused whose message the
buyer reads (in their language) and whose `reason` says which rule refused.

The checks run in this order, so the buyer hears the most useful reason first: unknown code, paused, not yet
valid, expired, used up, not for these products, minimum not reached, nothing to take off (free shipping on
free-shipping shops), first orders only, already used by you.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.i18n import format_date
from marketplace.money import format_vnd
from marketplace.promotions import campaigns
from marketplace.promotions.models import Campaign, SelectionKind
from marketplace.vouchers.models import CODE_MAX_LENGTH, Voucher, VoucherKind, VoucherUse
from marketplace.vouchers.status import VoucherStatus

_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]*", re.ASCII)


class VoucherRefused(DomainError):
    """This voucher cannot be used here; `reason` is one of the REASONS, `message` what the buyer reads."""

    def __init__(self, reason: str, message: str):
        super().__init__(message, reason=reason)
        self.reason = reason


#: Every refusal's reason code (tests and callers compare these, never the message).
REASONS = ("empty", "unknown", "paused", "not_yet_valid", "expired", "used_up", "not_for_these_products",
           "minimum_not_reached", "nothing_to_discount", "first_order_only", "already_used")


def normalise_code(text) -> str:
    """What the buyer typed, trimmed, without inner spaces, upper-case ("tet 2027" -> "TET2027")."""
    return "".join(str(text or "").split()).upper()[:CODE_MAX_LENGTH + 1]


def is_valid_code(code: str) -> bool:
    """Letters A-Z, digits and hyphens, 3 to CODE_MAX_LENGTH characters, starting with a letter or digit."""
    return 3 <= len(code) <= CODE_MAX_LENGTH and _CODE.fullmatch(code) is not None


def find_voucher(text) -> Voucher:
    """The voucher with this code (any case, spaces ignored), with its product set; refused when unknown."""
    code = normalise_code(text)
    if not code:
        raise VoucherRefused("empty", _("Please enter a voucher code."))
    voucher = None
    if is_valid_code(code):
        voucher = db.session.scalar(sa.select(Voucher).where(Voucher.code == code)
                                    .options(selectinload(Voucher.products), selectinload(Voucher.producer),
                                             selectinload(Voucher.campaign))
                                    .execution_options(populate_existing=True))
    if voucher is None:
        raise VoucherRefused("unknown", _("There is no voucher with the code “%(code)s”. Please check it.",
                                          code=code[:CODE_MAX_LENGTH]))
    return voucher


def _campaign_product_ids(campaign: Campaign, ids: set[int]) -> set[int]:
    """Which of these product ids are in the campaign (its chosen products, or the public ones its rule matches)."""
    if campaign.selection == SelectionKind.RULE:
        return set(db.session.scalars(campaigns.rule_statement(campaign).where(Product.id.in_(ids))))
    return set(campaigns.chosen_ids(campaign)) & ids


def eligible_product_ids(voucher: Voucher, products: Iterable) -> set[int]:
    """The ids of these products (with .id and .producer_id) the voucher takes money off: its producer's,
    in its product set, in its campaign (each limit that is set)."""
    ids = {product.id for product in products
           if voucher.producer_id is None or product.producer_id == voucher.producer_id}
    if voucher.products:
        ids &= {chosen.id for chosen in voucher.products}
    if voucher.campaign_id is not None and ids:
        ids = _campaign_product_ids(voucher.campaign, ids)
    return ids


def uses_by(voucher: Voucher, user_id: int) -> int:
    """How many of this buyer's orders hold a use of the voucher."""
    return db.session.scalar(sa.select(VoucherUse.used_count).where(
        VoucherUse.voucher_id == voucher.id, VoucherUse.user_id == user_id)) or 0


@dataclass(frozen=True)
class CartFacts:
    """What the rules need to know of a cart and its buyer (orders computes it; vouchers imports no orders)."""

    #: The ids of the cart's products the voucher applies to (eligible_product_ids).
    eligible_ids: set
    #: The subtotal of the products the voucher applies to (before shipping).
    eligible_subtotal_vnd: int
    #: What the voucher would take off (products and shipping), as orders.pricing computes it.
    discount_vnd: int
    #: The signed-in buyer's id (None for a guest: the buyer's own rules wait for the checkout).
    buyer_id: int | None = None
    #: Whether the buyer has an earlier order that was not cancelled.
    buyer_has_orders: bool = False


def check_terms(voucher: Voucher, today: date) -> None:
    """The rules that do not depend on the cart: paused, dates, used up."""
    if voucher.status != VoucherStatus.ACTIVE:
        raise VoucherRefused("paused", _("The voucher %(code)s is paused at the moment.", code=voucher.code))
    if today < voucher.valid_from:
        raise VoucherRefused("not_yet_valid", _("The voucher %(code)s can be used from %(date)s.",
                                                code=voucher.code, date=format_date(voucher.valid_from)))
    if today > voucher.valid_until:
        raise VoucherRefused("expired", _("The voucher %(code)s expired on %(date)s.",
                                          code=voucher.code, date=format_date(voucher.valid_until)))
    if voucher.total_limit is not None and voucher.used_count >= voucher.total_limit:
        raise VoucherRefused("used_up", _("The voucher %(code)s has been used up.", code=voucher.code))


def check_voucher(voucher: Voucher, facts: CartFacts, today: date) -> None:
    """Raise VoucherRefused unless the voucher may be used on this cart by this buyer today."""
    check_terms(voucher, today)
    if not facts.eligible_ids:
        if voucher.campaign_id is not None:
            message = _("The voucher %(code)s is only for the products of “%(campaign)s”, and your cart has none.",
                        code=voucher.code, campaign=voucher.campaign.title)
        elif voucher.producer_id is not None and not voucher.products:
            message = _("The voucher %(code)s is only for products of %(shop)s, and your cart has none.",
                        code=voucher.code, shop=voucher.producer.name)
        else:
            message = _("The voucher %(code)s is not for the products in your cart.", code=voucher.code)
        raise VoucherRefused("not_for_these_products", message)
    if facts.eligible_subtotal_vnd < voucher.min_order_vnd:
        raise VoucherRefused("minimum_not_reached", _(
            "The voucher %(code)s needs %(minimum)s of eligible products; add %(missing)s more to use it.",
            code=voucher.code, minimum=format_vnd(voucher.min_order_vnd),
            missing=format_vnd(voucher.min_order_vnd - facts.eligible_subtotal_vnd)))
    if facts.discount_vnd <= 0:
        if voucher.kind == VoucherKind.FREE_SHIPPING:
            message = _("Shipping is already free for these products, so the voucher %(code)s takes nothing off.",
                        code=voucher.code)
        else:
            message = _("The voucher %(code)s takes nothing off this cart.", code=voucher.code)
        raise VoucherRefused("nothing_to_discount", message)
    if facts.buyer_id is None:
        return
    if voucher.first_order_only and facts.buyer_has_orders:
        raise VoucherRefused("first_order_only", _("The voucher %(code)s is only for a first order.",
                                                   code=voucher.code))
    if voucher.per_user_limit is not None and uses_by(voucher, facts.buyer_id) >= voucher.per_user_limit:
        raise VoucherRefused("already_used", _("You have already used the voucher %(code)s.", code=voucher.code)
                             if voucher.per_user_limit == 1 else
                             _("You have already used the voucher %(code)s %(count)s times, the most allowed.",
                               code=voucher.code, count=voucher.per_user_limit))
