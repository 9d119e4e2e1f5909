"""The link to an order placed without an account: signed with the app's secret key over the order's id and
its random guest key, e-mailed to the shopper, and the only way (besides claiming it into an account) to see,
pay or cancel that order.

A link names one order only: a forged or altered token, another order's key, or a key that was withdrawn when
the order was claimed from the link all give NotFound, with the same answer, so no guess tells anything.
"""

import hmac
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.orders.queries import ORDER_GRAPH
from marketplace.urls import external_url

_SALT = "orders.guest-link"
#: Longer tokens are refused before any work (a real one is about 50 characters).
TOKEN_MAX_LENGTH = 200


def new_guest_key() -> str:
    """The random part of a guest order's link (128 bits)."""
    return secrets.token_urlsafe(16)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def link_token(order: Order) -> str:
    """The token in the order's link (the order must be a guest order)."""
    if not order.guest_key:
        raise ValueError("only an order placed without an account has a guest link")
    return _serializer().dumps([order.id, order.guest_key])


def order_for_token(token: str) -> Order:
    """The guest order this token names, with its whole graph; NotFound for anything else."""
    not_found = NotFound(_("Order not found."))
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise not_found
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise not_found from None
    if (not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], int)
            or isinstance(data[0], bool) or not isinstance(data[1], str)):
        raise not_found
    order = db.session.scalar(sa.select(Order).where(Order.id == data[0]).options(*ORDER_GRAPH))
    if order is None or not order.guest_key or not hmac.compare_digest(order.guest_key, data[1]):
        raise not_found
    return order


def order_url(order: Order) -> str:
    """Where the buyer follows the order: its signed link for a guest order, else the account's order page."""
    if order.guest_key:
        return external_url("orders.guest_order", token=link_token(order))
    return external_url("orders.order_detail", number=order.number)
