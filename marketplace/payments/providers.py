"""One small interface for every way of paying, and the registry of providers by name.

A new method (VNPay, MoMo) is one more class here and one more PaymentMethod value; orders never change.
"""

from typing import Protocol

from flask import url_for

from marketplace.errors import DomainError


class PaymentProvider(Protocol):
    name: str

    def start(self, order) -> str:
        """Begin paying for an order; return the URL to send the buyer to."""

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        """Give money back for a succeeded payment; return the refund Payment row (flushed)."""


class UnknownProvider(DomainError):
    """No provider of that name."""


_REGISTRY: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> PaymentProvider:
    _REGISTRY[provider.name] = provider
    return provider


def get(name: str) -> PaymentProvider:
    try:
        return _REGISTRY[str(name)]
    except KeyError:
        raise UnknownProvider(f"unknown payment provider {name!r}") from None


def names() -> list[str]:
    return sorted(_REGISTRY)


class CardProvider:
    """International cards through Stripe Checkout."""

    name = "card"

    def start(self, order) -> str:
        from marketplace.payments import services

        return services.start_card_payment(order)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        from marketplace.payments import services

        return services.refund_card_payment(payment, amount_vnd, producer_order=producer_order)


class CashOnDeliveryProvider:
    """The producer's courier collects cash at the door; nothing happens online."""

    name = "cod"

    def start(self, order) -> str:
        return url_for("orders.order_detail", number=order.number)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        from marketplace.payments import services

        return services.record_manual_refund(payment, amount_vnd, producer_order=producer_order)


class VietQRProvider:
    """Bank transfer to the marketplace account by a NAPAS VietQR code; confirmed by an admin or a statement."""

    name = "vietqr"

    def start(self, order) -> str:
        return url_for("payments.vietqr", number=order.number)

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        from marketplace.payments import services

        return services.record_manual_refund(payment, amount_vnd, producer_order=producer_order)


register(CardProvider())
register(CashOnDeliveryProvider())
register(VietQRProvider())
