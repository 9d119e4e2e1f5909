"""One small interface for every way of paying, and the registry of providers by name.

Each gateway has its own module with its provider class (card.py, cash.py, bank_transfer.py, vnpay.py,
momo.py). A new method is one more module, one more entry in PROVIDERS here and one more PaymentMethod
value. The e-wallets are offered only when their credentials are configured (available_methods).
"""

from typing import Protocol

from marketplace.errors import DomainError
from marketplace.payments.bank_transfer import VietQRProvider
from marketplace.payments.card import CardProvider
from marketplace.payments.cash import CashOnDeliveryProvider
from marketplace.payments.momo import MoMoProvider
from marketplace.payments.vnpay import VNPayProvider


class PaymentProvider(Protocol):
    name: str

    def start(self, order) -> str:
        """Begin paying for an order; return the URL to send the buyer to."""

    def refund(self, payment, amount_vnd: int, *, producer_order=None):
        """Give money back for a succeeded payment; return the refund Payment row (flushed)."""


class UnknownProvider(DomainError):
    """No provider of that name."""


PROVIDERS: dict[str, PaymentProvider] = {
    provider.name: provider for provider in (CardProvider(), CashOnDeliveryProvider(), VietQRProvider(),
                                             VNPayProvider(), MoMoProvider())
}


def get(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[str(name)]
    except KeyError:
        raise UnknownProvider(f"unknown payment provider {name!r}") from None


def names() -> list[str]:
    return sorted(PROVIDERS)


def is_available(name: str) -> bool:
    """May a buyer choose this method now? The e-wallets only with their credentials configured."""
    provider = PROVIDERS.get(str(name))
    if provider is None:
        return False
    is_configured = getattr(provider, "is_configured", None)
    return is_configured() if is_configured is not None else True


def available_methods(all_methods) -> list:
    """The methods (PaymentMethod values, in their order) a buyer may choose now."""
    return [method for method in all_methods if is_available(method.value)]
