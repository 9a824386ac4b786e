"""Webhook subscriptions: who wants which events at which URL, and how a delivery
is signed.

Signing: each request carries `X-OMS-Timestamp: <unix seconds>` and
`X-OMS-Signature: sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<raw body>"`
keyed with the subscription's secret. A receiver recomputes it over the raw body
and refuses old timestamps to stop replays."""

from __future__ import annotations

import hashlib
import hmac

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from oms.core.errors import InvalidInput
from oms.models import EventType, WebhookSubscription

ALL_EVENTS = "*"
SIGNATURE_SCHEME = "sha256"

_http_url = URLValidator(schemes=["http", "https"])


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of `X-OMS-Signature` for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def masked(secret: str) -> str:
    """A secret as shown after creation: enough to tell two apart, not to use one."""
    return f"{secret[:6]}…{secret[-4:]}"


def subscribe(owner_id: int, *, url: str, events: list[str], is_active: bool = True) -> WebhookSubscription:
    """Create a subscription with a new signing secret. Raises InvalidInput naming
    each bad field (URL not http(s), unknown event names, no events)."""
    url, events = _validated(url=url, events=events)
    return WebhookSubscription.objects.create(owner_id=owner_id, url=url, events=events, is_active=is_active)


def update_subscription(
    subscription_id: int,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change what is given, leave the rest. The caller has checked that the
    subscription is theirs to change."""
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        checked_url, checked_events = _validated(
            url=subscription.url if url is None else url,
            events=subscription.events if events is None else events,
        )
        subscription.url = checked_url
        subscription.events = checked_events
        if is_active is not None:
            subscription.is_active = is_active
        subscription.save(update_fields=["url", "events", "is_active"])
    return subscription


def delete_subscription(subscription_id: int) -> None:
    """Remove a subscription and its delivery log."""
    WebhookSubscription.objects.filter(pk=subscription_id).delete()


def _validated(*, url: str, events: list[str]) -> tuple[str, list[str]]:
    errors: list[dict[str, object]] = []
    url = url.strip()
    try:
        _http_url(url)
    except ValidationError:
        errors.append({"field": "url", "detail": _("Give an http:// or https:// URL.")})
    known = set(EventType.values) | {ALL_EVENTS}
    unknown = [name for name in events if name not in known]
    if unknown:
        errors.append(
            {
                "field": "events",
                "detail": _("Unknown event(s): %(names)s.") % {"names": ", ".join(unknown)},
            }
        )
    elif not events:
        errors.append({"field": "events", "detail": _('Subscribe to at least one event, or to "*".')})
    if errors:
        raise InvalidInput(_("The webhook subscription is invalid; nothing was changed."), errors)
    return url, list(dict.fromkeys(events))
