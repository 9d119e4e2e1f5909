"""One small interface for every way of paying, and the registry of providers by name.

Each gateway has its own module with its provider class (card.py, cash.py, bank_transfer.py). A new
method (VNPay, MoMo) is one more module, one more entry in PROVIDERS here and one more PaymentMethod
value; orders never change.
"""

from typing import Protocol

from marketplace.errors import DomainError
from marketplace.payments.bank_transfer import VietQRProvider
from marketplace.payments.card import CardProvider
from marketplace.payments.cash import CashOnDeliveryProvider


class PaymentProvider(Protocol):
    name: str

    def start(self, order) -> str:
        """Begin paying for an order; return the URL to send the buyer to."""

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        """Give money back for a succeeded payment; return the refund Payment row (flushed)."""


class UnknownProvider(DomainError):
    """No provider of that name."""


PROVIDERS: dict[str, PaymentProvider] = {
    provider.name: provider for provider in (CardProvider(), CashOnDeliveryProvider(), VietQRProvider())
}


def get(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[str(name)]
    except KeyError:
        raise UnknownProvider(f"unknown payment provider {name!r}") from None


def names() -> list[str]:
    return sorted(PROVIDERS)
