"""Illustrative click-and-collect orders at the first demo showroom, one in each state worth seeing: to prepare
(pay at the counter), awaiting an online bank transfer, ready for pickup, collected (paid in cash at the counter,
so the showroom's ledger shows the sale) and cancelled by the buyer (its units back in their lots).

They belong to an illustrative buyer account (nobody can sign in to it: its password is random and not kept).
Idempotent: each order has a fixed checkout token, and an order already placed is left as it is; a state that
cannot be reached (the showroom ran short) is skipped."""

import secrets

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.demo.showrooms import SHOWROOMS
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout, lifecycle, pickups
from marketplace.orders.models import ProducerOrder
from marketplace.orders.queries import SUB_ORDER_GRAPH
from marketplace.showrooms import lots
from marketplace.showrooms.models import Showroom

BUYER_EMAIL = "nguoi-mua-minh-hoa@example.org"
BUYER_NAME = "Người mua minh họa"
ADDRESS = {"full_name": BUYER_NAME, "phone": "0900000001", "province_code": 1, "ward_code": 70,
           "street": "Số 1 phố Minh Họa (địa chỉ minh họa)"}
#: (token suffix, payment method, the state to bring it to)
ORDERS = (("to-prepare", "cod", "placed"), ("awaiting-transfer", "vietqr", "pending_payment"),
          ("ready", "cod", "ready_for_pickup"), ("collected", "cod", "delivered"), ("cancelled", "cod", "cancelled"))


def _buyer() -> User:
    buyer = db.session.scalar(sa.select(User).where(User.email == BUYER_EMAIL))
    if buyer is None:
        buyer = User(email=BUYER_EMAIL, full_name=BUYER_NAME, role=Role.CONSUMER,
                     password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(buyer)
        db.session.flush()
    return buyer


def load_pickups() -> int:
    """Place the missing illustrative pickup orders at the first demo showroom; returns how many were placed."""
    showroom = db.session.scalar(sa.select(Showroom).where(Showroom.slug == SHOWROOMS[0].slug))
    if showroom is None:
        return 0
    rows = [row for row in lots.lots_at(showroom.location_id) if row.quantity >= 2]
    products = list({row.product.id: row.product for row in rows}.values())
    buyer = _buyer()
    created = 0
    candidates = iter(products)
    for suffix, method, state in ORDERS:
        token = f"demo-pickup-{showroom.id}-{suffix}"
        if checkout.order_by_token(token) is not None:
            continue
        for product in candidates:
            if _place(buyer, showroom, product, token, method, state):
                created += 1
                break
    db.session.flush()
    return created


def _place(buyer: User, showroom: Showroom, product, token: str, method: str, state: str) -> bool:
    """One pickup order of one unit, brought to `state`; False (nothing kept) when this product cannot be used."""
    carts.remove_products(buyer, [item.product.id for item in carts.load_cart(user=buyer).items])
    try:
        with db.session.begin_nested():
            carts.add_to_cart(product.id, 1, user=buyer)
            order, _created = checkout.place_order(buyer, address=ADDRESS, payment_method=method, token=token,
                                                   pickups={product.producer_id: showroom.id})
            sub = db.session.scalars(sa.select(ProducerOrder).where(ProducerOrder.order_id == order.id)
                                     .options(*SUB_ORDER_GRAPH)).one()
            if state in ("ready_for_pickup", "delivered"):
                pickups.prepare(sub, actor=None)
            if state == "delivered":
                pickups.hand_over(sub, actor=None, counter_payment_method="cash")
            if state == "cancelled":
                lifecycle.cancel_sub_order(sub, actor=buyer, reason="Đổi ý (minh họa)")
    except DomainError:
        return False  # not on sale online, or the showroom ran short: try the next product
    return True
