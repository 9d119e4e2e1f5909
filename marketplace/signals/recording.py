"""Recording the demand signals that nothing else keeps: cart additions and the province behind a missed search.

`record_cart_addition` is the one writer of CartAddition. The cart service (orders.cart, a package below
this one) cannot call it directly, so it sends its `line_added` signal and `init_app` connects this
module to it: one INSERT in the cart's own transaction, nothing read, so adding to a cart stays fast.
"""

import sqlalchemy as sa

from marketplace.catalog.models import Product, ZeroResultSearch
from marketplace.extensions import db
from marketplace.orders import cart
from marketplace.orders.models import Address, Order
from marketplace.signals.models import CartAddition, SearchProvince


def record_cart_addition(product: Product, *, user, quantity: int) -> None:
    """Note that `quantity` units of `product` went into a cart (the caller's transaction commits it)."""
    db.session.add(CartAddition(product_id=product.id, producer_id=product.producer_id,
                                user_id=user.id if user is not None else None, quantity=quantity))


def _on_line_added(product, *, user=None, quantity: int = 1, **_extra) -> None:
    record_cart_addition(product, user=user, quantity=quantity)


def buyer_province(user) -> int | None:
    """The province a signed-in buyer delivers to: the newest saved address, else the newest order's; None if unknown."""
    if user is None:
        return None
    code = db.session.scalar(sa.select(Address.province_code).where(Address.user_id == user.id)
                             .order_by(Address.id.desc()).limit(1))
    if code is None:
        code = db.session.scalar(sa.select(Order.province_code).where(Order.buyer_id == user.id)
                                 .order_by(Order.id.desc()).limit(1))
    return code


def note_search_province(search: ZeroResultSearch, user) -> None:
    """Keep the province of the buyer behind a zero-result search, when it is known."""
    code = buyer_province(user)
    if code is not None:
        db.session.add(SearchProvince(search_id=search.id, province_code=code))
        db.session.flush()


def init_app(app) -> None:
    """Listen to the cart's additions (blinker keeps one connection however many apps are built)."""
    cart.line_added.connect(_on_line_added)
