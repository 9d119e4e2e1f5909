"""A delivered order line to review, and small pictures to upload."""

import io

from PIL import Image

from marketplace.orders.status import OrderStatus
from tests.orders.helpers import force_status, place


def delivered_line(buyer, product, status=OrderStatus.DELIVERED):
    """Place a cash-on-delivery order of `product` for `buyer` and put its sub-order in `status`."""
    order = place(buyer, [product])
    sub_order = order.producer_orders[0]
    force_status(sub_order, status, paid=True)
    return order, sub_order.lines[0]


def png_bytes(width=40, height=30, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()
