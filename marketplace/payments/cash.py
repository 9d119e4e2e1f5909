"""Cash on delivery: the producer's courier collects the sub-order's total at the door; nothing happens
online. Delivering such a parcel records the cash as a succeeded payment."""

from flask import url_for

from marketplace.orders import lifecycle
from marketplace.orders.models import PaymentMethod, ProducerOrder
from marketplace.payments.models import Payment
from marketplace.payments.records import new_charge, record_manual_refund
from marketplace.payments.status import PaymentStatus


def record_cash_collected(producer_order: ProducerOrder, *, actor=None) -> Payment:
    """The courier collected the sub-order's total in cash."""
    return new_charge(producer_order.order, "cod", producer_order.total_vnd, actor=actor, reason="cash collected",
                      producer_order_id=producer_order.id, status=PaymentStatus.SUCCEEDED)


def deliver_sub_order(producer_order: ProducerOrder, *, actor, cash_collected: bool) -> ProducerOrder:
    """The parcel reached the buyer (orders.lifecycle.deliver_sub_order); for cash on delivery, the cash
    the courier collected is recorded too. The fulfilment screen calls this."""
    lifecycle.deliver_sub_order(producer_order, actor=actor, cash_collected=cash_collected)
    if producer_order.order.payment_method == PaymentMethod.COD:
        record_cash_collected(producer_order, actor=actor)
    return producer_order


class CashOnDeliveryProvider:
    """The producer's courier collects cash at the door; nothing happens online."""

    name = "cod"

    def start(self, order) -> str:
        return url_for("orders.order_detail", number=order.number)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        return record_manual_refund(payment, amount_vnd, producer_order=producer_order)
