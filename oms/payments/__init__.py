"""Payment providers behind one interface. Real providers are adapters registered
in PROVIDERS; the built-in sandbox works offline."""

from __future__ import annotations

from oms.payments.base import PaymentProvider, ProviderResult
from oms.payments.sandbox import SandboxProvider

PROVIDERS: dict[str, PaymentProvider] = {"sandbox": SandboxProvider()}


def provider_names() -> set[str]:
    return set(PROVIDERS)


def get_provider(name: str) -> PaymentProvider:
    return PROVIDERS[name]


__all__ = ["PaymentProvider", "ProviderResult", "get_provider", "provider_names"]
