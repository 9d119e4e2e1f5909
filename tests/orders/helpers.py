"""Shared steps for the buying tests: a valid address, a filled cart, a placed order."""

import sqlalchemy as sa

from marketplace import geo
from marketplace.extensions import db
from marketplace.orders import addresses, checkout
from marketplace.orders import cart as carts
from marketplace.orders.models import ProducerOrder
from marketplace.stock.models import StockLevel


def hanoi_ward():
    province = next(p for p in geo.provinces() if "Hà Nội" in p.name)
    return province.code, geo.wards(province.code)[0].code


def address(**changes) -> addresses.DeliveryAddress:
    province_code, ward_code = hanoi_ward()
    fields = dict(full_name="Nguyễn Văn An", phone="0912345678", province_code=province_code, ward_code=ward_code,
                  street="Số 12, ngõ 34 phố Huế")
    fields.update(changes)
    return addresses.DeliveryAddress(**fields)


def checkout_form(token="tok-1", **changes) -> dict:
    province_code, ward_code = hanoi_ward()
    form = {"address_choice": "new", "full_name": "Nguyễn Văn An", "phone": "0912 345 678",
            "province_code": str(province_code), "ward_code": str(ward_code), "street": "Số 12, ngõ 34 phố Huế",
            "save_address": "y", "payment_method": "cod", "token": token}
    form.update(changes)
    return form


def place(buyer, products, *, method="cod", token=None, quantity=1):
    """Put the products in the buyer's cart and place an order."""
    for product in products:
        carts.add_to_cart(product.id, quantity, user=buyer)
    order, created = checkout.place_order(buyer, address=address(), payment_method=method,
                                          token=token or checkout.new_checkout_token())
    db.session.flush()
    return order


def stock_of(product) -> int:
    return db.session.scalar(sa.select(sa.func.sum(StockLevel.quantity)).where(StockLevel.product_id == product.id))


def force_status(producer_order: ProducerOrder, status, *, paid=False):
    """Put a sub-order in a state directly (test setup only; the app goes through change_status)."""
    from marketplace.dates import utcnow

    db.session.execute(sa.update(ProducerOrder).where(ProducerOrder.id == producer_order.id)
                       .values(status=status, paid_at=utcnow() if paid else None))
    db.session.expire(producer_order)
