"""Illustrative e-wallet orders: one paid with VNPAY, one paid with MoMo and then cancelled by the buyer, so the
order pages show the e-wallets' names and the program office's /payments/admin/wallet-refunds lists a refund
to carry out. The gateways are not called: the payments are recorded as if VNPAY and MoMo had confirmed them,
with transaction numbers marked as illustrative ("MINHHOA-...").

They belong to an illustrative buyer account (nobody can sign in to it: its password is random and not kept).
Idempotent: each order has a fixed checkout token; an order already placed is left as it is, and a product
that cannot be bought now is skipped for the next one."""

import secrets

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.catalog.models import Product
from marketplace.catalog.status import ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.payments import wallets
from marketplace.payments.models import Payment, PaymentKind
from marketplace.payments.records import add_payment
from marketplace.payments.refunds import cancel_order_by_buyer

BUYER_EMAIL = "nguoi-mua-vi-dien-tu-minh-hoa@example.org"
BUYER_NAME = "Người mua ví điện tử (minh họa)"
ADDRESS = {"full_name": BUYER_NAME, "phone": "0900000002", "province_code": 1, "ward_code": 70,
           "street": "Số 2 phố Minh Họa (địa chỉ minh họa)"}
#: (checkout token, wallet, cancelled by the buyer afterwards)
ORDERS = (("demo-wallet-vnpay-paid", "vnpay", False), ("demo-wallet-momo-cancelled", "momo", True))


def _buyer() -> User:
    buyer = db.session.scalar(sa.select(User).where(User.email == BUYER_EMAIL))
    if buyer is None:
        buyer = User(email=BUYER_EMAIL, full_name=BUYER_NAME, role=Role.CONSUMER,
                     password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(buyer)
        db.session.flush()
    return buyer


def load_wallet_orders() -> int:
    """Place the missing illustrative e-wallet orders; returns how many were placed."""
    products = list(db.session.scalars(sa.select(Product).where(Product.status == ProductStatus.ACTIVE)
                                       .order_by(Product.id).limit(20)))
    buyer = _buyer()
    created = 0
    candidates = iter(products[5:] + products[:5])
    for token, wallet, cancel in ORDERS:
        if checkout.order_by_token(token) is not None:
            continue
        for product in candidates:
            if _place(buyer, product, token, wallet, cancel):
                created += 1
                break
    db.session.flush()
    return created


def _place(buyer: User, product: Product, token: str, wallet: str, cancel: bool) -> bool:
    """One order of one unit paid with the wallet (and cancelled); False (nothing kept) when it cannot be bought."""
    carts.remove_products(buyer, [item.product.id for item in carts.load_cart(user=buyer).items])
    try:
        with db.session.begin_nested():
            carts.add_to_cart(product.id, 1, user=buyer)
            order, _created = checkout.place_order(buyer, address=ADDRESS, payment_method=wallet, token=token)
            reference = wallets.reference_for(order, 1)
            payment = add_payment(Payment(order_id=order.id, provider=wallet, kind=PaymentKind.CHARGE,
                                          amount_vnd=order.total_vnd, attempt=1, external_id=reference,
                                          idempotency_key=f"{wallet}-{reference}"),
                                  reason=f"{wallet} payment started (illustrative)")
            result = wallets.WalletResult(reference=reference, state=wallets.PAID, amount_vnd=order.total_vnd,
                                          transaction_id=f"MINHHOA-{order.id}", code="illustrative")
            if wallets.apply_result(payment, result) != "paid":
                raise DomainError("not paid")
            if cancel:
                cancel_order_by_buyer(order, actor=buyer, reason_code="changed_mind", note="Đổi ý (minh họa)")
    except DomainError:
        return False
    return True
