"""End to end: a consumer buys from two shops with cash on delivery."""

from marketplace.orders.status import OrderStatus
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import checkout_form, stock_of


def test_cod_checkout_creates_one_order_with_a_sub_order_per_shop(client, login_as, outbox):
    """Two shops in the cart give one order with two confirmed sub-orders, stock reserved, mails sent."""
    shop_a, shop_b = make_producer("HTX Chè Tân Cương"), make_producer("HTX Nước mắm Phú Quốc")
    make_user(role="producer", producer=shop_a, email="a@shop.test")
    tea = make_product("Chè Thái Nguyên", producer=shop_a, price_vnd=150000, stock=5)
    sauce = make_product("Nước mắm", producer=shop_b, price_vnd=90000, stock=5)
    buyer = make_user(email="buyer@example.test")
    login_as(buyer)
    assert client.post("/cart/add", data={"product_id": tea.id, "quantity": "2"}).status_code == 302
    assert client.post("/cart/add", data={"product_id": sauce.id, "quantity": "1"}).status_code == 302
    page = client.get("/checkout")
    assert page.status_code == 200
    response = client.post("/checkout", data=checkout_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.orders.models import Order
    from marketplace.orders.queries import ORDER_GRAPH
    order = db.session.scalar(sa.select(Order).options(*ORDER_GRAPH))
    assert len(order.producer_orders) == 2
    assert all(po.status == OrderStatus.PLACED for po in order.producer_orders)  # each shop confirms its part
    assert stock_of(tea) == 3 and stock_of(sauce) == 4
    outbox.wait_for(2)
    assert outbox.to("buyer@example.test") and outbox.to("a@shop.test")
