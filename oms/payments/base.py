from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class ProviderResult:
    succeeded: bool
    provider_reference: str = ""
    error: str = ""


class PaymentProvider(Protocol):
    """Each call carries an idempotency `key`: calling twice with the same key has
    the effect of one call (the provider returns the first result)."""

    def capture(self, authorisation: str, amount: Decimal, currency: str, *, key: str) -> ProviderResult: ...

    def refund(self, authorisation: str, amount: Decimal, currency: str, *, key: str) -> ProviderResult: ...

    def void(self, authorisation: str, *, key: str) -> ProviderResult: ...

    def partial_void(self, authorisation: str, amount: Decimal, currency: str, *, key: str) -> ProviderResult:
        """Release `amount` of the authorisation and keep the rest capturable (what
        cancelling some lines of an order gives back)."""
        ...
