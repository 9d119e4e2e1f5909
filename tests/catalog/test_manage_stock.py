"""Producers set and adjust their warehouse stock with a reason; every change is recorded; low-stock alert."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.stock import services as stock_services
from marketplace.stock.models import MovementKind, StockMovement
from tests.factories import make_producer, make_product, make_user


@pytest.fixture
def setting(login_as):
    producer = make_producer()
    user = make_user(role=Role.PRODUCER, producer=producer)
    login_as(user)
    return {"user": user, "product": make_product(producer=producer, stock=10)}


def _post(client, product, **data):
    values = {"form": "stock", "stock-mode": "adjust", "stock-quantity": "", "stock-reason": ""}
    values.update({f"stock-{k}" if k in ("mode", "quantity", "reason") else k: v for k, v in data.items()})
    return client.post(f"/manage/products/{product.id}/stock?lang=en", data=values)


def _quantity(product) -> int:
    return stock_services.available_online([product.id])[product.id]


def test_adjusting_and_counting_are_recorded_with_reason_and_actor(client, setting):
    """+5 then a stock-take of 12: two adjustment movements carrying the reason and who made them."""
    product, user = setting["product"], setting["user"]
    assert _post(client, product, quantity="5", reason="Lô mới").status_code == 302
    assert _quantity(product) == 15
    assert _post(client, product, mode="count", quantity="12", reason="Kiểm kê").status_code == 302
    assert _quantity(product) == 12
    movements = list(db.session.scalars(sa.select(StockMovement).where(StockMovement.kind == MovementKind.ADJUSTMENT)
                                        .order_by(StockMovement.id)))
    assert [(m.quantity_change, m.quantity_after, m.reason, m.actor_id) for m in movements] == [
        (5, 15, "Lô mới", user.id), (-3, 12, "Kiểm kê", user.id)]
    page = client.get(f"/manage/products/{product.id}/stock").get_data(as_text=True)
    assert "Kiểm kê" in page and "Lô mới" in page


def test_stock_cannot_go_below_zero(client, setting):
    """Removing more than is there is refused with the quantity left, and nothing changes."""
    product = setting["product"]
    response = _post(client, product, quantity="-11", reason="Vỡ")
    assert response.status_code == 200
    assert "Only 10 units are in stock" in response.get_data(as_text=True)
    assert _quantity(product) == 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement)
                             .where(StockMovement.reason == "Vỡ")) == 0


def test_a_change_needs_a_non_zero_number_and_a_reason(client, setting):
    """Zero or no reason is refused."""
    product = setting["product"]
    assert "other than zero" in _post(client, product, quantity="0", reason="x").get_data(as_text=True)
    assert _post(client, product, quantity="3", reason="").status_code == 200
    assert _quantity(product) == 10


def test_low_stock_alert_is_saved_and_shown(client, setting):
    """A threshold at or above the quantity flags the product as low on its page and on the dashboard."""
    product = setting["product"]
    response = client.post(f"/manage/products/{product.id}/stock", data={"form": "alert",
                                                                        "alert-low_stock_threshold": "10"})
    assert response.status_code == 302
    page = client.get(f"/manage/products/{product.id}/stock?lang=vi").get_data(as_text=True)
    assert "Sắp hết hàng: bằng hoặc dưới mức cảnh báo 10" in page
    assert product.name in client.get("/manage/").get_data(as_text=True)
