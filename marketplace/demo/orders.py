"""Illustrative orders of the demo consumer in each state of a shipped order, so their order pages and the
producers' order lists show the whole flow (dữ liệu minh họa): awaiting the shop's confirmation, confirmed and
waiting for the carrier, on its way (with an illustrative carrier, tracking number and tracking link on
example.org), and cancelled by the buyer with a reason. (Delivered ones come from demo.trust, paid online ones
from demo.wallets, click-and-collect ones from demo.pickups.)

Idempotent: each order has a fixed checkout token; an order already placed is left as it is, and a product that
cannot be bought now is skipped for the next one."""

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.demo.trust import CONSUMER_EMAIL, demo_products, hanoi_address
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle
from marketplace.orders.queries import reload_order
from marketplace.payments.refunds import cancel_order_by_buyer

#: (token, the state to bring a one-product cash-on-delivery order to)
ORDERS = (("demo-flow-placed", "placed"), ("demo-flow-confirmed", "confirmed"), ("demo-flow-shipped", "shipped"),
          ("demo-flow-cancelled", "cancelled"))


def load_order_flow() -> int:
    """Place the demo consumer's missing illustrative orders; returns how many were placed."""
    buyer = db.session.scalar(sa.select(User).where(User.email == CONSUMER_EMAIL, User.role == Role.CONSUMER))
    if buyer is None:
        return 0
    products = demo_products()
    created = 0
    for position, (token, state) in enumerate(ORDERS):
        if checkout.order_by_token(token) is not None:
            continue
        for product in products[position:] + products[:position]:
            if _place(buyer, product, token, state):
                created += 1
                break
    db.session.flush()
    return created


def _place(buyer: User, product, token: str, state: str) -> bool:
    """One order of one unit brought to `state`; False (nothing kept) when this product cannot be bought now."""
    carts.remove_products(buyer, [item.product.id for item in carts.load_cart(user=buyer).items])
    try:
        with db.session.begin_nested():
            carts.add_to_cart(product.id, 1, user=buyer)
            order, _created = checkout.place_order(buyer, address=hanoi_address(buyer.full_name),
                                                   payment_method="cod", token=token)
            order = reload_order(order)
            sub = order.producer_orders[0]
            if state in ("confirmed", "shipped"):
                lifecycle.confirm_sub_order(sub, actor=None)
            if state == "shipped":
                lifecycle.ship_sub_order(sub, actor=None, carrier="Giao hàng minh họa",
                                         tracking_number=f"MH{sub.id:08d}",
                                         tracking_link=f"https://example.org/theo-doi-minh-hoa/MH{sub.id:08d}")
            if state == "cancelled":
                cancel_order_by_buyer(order, actor=buyer, reason_code="change_address",
                                      note="Muốn giao đến địa chỉ cơ quan (minh họa)")
    except DomainError:
        return False
    return True
