"""Webhook subscriptions: who wants which events at which URL, and how a delivery
is signed.

Signing: each request carries `X-OMS-Timestamp: <unix seconds>` and
`X-OMS-Signature: sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<raw body>"`
keyed with the subscription's secret. A receiver recomputes it over the raw body
and refuses old timestamps to stop replays.

Destinations: webhooks go to public addresses only (no SSRF into our network).
`resolve_destination` refuses non-http(s) URLs, embedded credentials, and hosts
that are or resolve to loopback, private, link-local (cloud metadata), multicast,
reserved or unspecified addresses, IPv4 hidden in IPv6 forms included. It runs at
subscription and again at each delivery (DNS can change), and the delivery connects
to the very address it checked. `WEBHOOK_ALLOW_LOOPBACK` (development and tests)
allows loopback destinations, and only those."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from oms.core.errors import InvalidInput
from oms.models import EventType, WebhookSubscription

ALL_EVENTS = "*"
SIGNATURE_SCHEME = "sha256"

_http_url = URLValidator(schemes=["http", "https"])
DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64 (RFC 6052): an IPv4 address behind a translating gateway.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Destination:
    """A checked webhook destination: connect to `address`, name `host` (Host
    header, TLS server name)."""

    scheme: str
    host: str
    port: int
    target: str
    address: str


class DestinationRefused(ValueError):
    """A URL webhooks may not be sent to; `str()` says why."""


class HostDoesNotResolve(DestinationRefused):
    """The host name has no address (now): a fault that may pass."""


def resolve_destination(url: str) -> Destination:
    """Check `url` and resolve its host; every address it resolves to must be
    public. Raises DestinationRefused (HostDoesNotResolve when DNS has no answer)."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise DestinationRefused(_("Give an http:// or https:// URL."))
    if "@" in parts.netloc:
        raise DestinationRefused(_("A webhook URL cannot carry a user name or password."))
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise DestinationRefused(_("The port of the URL is not a number from 1 to 65535.")) from None
    if not host:
        raise DestinationRefused(_("Give an http:// or https:// URL."))
    allow_loopback = settings.WEBHOOK_ALLOW_LOOPBACK
    if (host == "localhost" or host.endswith(".localhost")) and not allow_loopback:
        raise DestinationRefused(
            _("%(host)s is this machine: webhooks go to public addresses only.") % {"host": host}
        )
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise HostDoesNotResolve(_("%(host)s does not resolve to an address.") % {"host": host}) from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
    for address in addresses:
        refusal = _refusal(ipaddress.ip_address(address), allow_loopback=allow_loopback)
        if refusal:
            raise DestinationRefused(
                _("%(host)s is %(kind)s (%(address)s): webhooks go to public addresses only.")
                % {"host": host, "kind": refusal, "address": address}
            )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme=parts.scheme, host=host, port=port, target=target, address=addresses[0])


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_loopback: bool) -> str:
    """Why webhooks may not go to `address` ("" if they may)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _refusal(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return "" if allow_loopback else _("a loopback address")
    if address.is_unspecified:
        return _("an unspecified address")
    if address.is_link_local:
        return _("a link-local address")
    if address.is_multicast:
        return _("a multicast address")
    if address.is_private:
        return _("a private address")
    if address.is_reserved or not address.is_global:
        return _("a reserved address")
    return ""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of `X-OMS-Signature` for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def masked(secret: str) -> str:
    """A secret as shown after creation: enough to tell two apart, not to use one."""
    return f"{secret[:6]}…{secret[-4:]}"


def subscribe(owner_id: int, *, url: str, events: list[str], is_active: bool = True) -> WebhookSubscription:
    """Create a subscription with a new signing secret. Raises InvalidInput naming
    each bad field (URL not http(s) or not to a public address, unknown event
    names, no events)."""
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
            new_url=url is not None,
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


def _validated(*, url: str, events: list[str], new_url: bool = True) -> tuple[str, list[str]]:
    """The URL's destination is checked when it is new; an unchanged one is
    checked at each delivery (so that a subscriber whose host is down can still
    deactivate its subscription or change its events)."""
    errors: list[dict[str, object]] = []
    url = url.strip()
    try:
        _http_url(url)
    except ValidationError:
        errors.append({"field": "url", "detail": _("Give an http:// or https:// URL.")})
    else:
        if new_url:
            try:
                resolve_destination(url)
            except DestinationRefused as refused:
                errors.append({"field": "url", "detail": str(refused)})
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
