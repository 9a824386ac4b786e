"""Delivering outbox events: fan-out to webhook deliveries and customer
notifications, then one attempt at a time, retried with backoff.

The flow, every step idempotent and safe to run twice or concurrently:

1. `dispatch_outbox_event` (task `dispatch_events`, queued when the event's
   transaction commits) creates one `WebhookDelivery` per active subscription that
   wants the event and one `Notification` per customer e-mail the event sends,
   marked queued (`queued_until`), and queues their first attempt on commit.
2. `deliver_webhook` / `send_notification` (queues "webhooks" and "emails", apart
   from the beat jobs and payments) claim a due row with one conditional UPDATE
   (so two workers never attempt the same row at once), make the call outside any
   transaction, then record the outcome: done, or due again after a backoff, or
   given up after `MAX_ATTEMPTS`. A webhook's destination is checked again first
   (`oms.services.webhooks.resolve_destination`); a subscriber that cannot be
   reached has its other due deliveries held back until its retry.
3. `sweep_outbox` (beat, every 30 s, one at a time) picks up whatever the broker
   missed: events never fanned out (Redis was down at commit) and attempts that
   are due and not queued already, each claimed (`queued_until`) before it is
   queued, so a backed-up queue is never filled twice.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import smtplib
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import Task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.core.permissions import channel_bound_users
from oms.core.queueing import enqueue, enqueue_on_commit
from oms.models import (
    Customer,
    DeliveryStatus,
    JobLease,
    Notification,
    Order,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from oms.notifications import language_for, render_email, templates_for
from oms.services.webhooks import (
    Destination,
    DestinationRefused,
    HostDoesNotResolve,
    resolve_destination,
    sign,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
JITTER = 0.10
# How long a claimed row stays out of other workers' reach: longer than one
# attempt. If the worker dies mid-attempt, the row is due again after this.
CLAIM = timedelta(minutes=5)
# Events younger than this are left to the on-commit queueing that is under way.
SWEEP_GRACE = timedelta(seconds=5)
# A row queued (its message in the broker) is not queued again by the sweep until
# this has passed: long enough for a backed-up queue, short enough to recover a
# message the broker lost.
QUEUE_LEASE = timedelta(minutes=10)
# One sweep at a time: a sweep holds this lease (renewed never; a sweep is short).
SWEEP_LEASE = timedelta(minutes=2)


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
            [
                WebhookDelivery(
                    event=event, subscription_id=pk, next_attempt_at=now, queued_until=now + QUEUE_LEASE
                )
                for pk in subscriptions
            ],
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
            event=event,
            template=template,
            to=customer.email,
            language=language,
            next_attempt_at=now,
            queued_until=now + QUEUE_LEASE,
        )
        for template in templates
    ]


def _queue_on_commit(delivery_ids: list[int], notification_ids: list[int]) -> None:
    from oms.tasks import deliver_webhook, send_notification

    for delivery_id in delivery_ids:
        enqueue_on_commit(deliver_webhook, delivery_id)
    for notification_id in notification_ids:
        enqueue_on_commit(send_notification, notification_id)


def _queue_delivery(delivery_id: int) -> bool:
    from oms.tasks import deliver_webhook

    return enqueue(deliver_webhook, delivery_id)


def _queue_notification(notification_id: int) -> bool:
    from oms.tasks import send_notification

    return enqueue(send_notification, notification_id)


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
        next_attempt_at=now + CLAIM, queued_until=None
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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was checked, naming the URL's host (no second DNS
    lookup between the check and the connection)."""

    def __init__(self, destination: Destination) -> None:
        super().__init__(destination.host, destination.port, timeout=settings.WEBHOOK_READ_TIMEOUT)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection(
            (self.address, self.port), timeout=settings.WEBHOOK_CONNECT_TIMEOUT
        )
        self.sock.settimeout(self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked; the certificate is verified for the
    URL's host, which is also the server name sent (SNI)."""

    def __init__(self, destination: Destination) -> None:
        super().__init__(
            destination.host,
            destination.port,
            timeout=settings.WEBHOOK_READ_TIMEOUT,
            context=ssl.create_default_context(),
        )
        self.address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), timeout=settings.WEBHOOK_CONNECT_TIMEOUT)
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


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
    takes up to WEBHOOK_CONNECT_TIMEOUT + WEBHOOK_READ_TIMEOUT. The destination is
    checked again first (DNS can change): one that now points inside the network is
    given up without being called. Returns the status after the attempt, or None when
    there was nothing to do (delivered, given up, not due, or claimed by another
    worker)."""
    if not _claim(WebhookDelivery, delivery_id, now or timezone.now()):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    if not delivery.subscription.is_active:
        return _give_up(WebhookDelivery, delivery.pk, _("The subscription was deactivated."))
    try:
        destination = resolve_destination(delivery.subscription.url)
    except HostDoesNotResolve as unresolved:  # DNS may answer again: retried
        outcome = _record_attempt(WebhookDelivery, delivery, ok=False, error=str(unresolved), now=now)
        if outcome == DeliveryStatus.PENDING:
            _hold_back_subscription(delivery)
        return outcome
    except DestinationRefused as refused:  # now points inside the network: not called
        logger.warning("webhook delivery %s refused: %s", delivery.pk, refused)
        return _give_up(WebhookDelivery, delivery.pk, str(refused))
    body = webhook_body(delivery.event)
    headers = webhook_headers(delivery, body, timestamp=int(time.time()))
    status_code, error = _post(destination, body, headers)
    outcome = _record_attempt(
        WebhookDelivery,
        delivery,
        ok=status_code is not None and 200 <= status_code < 300,
        error=error,
        now=now,
        last_status_code=status_code,
    )
    if status_code is None and outcome == DeliveryStatus.PENDING:
        _hold_back_subscription(delivery)
    logger.info(
        "webhook delivery %s (event %s, subscription %s): HTTP %s, %s",
        delivery.pk,
        delivery.event_id,
        delivery.subscription_id,
        status_code,
        outcome,
    )
    return outcome


def _hold_back_subscription(delivery: WebhookDelivery) -> None:
    """A subscriber that could not be reached (refused, timed out, no address) is not tried for
    its other due deliveries before this one's retry: a dead or hanging subscriber
    costs one timeout per retry, not one per delivery, and the workers go on with
    the other subscribers. Their messages already queued find them not due."""
    retry_at = WebhookDelivery.objects.values_list("next_attempt_at", flat=True).get(pk=delivery.pk)
    WebhookDelivery.objects.filter(
        subscription_id=delivery.subscription_id, status=DeliveryStatus.PENDING, next_attempt_at__lt=retry_at
    ).exclude(pk=delivery.pk).update(next_attempt_at=retry_at)


def _post(destination: Destination, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST to a checked destination and return (HTTP status or None, error). A
    redirect is an answer that is not 2xx: never followed (the body and signature
    are not re-sent elsewhere). Never raises for the receiver's faults: refused,
    unreachable, timed out, TLS, bad answers."""
    connection_class = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(destination)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        with connection.getresponse() as response:
            status = response.status
    except (OSError, http.client.HTTPException) as error:  # timeouts, resets, TLS, garbled answers
        return None, _("Could not reach the receiver: %(reason)s") % {
            "reason": str(error) or type(error).__name__
        }
    finally:
        connection.close()
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
    Redis was down). One sweep at a time (a lease); a row is claimed (its
    `queued_until` set) before its message is sent, so a sweep never queues a row
    whose message is still waiting in the broker. Returns what was queued; nothing
    when another sweep holds the lease."""
    now = now or timezone.now()
    holder = uuid.uuid4().hex
    if not _take_lease(SWEEP, holder, now, SWEEP_LEASE):
        return Sweep(events=0, deliveries=0, notifications=0)
    try:
        deliveries = _claim_due(WebhookDelivery, now, limit)
        notifications = _claim_due(Notification, now, limit)
        _queue_claimed(WebhookDelivery, deliveries, _queue_delivery)
        _queue_claimed(Notification, notifications, _queue_notification)
        events = list(
            OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        for event_id in events:
            dispatch_outbox_event(event_id)
    finally:
        JobLease.objects.filter(name=SWEEP, holder=holder).update(held_until=None, holder="")
    return Sweep(events=len(events), deliveries=len(deliveries), notifications=len(notifications))


SWEEP = "sweep_outbox"


def _take_lease(name: str, holder: str, now: datetime, duration: timedelta) -> bool:
    """Hold the lease `name` until now + duration if nobody holds it: one
    conditional UPDATE, judged by its row count."""
    JobLease.objects.get_or_create(name=name)
    free = Q(held_until__isnull=True) | Q(held_until__lte=now)
    return JobLease.objects.filter(free, name=name).update(holder=holder, held_until=now + duration) == 1


def _claim_due(model: type[Model], now: datetime, limit: int) -> list[int]:
    """Claim up to `limit` due rows not queued already: lock them (skipping rows
    another transaction holds), mark them queued for QUEUE_LEASE."""
    unqueued = Q(queued_until__isnull=True) | Q(queued_until__lte=now)
    with transaction.atomic():
        claimed = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(unqueued, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        model.objects.filter(pk__in=claimed).update(queued_until=now + QUEUE_LEASE)
    return claimed


def _queue_claimed(model: type[Model], ids: list[int], queue) -> None:
    """Send the messages of claimed rows; a row whose message could not be sent
    (broker down) is released at once for the next sweep."""
    unsent = [pk for pk in ids if not queue(pk)]
    if unsent:
        model.objects.filter(pk__in=unsent).update(queued_until=None)


def retry_deliveries_now(delivery_ids: list[int]) -> int:
    """Make webhook deliveries due at once, given-up ones included (each gets one
    more attempt); delivered ones are left alone. Returns how many were queued."""
    from oms.tasks import deliver_webhook

    return _retry_now(WebhookDelivery, delivery_ids, deliver_webhook)


def retry_notifications_now(notification_ids: list[int]) -> int:
    """As `retry_deliveries_now`, for customer e-mails: a sent one is never re-sent."""
    from oms.tasks import send_notification

    return _retry_now(Notification, notification_ids, send_notification)


def _retry_now(model: type[Model], ids: list[int], task: Task) -> int:
    with transaction.atomic():
        retried = list(
            model.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(status=DeliveryStatus.DELIVERED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        model.objects.filter(pk__in=retried).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, queued_until=now + QUEUE_LEASE
        )
        for pk in retried:
            enqueue_on_commit(task, pk)
    return len(retried)
