"""Delivering outbox events: fan-out to webhook deliveries and customer
notifications, then one attempt at a time, retried with backoff.

The flow, every step idempotent and safe to run twice or concurrently:

1. `dispatch_outbox_event` (task `dispatch_events`, queued when the event's
   transaction commits) creates one `WebhookDelivery` per active subscription that
   wants the event and one `Notification` per customer e-mail the event sends, and
   queues their first attempt on commit.
2. `deliver_webhook` / `send_notification` claim a due row with one conditional
   UPDATE (so two workers never attempt the same row at once), make the call
   outside any transaction, then record the outcome: done, or due again after a
   backoff, or given up after `MAX_ATTEMPTS`.
3. `sweep_outbox` (beat, every 30 s) picks up whatever the broker missed: events
   never fanned out (Redis was down at commit) and attempts that are due.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.core.permissions import channel_bound_users
from oms.models import (
    Customer,
    DeliveryStatus,
    Notification,
    Order,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from oms.notifications import language_for, render_email, templates_for
from oms.services.webhooks import sign

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
JITTER = 0.10
TIMEOUT_SECONDS = 5
# How long a claimed row stays out of other workers' reach: longer than one
# attempt. If the worker dies mid-attempt, the row is due again after this.
CLAIM = timedelta(minutes=5)
# Events younger than this are left to the on-commit queueing that is under way.
SWEEP_GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class Fanout:
    deliveries: list[int]
    notifications: list[int]


@dataclass(frozen=True)
class Sweep:
    events: int
    deliveries: int
    notifications: int


# --- Fan-out ------------------------------------------------------------------


def dispatch_outbox_event(event_id: int) -> Fanout:
    """Create the deliveries and notifications of an event and queue their first
    attempt on commit. An event is fanned out once: its row is locked meanwhile
    and `dispatched_at` set in the same transaction, so running this again (or
    concurrently) creates and queues nothing. Returns what was created."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.dispatched_at is not None:
            return Fanout(deliveries=[], notifications=[])
        now = timezone.now()
        # A subscriber whose token acts for some channels hears only of their orders.
        bound = channel_bound_users()
        channel = event.payload.get("channel") if isinstance(event.payload, dict) else None
        subscriptions = [
            subscription.pk
            for subscription in WebhookSubscription.objects.filter(is_active=True)
            .only("pk", "events", "owner_id")
            .order_by("pk")
            if subscription.wants(event.event_type)
            and (subscription.owner_id not in bound or channel in bound[subscription.owner_id])
        ]
        notifications = _notifications_of(event, now)
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, subscription_id=pk, next_attempt_at=now) for pk in subscriptions],
            ignore_conflicts=True,
        )
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        event.dispatched_at = now
        event.save(update_fields=["dispatched_at"])
        if not subscriptions and not notifications:  # most events: nobody to tell
            return Fanout(deliveries=[], notifications=[])
        fanout = Fanout(
            deliveries=list(
                event.webhook_deliveries.filter(status=DeliveryStatus.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            notifications=list(
                event.notifications.filter(status=DeliveryStatus.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
        )
        _queue_on_commit(fanout.deliveries, fanout.notifications)
    return fanout


def _notifications_of(event: OutboxEvent, now: datetime) -> list[Notification]:
    templates = templates_for(event.event_type)
    if not templates or not event.order_number:
        return []
    customer = Customer.objects.filter(orders__number=event.order_number).first()
    if customer is None or not customer.email:
        return []
    language = language_for(customer.language)
    return [
        Notification(
            event=event, template=template, to=customer.email, language=language, next_attempt_at=now
        )
        for template in templates
    ]


def _queue_on_commit(delivery_ids: list[int], notification_ids: list[int]) -> None:
    # Bound defaults, not functools.partial: Django's robust on_commit logs a
    # failure with the callback's __qualname__, which a partial lacks.
    for delivery_id in delivery_ids:
        transaction.on_commit(lambda pk=delivery_id: _queue_delivery(pk), robust=True)
    for notification_id in notification_ids:
        transaction.on_commit(lambda pk=notification_id: _queue_notification(pk), robust=True)


def _queue_delivery(delivery_id: int) -> None:
    from oms.tasks import deliver_webhook

    deliver_webhook.delay(delivery_id)


def _queue_notification(notification_id: int) -> None:
    from oms.tasks import send_notification

    send_notification.delay(notification_id)


# --- Attempts -----------------------------------------------------------------


def retry_delay(attempts: int, *, jitter: float | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, …,
    at most 6 h, plus up to 10 % at random (`jitter`, a fraction, fixes it) so
    that the retries of many deliveries to one receiver spread out."""
    base = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    fraction = random.uniform(0, JITTER) if jitter is None else jitter
    return base * (1 + fraction)


def _claim(model: type[Model], pk: int, now: datetime) -> bool:
    """Take a due row for one attempt: one conditional UPDATE, judged by its row
    count. A second worker (or a duplicate task) finds it not due and leaves it."""
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    claimed = model.objects.filter(due, pk=pk, status=DeliveryStatus.PENDING).update(
        next_attempt_at=now + CLAIM
    )
    return claimed == 1


def _record_attempt(
    model: type[Model],
    row: WebhookDelivery | Notification,
    *,
    ok: bool,
    error: str,
    now: datetime | None,
    **fields: object,
) -> str:
    """Write the outcome of the attempt just made on a claimed row; returns its status."""
    now = now or timezone.now()
    attempts = row.attempts + 1
    if ok:
        status, next_attempt_at, error = DeliveryStatus.DELIVERED, None, ""
        fields["delivered_at" if model is WebhookDelivery else "sent_at"] = now
    elif attempts >= MAX_ATTEMPTS:
        status, next_attempt_at = DeliveryStatus.FAILED, None
        logger.warning("%s %s: gave up after %d attempts", model.__name__, row.pk, attempts)
    else:
        status, next_attempt_at = DeliveryStatus.PENDING, now + retry_delay(attempts)
    model.objects.filter(pk=row.pk).update(
        status=status, attempts=attempts, next_attempt_at=next_attempt_at, last_error=error[:500], **fields
    )
    return status


def _give_up(model: type[Model], pk: int, error: str) -> str:
    model.objects.filter(pk=pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=error)
    return DeliveryStatus.FAILED


# --- Webhooks -----------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: the delivery is retried, never
    re-sent elsewhere (with its body and signature) behind the subscriber's back."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def webhook_body(event: OutboxEvent) -> bytes:
    """What a subscriber receives, as the exact bytes that are signed."""
    document = {
        "id": event.pk,
        "type": event.event_type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def webhook_headers(delivery: WebhookDelivery, body: bytes, *, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "OMS-Webhooks/1.0",
        "X-OMS-Event": delivery.event.event_type,
        "X-OMS-Delivery": str(delivery.pk),
        "X-OMS-Timestamp": str(timestamp),
        "X-OMS-Signature": sign(delivery.subscription.secret, timestamp, body),
    }


def deliver_webhook(delivery_id: int, *, now: datetime | None = None) -> str | None:
    """Make one attempt at a webhook delivery if it is due at `now` (by default the
    current time, also the time its outcome is recorded at). The caller must not hold a database transaction: the HTTP call
    takes up to TIMEOUT_SECONDS. Returns the status after the attempt, or None when
    there was nothing to do (delivered, given up, not due, or claimed by another
    worker)."""
    if not _claim(WebhookDelivery, delivery_id, now or timezone.now()):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    if not delivery.subscription.is_active:
        return _give_up(WebhookDelivery, delivery.pk, _("The subscription was deactivated."))
    body = webhook_body(delivery.event)
    headers = webhook_headers(delivery, body, timestamp=int(time.time()))
    status_code, error = _post(delivery.subscription.url, body, headers)
    outcome = _record_attempt(
        WebhookDelivery,
        delivery,
        ok=status_code is not None and 200 <= status_code < 300,
        error=error,
        now=now,
        last_status_code=status_code,
    )
    logger.info(
        "webhook delivery %s (event %s, subscription %s): HTTP %s, %s",
        delivery.pk,
        delivery.event_id,
        delivery.subscription_id,
        status_code,
        outcome,
    )
    return outcome


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (HTTP status or None, error). Never raises for the receiver's
    faults: refused, unreachable, timed out, TLS, bad answers."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, _("The receiver answered HTTP %(code)d.") % {"code": error.code}
    except urllib.error.URLError as error:
        return None, _("Could not reach the receiver: %(reason)s") % {"reason": error.reason}
    except (OSError, http.client.HTTPException) as error:  # timeouts, resets, garbled answers
        return None, _("Could not reach the receiver: %(reason)s") % {"reason": error}
    if 200 <= status < 300:
        return status, ""
    return status, _("The receiver answered HTTP %(code)d.") % {"code": status}


# --- Notifications ------------------------------------------------------------


def send_notification(notification_id: int, *, now: datetime | None = None) -> str | None:
    """Send a customer e-mail if it is due; a sent one is never sent again. The
    caller must not hold a database transaction (the mail server may be slow).
    Returns the status after the attempt, or None when there was nothing to do."""
    if not _claim(Notification, notification_id, now or timezone.now()):
        return None
    notification = Notification.objects.select_related("event").get(pk=notification_id)
    order = (
        Order.objects.select_related("customer", "pickup_store")
        .prefetch_related("lines__sku")
        .filter(number=notification.event.order_number)
        .first()
    )
    if order is None:
        return _give_up(Notification, notification.pk, _("The order no longer exists."))
    email = render_email(
        notification.template, language=notification.language, order=order, data=notification.event.payload
    )
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to],
        headers={"X-OMS-Notification": str(notification.pk)},
    )
    message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        return _record_attempt(Notification, notification, ok=False, error=str(error), now=now)
    return _record_attempt(Notification, notification, ok=True, error="", now=now)


# --- Sweeping and retrying ----------------------------------------------------


def sweep_outbox(*, now: datetime | None = None, limit: int = 500) -> Sweep:
    """Queue the attempts that are due and fan out the events that were never
    fanned out (older than SWEEP_GRACE: their on-commit queueing failed, e.g.
    Redis was down). Safe to run concurrently with everything else."""
    now = now or timezone.now()
    deliveries = _due(WebhookDelivery, now, limit)
    notifications = _due(Notification, now, limit)
    for delivery_id in deliveries:
        _queue_delivery(delivery_id)
    for notification_id in notifications:
        _queue_notification(notification_id)
    events = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in events:
        dispatch_outbox_event(event_id)
    return Sweep(events=len(events), deliveries=len(deliveries), notifications=len(notifications))


def _due(model: type[Model], now: datetime, limit: int) -> list[int]:
    return list(
        model.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def retry_deliveries_now(delivery_ids: list[int]) -> int:
    """Make webhook deliveries due at once, given-up ones included (each gets one
    more attempt); delivered ones are left alone. Returns how many were queued."""
    return _retry_now(WebhookDelivery, delivery_ids, _queue_delivery)


def retry_notifications_now(notification_ids: list[int]) -> int:
    """As `retry_deliveries_now`, for customer e-mails: a sent one is never re-sent."""
    return _retry_now(Notification, notification_ids, _queue_notification)


def _retry_now(model: type[Model], ids: list[int], queue) -> int:
    with transaction.atomic():
        retried = list(
            model.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(status=DeliveryStatus.DELIVERED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        model.objects.filter(pk__in=retried).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        for pk in retried:
            transaction.on_commit(lambda pk=pk: queue(pk), robust=True)
    return len(retried)
