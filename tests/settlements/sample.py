"""Orders and ledger rows for the settlement, figures and fulfilment tests, made through the real services."""

from datetime import datetime

from marketplace import geo
from marketplace.accounts.models import Role
from marketplace.dates import VIETNAM
from marketplace.ledger import services as ledger
from marketplace.orders import addresses, checkout
from marketplace.orders import cart as carts
from marketplace.payments import bank_transfer as payments
from tests.factories import make_user


def vn(year, month, day, hour=12, minute=0) -> datetime:
    """A moment in Vietnam's time zone (the ledger stores it in UTC)."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def place(buyer, items, *, method="cod", province_code=1):
    """Put items [(product, quantity)] in the buyer's cart and check out; returns the order."""
    for product, quantity in items:
        carts.add_to_cart(product.id, quantity, user=buyer)
    ward = geo.wards(province_code)[0]
    address = addresses.DeliveryAddress("Nguyễn Văn An", "0912345678", province_code, ward.code, "Số 1 phố Huế")
    order, _created = checkout.place_order(buyer, address=address, payment_method=method,
                                         token=checkout.new_checkout_token())
    return order


def pay_by_transfer(order, admin=None):
    """An admin records the bank transfer of a VietQR order: its sub-orders become paid (sales recorded)."""
    admin = admin or make_user(role=Role.ADMIN)
    payments.mark_transfer_received(order, actor=admin)
    return order


def sale(product, quantity=1, *, method="card", when=None, price=None, channel="online", location_id=None,
         province_code=1):
    """One ledger sale of the product, written directly."""
    return ledger.record_sale(
        product_id=product.id, producer_id=product.producer_id, quantity=quantity,
        unit_price_vnd=price or product.price_vnd, payment_method=method, product_name=product.name,
        producer_name="Producer", sku=product.sku, channel=channel, location_id=location_id,
        buyer_province_code=province_code, reference="test", occurred_at=when,
    )
