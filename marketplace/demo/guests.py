"""Illustrative orders placed without an account (guest checkout): one paid in cash on delivery and one waiting
for a bank transfer, under a guest account of an illustrative e-mail address (it has no password, so nobody can
sign in to it). Their links are in the order e-mails (written to the log in development, MAIL_TO_LOG).

Idempotent: each order has a fixed checkout token; an order already placed is left as it is, and a product that
cannot be bought now is skipped for the next one."""

import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.catalog.status import ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import checkout, guests

GUEST_EMAIL = "khach-khong-tai-khoan-minh-hoa@example.org"
ADDRESS = {"full_name": "Khách không tài khoản (minh họa)", "phone": "0900000003", "province_code": 1,
           "ward_code": 70, "street": "Số 3 phố Minh Họa (địa chỉ minh họa)"}
#: (checkout token, payment method)
ORDERS = (("demo-guest-cod", "cod"), ("demo-guest-vietqr", "vietqr"))


def load_guest_orders() -> int:
    """Place the missing illustrative guest orders; returns how many were placed."""
    products = list(db.session.scalars(sa.select(Product).where(Product.status == ProductStatus.ACTIVE)
                                       .order_by(Product.id).limit(20)))
    candidates = iter(products[10:] + products[:10])
    created = 0
    for token, method in ORDERS:
        if checkout.order_by_token(token) is not None:
            continue
        for product in candidates:
            try:
                with db.session.begin_nested():
                    guests.place_guest_order(email=GUEST_EMAIL, address=ADDRESS, payment_method=method,
                                             guest_cart={str(product.id): 1}, token=token)
            except DomainError:
                continue
            created += 1
            break
    db.session.flush()
    return created
