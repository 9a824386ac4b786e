"""API throttling: one rate per caller (token or signed-in user).

The counters live in the `throttle` cache, local memory of each process (see
settings): no network hop per request, and nothing to fail when Redis is down. The
price is that the rate applies per server process, not across them."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class CallerRateThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATE` requests (e.g. "6000/min") per caller; over it, 429 with
    Retry-After. Anonymous requests are refused by authentication before this runs."""

    scope = "caller"

    def __init__(self) -> None:
        from django.core.cache import caches

        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATE or None  # read on each request: settable in tests

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
