from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext


@dataclass(frozen=True)
class ProviderResult:
    succeeded: bool
    provider_reference: str = ""
    error: str = ""


def provider_message(text: object) -> str:
    """A provider's message as stored (in English), in the reader's language when it
    is one the project knows (the sandbox's); else as the provider wrote it."""
    return gettext(str(text)) if text else ""


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
