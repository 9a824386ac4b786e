"""The outbox: events fanned out to webhook subscribers (signed, retried with
backoff, given up after MAX_ATTEMPTS) and delivered even when Redis was down at
capture. The receiver is a real HTTP server on 127.0.0.1; only it is fake."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from oms.celery import app as celery_app
from oms.core.actors import Actor
from oms.models import DeliveryStatus, Notification, OutboxEvent, Role, WebhookDelivery, WebhookSubscription
from oms.services.capture import CustomerInput, place_order
from oms.services.event_delivery import MAX_ATTEMPTS, deliver_webhook, dispatch_outbox_event, retry_delay
from oms.services.people import upsert_staff_user
from oms.tasks import sweep_outbox
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import PASSWORD, ChannelFactory, UserFactory, place_order_command

ACTOR = Actor(label="api:webshop")
SECRET = "whsec_test-secret-0123456789"
UNREACHABLE_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there


# --- The outside world: a webhook receiver ------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status of `answers` (the last one repeats)."""

    url: str
    answers: list[int]
    requests: list[Received] = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@contextlib.contextmanager
def running_receiver(answers: list[int]):
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {name.lower(): value for name, value in self.headers.items()}  # case-insensitive
            receiver.requests.append(Received(self.path, headers, body))
            answer = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
            self.send_response(answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/oms", answers=list(answers))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver():
    with running_receiver([200]) as running:
        yield running


def signature_of(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# --- Data ---------------------------------------------------------------------


@pytest.fixture
def stock(db):
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Desk lamp"), stock_point=warehouse, on_hand=5)


@pytest.fixture
def owner(db):
    return UserFactory(username="integration-shop", role=Role.INTEGRATION)


def subscription(owner, url: str, events: list[str], **fields) -> WebhookSubscription:
    return WebhookSubscription.objects.create(owner=owner, url=url, events=events, secret=SECRET, **fields)


def place(**overrides):
    return place_order(place_order_command([("LAMP", 2, "19.90")], **overrides), actor=ACTOR)[0]


def event_of(order, event_type: str) -> OutboxEvent:
    return OutboxEvent.objects.get(order_number=order.number, event_type=event_type)


# --- Fan-out and signed delivery ------------------------------------------------


def test_an_event_is_posted_signed_to_the_subscribers_that_want_it(
    stock, owner, receiver, django_capture_on_commit_callbacks
):
    # given
    wanted = subscription(owner, receiver.url, ["order.created"])
    subscription(owner, receiver.url + "/all", ["*"], is_active=False)
    subscription(owner, receiver.url + "/cancelled", ["order.cancelled"])
    order = place()
    event = event_of(order, "order.created")
    # when
    before, started = int(time.time()), timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        fanout = dispatch_outbox_event(event.pk)
    after, ended = int(time.time()), timezone.now()
    # then
    delivery = WebhookDelivery.objects.get()
    assert (fanout.deliveries, fanout.notifications) == ([delivery.pk], [])
    assert (delivery.subscription_id, delivery.status, delivery.attempts, delivery.last_status_code) == (
        wanted.pk,
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    [request] = receiver.requests
    assert request.path == "/hooks/oms"
    assert json.loads(request.body) == {
        "id": event.pk,
        "type": "order.created",
        "created_at": event.created_at.isoformat(),
        "data": {
            "order": order.number,
            "status": "confirmed",
            "channel": "web",
            "external_reference": order.external_reference,
            "delivery_method": "home_delivery",
            "pickup_store": None,
            "total": "39.80",
            "currency": "EUR",
            "customer": {"email": "camille.martin@example.fr", "language": "fr"},
            "lines": [{"line": 1, "sku": "LAMP", "quantity": 2, "status": "open"}],
        },
    }
    timestamp = request.headers["x-oms-timestamp"]
    assert before <= int(timestamp) <= after
    assert {name: request.headers[name] for name in ["content-type", "x-oms-event", "x-oms-delivery"]} == {
        "content-type": "application/json",
        "x-oms-event": "order.created",
        "x-oms-delivery": str(delivery.pk),
    }
    assert request.headers["x-oms-signature"] == signature_of(request.body, timestamp)
    event.refresh_from_db()
    assert started <= event.dispatched_at <= ended


def test_the_signature_changes_with_the_secret(stock, owner, receiver, django_capture_on_commit_callbacks):
    subscription(owner, receiver.url, ["*"])
    event = event_of(place(), "order.created")
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_outbox_event(event.pk)
    [request] = receiver.requests
    timestamp = request.headers["x-oms-timestamp"]
    assert request.headers["x-oms-signature"] != signature_of(request.body, timestamp, secret="whsec_other")
    assert request.headers["x-oms-signature"] != signature_of(request.body, str(int(timestamp) + 1))


def test_dispatching_an_event_twice_creates_and_sends_nothing_more(
    stock, owner, receiver, django_capture_on_commit_callbacks
):
    # given
    subscription(owner, receiver.url, ["order.confirmed"])
    event = event_of(place(), "order.confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        first = dispatch_outbox_event(event.pk)
    # when
    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = dispatch_outbox_event(event.pk)
    # then
    assert (len(first.deliveries), len(first.notifications)) == (1, 1)
    assert (again.deliveries, again.notifications, len(queued)) == ([], [], 0)
    assert (WebhookDelivery.objects.count(), Notification.objects.count()) == (1, 1)
    assert len(receiver.requests) == 1
    assert len(mail.outbox) == 1
    [delivery] = WebhookDelivery.objects.all()
    assert deliver_webhook(delivery.pk, now=timezone.now() + timedelta(days=1)) is None
    assert len(receiver.requests) == 1


# --- Retries ------------------------------------------------------------------


def test_retry_delays_double_from_30_seconds_up_to_6_hours_plus_jitter():
    assert [retry_delay(n, jitter=0).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3840,
    ]
    assert retry_delay(11, jitter=0) == timedelta(hours=6)
    assert retry_delay(12, jitter=0) == timedelta(hours=6)
    assert retry_delay(3, jitter=0.1) == timedelta(seconds=132)
    delays = {retry_delay(1) for _ in range(50)}
    assert min(delays) >= timedelta(seconds=30)
    assert max(delays) <= timedelta(seconds=33)
    assert len(delays) > 1


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    stock, owner, django_capture_on_commit_callbacks
):
    with running_receiver([500, 200]) as receiver:
        # given
        subscription(owner, receiver.url, ["order.created"])
        event = event_of(place(), "order.created")
        # when: the first attempt, queued on commit, meets a 500
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_outbox_event(event.pk)
        after = timezone.now()
        # then
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
            DeliveryStatus.PENDING,
            1,
            500,
            "The receiver answered HTTP 500.",
        )
        assert before + timedelta(seconds=30) <= delivery.next_attempt_at <= after + timedelta(seconds=33)
        # not due yet: nothing is sent
        assert deliver_webhook(delivery.pk) is None
        assert len(receiver.requests) == 1
        # when: due again, the receiver answers 200
        assert deliver_webhook(delivery.pk, now=delivery.next_attempt_at) == DeliveryStatus.DELIVERED
        # then
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
            DeliveryStatus.DELIVERED,
            2,
            200,
            "",
        )
        assert (delivery.next_attempt_at, delivery.delivered_at is None) == (None, False)
        assert [r.headers["x-oms-delivery"] for r in receiver.requests] == [str(delivery.pk)] * 2


def test_a_delivery_is_given_up_after_eight_failed_attempts(stock, owner):
    with running_receiver([503]) as receiver:
        # given
        subscription(owner, receiver.url, ["order.created"])
        event = event_of(place(), "order.created")
        [delivery_id] = dispatch_outbox_event(event.pk).deliveries
        # when: each attempt made when due, each meeting a 503
        outcomes, waits = [], []
        for _attempt in range(MAX_ATTEMPTS):
            due = WebhookDelivery.objects.get(pk=delivery_id).next_attempt_at
            outcomes.append(deliver_webhook(delivery_id, now=due))
            after = WebhookDelivery.objects.get(pk=delivery_id)
            if after.next_attempt_at is not None:
                waits.append((after.next_attempt_at - due) / timedelta(seconds=30))
        # then: waits of 30 s × 2^(n−1) plus at most 10 %, then given up
        assert outcomes == [DeliveryStatus.PENDING] * 7 + [DeliveryStatus.FAILED]
        assert [2**n <= wait <= 2**n * 1.1 for n, wait in enumerate(waits)] == [True] * 7
        assert (after.status, after.attempts, after.last_status_code, after.next_attempt_at) == (
            DeliveryStatus.FAILED,
            8,
            503,
            None,
        )
        assert len(receiver.requests) == 8
        assert deliver_webhook(delivery_id, now=timezone.now() + timedelta(days=1)) is None
        assert len(receiver.requests) == 8


def test_an_unreachable_receiver_is_an_error_to_retry(stock, owner):
    # given: a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscription(owner, f"http://127.0.0.1:{port}/hooks", ["order.created"])
    [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    # when
    outcome = deliver_webhook(delivery_id)
    # then
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (outcome, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, None)
    assert delivery.last_error.startswith("Could not reach the receiver: ")
    assert SECRET not in delivery.last_error


def test_a_redirect_is_a_failure_not_followed(stock, owner):
    with running_receiver([302]) as receiver:
        subscription(owner, receiver.url, ["order.created"])
        [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
        assert deliver_webhook(delivery_id) == DeliveryStatus.PENDING
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        assert (delivery.last_status_code, delivery.last_error) == (302, "The receiver answered HTTP 302.")


def test_a_deactivated_subscription_gets_no_more_attempts(stock, owner, receiver):
    hook = subscription(owner, receiver.url, ["order.created"])
    [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    WebhookSubscription.objects.filter(pk=hook.pk).update(is_active=False)
    assert deliver_webhook(delivery_id) == DeliveryStatus.FAILED
    assert WebhookDelivery.objects.get(pk=delivery_id).last_error == "The subscription was deactivated."
    assert receiver.requests == []


def test_the_sweep_retries_due_deliveries_only(stock, owner):
    with running_receiver([500, 500, 200]) as receiver:
        # given: two deliveries whose first attempt failed; one is due again
        subscription(owner, receiver.url, ["order.created"])
        subscription(owner, receiver.url + "/later", ["order.created"])
        first, later = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
        assert [deliver_webhook(first), deliver_webhook(later)] == [DeliveryStatus.PENDING] * 2
        WebhookDelivery.objects.filter(pk=first).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        # when
        swept = sweep_outbox.delay().get()
        # then
        assert swept == {"events": 0, "deliveries": 1, "notifications": 0}
        assert [r.path for r in receiver.requests] == ["/hooks/oms", "/hooks/oms/later", "/hooks/oms"]
        assert dict(WebhookDelivery.objects.values_list("pk", "status")) == {
            first: DeliveryStatus.DELIVERED,
            later: DeliveryStatus.PENDING,
        }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_a_due_delivery_once(stock, owner):
    with running_receiver([500, 200]) as receiver:
        # given: a delivery whose first attempt (on commit) failed, now due again
        subscription(owner, receiver.url, ["order.created"])
        place()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.attempts, len(receiver.requests)) == (1, 1)
        workers = 20
        barrier = threading.Barrier(workers)
        outcomes: list[str | None] = []

        def attempt():
            try:
                barrier.wait()
                outcomes.append(deliver_webhook(delivery.pk, now=delivery.next_attempt_at))
            finally:
                connection.close()

        # when
        threads = [threading.Thread(target=attempt) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # then
        assert sorted(outcomes, key=str) == [None] * (workers - 1) + [DeliveryStatus.DELIVERED]
        assert len(receiver.requests) == 2
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


# --- Admin: the delivery log and "retry now" ------------------------------------


def test_head_office_retries_a_given_up_delivery_from_the_admin(
    client, stock, owner, receiver, django_capture_on_commit_callbacks
):
    # given: a delivery that gave up
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    subscription(owner, receiver.url, ["order.created"])
    [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.FAILED, attempts=8, next_attempt_at=None, last_status_code=500
    )
    changelist = reverse("admin:oms_webhookdelivery_changelist")
    assert client.get(changelist).status_code == 200
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry_now", "_selected_action": [str(delivery_id)]})
    # then
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        9,
        200,
    )
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("model", ["outboxevent", "webhooksubscription", "webhookdelivery", "notification"])
def test_head_office_reads_the_event_logs_in_the_admin(client, stock, owner, model):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    subscription(owner, "https://hooks.example.com/oms", ["*"])
    dispatch_outbox_event(event_of(place(), "order.confirmed").pk)
    changelist = client.get(reverse(f"admin:oms_{model}_changelist"))
    assert changelist.status_code == 200
    assert SECRET.encode() not in changelist.content
    assert client.get(reverse(f"admin:oms_{model}_add")).status_code == 403


# --- Redis down at capture ----------------------------------------------------


def _use_broker(url: str, *, eager: bool) -> None:
    """Point the Celery app at another broker. The app read the settings at import
    and keeps its connection pools, so it is told to look them up again (kombu's
    registry keeps one pool per broker URL: they are left open)."""
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def celery_broker():
    """Lets a test move the broker; restores it afterwards."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    yield _use_broker
    _use_broker(saved[0], eager=saved[1])


REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "comeback",
    [
        "eager",
        pytest.param(
            "worker",
            marks=pytest.mark.skipif(
                not REDIS_URL, reason="needs a real Redis for a real worker: set REDIS_URL (CI does)"
            ),
        ),
    ],
)
def test_with_redis_down_the_order_is_accepted_and_its_events_delivered_once_redis_is_back(
    stock, owner, receiver, celery_broker, comeback
):
    # given: a subscriber, and Redis unreachable
    subscription(owner, receiver.url, ["*"])
    celery_broker(UNREACHABLE_REDIS, eager=False)
    # when: an order is captured
    started = time.monotonic()
    order = place(
        customer=CustomerInput(email="camille.martin@example.fr", first_name="Camille", language="en")
    )
    took = time.monotonic() - started
    # then: accepted at once, its events waiting in the outbox
    assert took < 3.0
    assert order.status == "confirmed"
    assert list(OutboxEvent.objects.order_by("pk").values_list("event_type", "dispatched_at")) == [
        ("order.created", None),
        ("order.confirmed", None),
    ]
    assert (WebhookDelivery.objects.count(), Notification.objects.count(), receiver.requests) == (0, 0, [])
    # when: Redis is back, and the sweep runs (the events are past the grace period)
    OutboxEvent.objects.update(created_at=F("created_at") - timedelta(seconds=10))
    if comeback == "eager":
        celery_broker("memory://", eager=True)
        sweep_outbox.delay()
    else:
        celery_broker(REDIS_URL, eager=False)
        from celery.contrib.testing.worker import start_worker

        celery_app.control.purge()
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            sweep_outbox.delay()
            receiver.wait_for(2)
            deadline = time.monotonic() + 20
            while not mail.outbox and time.monotonic() < deadline:
                time.sleep(0.05)
            _wait_until_settled(deadline)
    # then: each event reached the subscriber once, and the customer got the e-mail
    assert [request.headers["x-oms-event"] for request in receiver.requests] == [
        "order.created",
        "order.confirmed",
    ]
    assert sorted(WebhookDelivery.objects.values_list("status", "attempts")) == [
        (DeliveryStatus.DELIVERED, 1),
        (DeliveryStatus.DELIVERED, 1),
    ]
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    assert [(email.subject, email.to) for email in mail.outbox] == [
        (f"Your order {order.number} is confirmed", ["camille.martin@example.fr"])
    ]
    notification = Notification.objects.get()
    assert (notification.template, notification.language, notification.status) == (
        "order_confirmed",
        "en",
        DeliveryStatus.DELIVERED,
    )


def _wait_until_settled(deadline: float) -> None:
    """Until no delivery or notification is pending (the worker records outcomes
    after the receiver has answered)."""
    while time.monotonic() < deadline:
        pending = (
            WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).count()
            + Notification.objects.exclude(status=DeliveryStatus.DELIVERED).count()
        )
        if pending == 0 and WebhookDelivery.objects.count() == 2:
            return
        time.sleep(0.05)
