"""An offline provider for development, demos and tests. It succeeds, except for
authorisation references that ask it to fail: one containing `fail-capture`
refuses captures, `fail-refund` refuses refunds, `fail-void` refuses partial voids. Its messages are stored in English and shown in
the reader's language (`provider_message`)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.utils.translation import gettext_noop

from oms.payments.base import ProviderResult


class SandboxProvider:
    name = "sandbox"

    def _reference(self, key: str) -> str:
        return "sbx_" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def capture(self, authorisation: str, amount: Decimal, currency: str, *, key: str) -> ProviderResult:
        if "fail-capture" in authorisation:
            return ProviderResult(False, error=gettext_noop("Sandbox: capture declined (card expired)."))
        return ProviderResult(True, provider_reference=self._reference(key))

    def refund(self, authorisation: str, amount: Decimal, currency: str, *, key: str) -> ProviderResult:
        if "fail-refund" in authorisation:
            return ProviderResult(False, error=gettext_noop("Sandbox: refund refused."))
        return ProviderResult(True, provider_reference=self._reference(key))

    def void(self, authorisation: str, *, key: str) -> ProviderResult:
        return ProviderResult(True, provider_reference=self._reference(key))

    def partial_void(self, authorisation: str, amount: Decimal, currency: str, *, key: str) -> ProviderResult:
        if "fail-void" in authorisation:
            return ProviderResult(False, error=gettext_noop("Sandbox: partial void refused."))
        return ProviderResult(True, provider_reference=self._reference(key))
