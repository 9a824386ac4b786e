"""The outbox: events fanned out to webhook subscribers (signed, retried with
backoff, given up after MAX_ATTEMPTS) and delivered even when Redis was down at
capture. The receiver is a real HTTP server on 127.0.0.1; only it is fake."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from oms import payments
from oms.celery import app as celery_app
from oms.core.actors import Actor
from oms.models import (
    DeliveryStatus,
    Notification,
    OutboxEvent,
    PaymentOperation,
    Role,
    WebhookDelivery,
    WebhookSubscription,
)
from oms.services.capture import place_order
from oms.services.event_delivery import MAX_ATTEMPTS, deliver_webhook, dispatch_outbox_event, retry_delay
from oms.services.people import upsert_staff_user
from oms.tasks import resume_payment_operations, sweep_outbox
from tests.conftest import api_client_for
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import PASSWORD, ChannelFactory, UserFactory, place_order_command
from tests.oms.receivers import CountingProvider, Received, running_receiver

ACTOR = Actor(label="api:webshop")
SECRET = "whsec_test-secret-0123456789"
UNREACHABLE_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there
QUEUES = "default,webhooks,emails"  # what the Procfile's workers consume


# --- The outside world: a webhook receiver ------------------------------------


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    """The receivers of these tests listen on 127.0.0.1: allow loopback destinations."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True


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
    with running_receiver([200]) as elsewhere, running_receiver([302]) as receiver:
        # given: a subscriber that redirects to another receiver
        receiver.location = elsewhere.url
        subscription(owner, receiver.url, ["order.created"])
        [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
        # when
        outcome = deliver_webhook(delivery_id)
        # then
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        assert (outcome, delivery.last_status_code, delivery.last_error) == (
            DeliveryStatus.PENDING,
            302,
            "The receiver answered HTTP 302.",
        )
        assert (len(receiver.requests), elsewhere.requests) == (1, [])


# --- Destinations checked again at delivery (DNS can change) -----------------------


@dataclass
class FakeDns:
    """The outside world's DNS: `answers[host]` is what each lookup of it returns
    next (the last one repeats); every lookup and connection is recorded."""

    answers: dict[str, list[str]]
    lookups: list[str] = field(default_factory=list)
    connections: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns(answers={})
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in fake.answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        fake.lookups.append(host)
        queue = fake.answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def create_connection(address, *args, **kwargs):
        fake.connections.append(address)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return fake


def test_a_subscriber_whose_host_now_resolves_inside_the_network_is_not_called(stock, owner, receiver, dns):
    # given: a subscriber's host resolving to the (allowed) local receiver
    port = int(receiver.url.split(":")[2].split("/")[0])
    dns.answers["hooks.shop.example"] = ["127.0.0.1"]
    subscription(owner, f"http://hooks.shop.example:{port}/hooks/oms", ["order.created"])
    [first] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    assert deliver_webhook(first) == DeliveryStatus.DELIVERED
    # when: its DNS now answers a private address
    dns.answers["hooks.shop.example"] = ["10.0.0.7"]
    [second] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    outcome = deliver_webhook(second)
    # then: given up with the reason, and no connection made
    delivery = WebhookDelivery.objects.get(pk=second)
    assert (outcome, delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
        None,
        "hooks.shop.example is a private address (10.0.0.7): webhooks go to public addresses only.",
    )
    assert dns.connections == [("127.0.0.1", port)]
    assert [request.headers["x-oms-delivery"] for request in receiver.requests] == [str(first)]
    assert request_host(receiver.requests[0]) == f"hooks.shop.example:{port}"


def request_host(request: Received) -> str:
    return request.headers["host"]


def test_the_address_checked_is_the_address_connected_to(stock, owner, receiver, dns):
    # given: a host that answers the local receiver once, then a private address
    port = int(receiver.url.split(":")[2].split("/")[0])
    dns.answers["rebind.shop.example"] = ["127.0.0.1", "10.0.0.7"]
    subscription(owner, f"http://rebind.shop.example:{port}/hooks/oms", ["order.created"])
    [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    # when
    outcome = deliver_webhook(delivery_id)
    # then: one lookup, and the connection went to the address it gave
    assert outcome == DeliveryStatus.DELIVERED
    assert (dns.lookups, dns.connections) == (["rebind.shop.example"], [("127.0.0.1", port)])


def test_a_host_that_does_not_resolve_is_retried_later(stock, owner, dns):
    dns.answers["gone.shop.example"] = ["127.0.0.1"]
    subscription(owner, "https://gone.shop.example/hooks", ["order.created"])
    [delivery_id] = dispatch_outbox_event(event_of(place(), "order.created").pk).deliveries
    del dns.answers["gone.shop.example"]
    outcome = deliver_webhook(delivery_id)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (outcome, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "gone.shop.example does not resolve to an address.",
    )
    assert dns.connections == []


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


# --- Redis down at capture and cancel --------------------------------------------


def _use_broker(url: str, *, eager: bool) -> None:
    """Point the Celery app at another Redis, as a REDIS_URL naming it would: the
    broker, and the result backend if one is configured. The app read the settings
    at import and keeps its connection pools and backend, so it is told to look
    them up again (kombu's registry keeps one pool per broker URL: left open)."""
    celery_app.conf.broker_url = url
    if celery_app.conf.result_backend:
        celery_app.conf.result_backend = url
    celery_app.conf.task_always_eager = eager
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_broker():
    """Lets a test move the broker; restores it afterwards."""
    saved = (celery_app.conf.broker_url, celery_app.conf.result_backend, celery_app.conf.task_always_eager)
    yield _use_broker
    _use_broker(saved[0], eager=saved[2])
    celery_app.conf.result_backend = saved[1]


@pytest.fixture
def provider(monkeypatch):
    fake = CountingProvider()
    monkeypatch.setitem(payments.PROVIDERS, "sandbox", fake)
    return fake


REDIS_URL = os.environ.get("REDIS_URL", "")


def order_body(reference: str) -> dict:
    return {
        "channel": "web",
        "external_reference": reference,
        "customer": {"email": "camille.martin@example.fr", "first_name": "Camille", "language": "en"},
        "delivery": {
            "method": "home_delivery",
            "service": "standard",
            "address": {
                "line1": "12 rue de la République",
                "postal_code": "69002",
                "city": "Lyon",
                "country": "FR",
            },
        },
        "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": "19.90"}],
        "payment": {
            "provider": "sandbox",
            "reference": f"auth-{reference}",
            "amount": "39.80",
            "currency": "EUR",
        },
    }


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


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
def test_with_redis_down_orders_and_cancels_answer_at_once_and_go_out_once_redis_is_back(
    stock, owner, receiver, provider, celery_broker, comeback
):
    # given: a subscriber, an integration's token, and Redis unreachable
    subscription(owner, receiver.url, ["*"])
    api = api_client_for(UserFactory(username="integration-web", role=Role.INTEGRATION))
    # the first requests load code: not what is measured
    assert api.post("/api/v1/orders/", {}, format="json").status_code == 400
    assert api.post("/api/v1/orders/NOPE/cancel/", {}, format="json").status_code == 404
    celery_broker(UNREACHABLE_REDIS, eager=False)
    # when: an order is captured, then cancelled
    created, capture_took = _timed(lambda: api.post("/api/v1/orders/", order_body("WEB-1"), format="json"))
    number = created.json()["number"]
    cancelled, cancel_took = _timed(
        lambda: api.post(f"/api/v1/orders/{number}/cancel/", {"reason": "customer"}, format="json")
    )
    # then: both answered at once with their normal status; their work waits in the outbox
    assert (created.status_code, cancelled.status_code, cancelled.json()["status"]) == (201, 200, "cancelled")
    assert (capture_took < 0.5, cancel_took < 0.5) == (True, True), (capture_took, cancel_took)
    assert list(OutboxEvent.objects.order_by("pk").values_list("event_type", "dispatched_at")) == [
        ("order.created", None),
        ("order.confirmed", None),
        ("order.cancelled", None),
    ]
    assert list(PaymentOperation.objects.values_list("kind", "outcome")) == [("void", "pending")]
    assert (WebhookDelivery.objects.count(), receiver.requests, provider.calls) == (0, [], [])
    # when: Redis is back, and the beat jobs run (the work is past their grace periods)
    OutboxEvent.objects.update(created_at=F("created_at") - timedelta(seconds=10))
    PaymentOperation.objects.update(created_at=F("created_at") - timedelta(minutes=11))
    if comeback == "eager":
        celery_broker("memory://", eager=True)
        sweep_outbox.delay()
        resume_payment_operations.delay()
    else:
        celery_broker(REDIS_URL, eager=False)
        from celery.contrib.testing.worker import start_worker

        celery_app.control.purge()
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30, queues=QUEUES):
            sweep_outbox.delay()
            resume_payment_operations.delay()
            receiver.wait_for(3)
            deadline = time.monotonic() + 20
            while (not mail.outbox or not provider.calls) and time.monotonic() < deadline:
                time.sleep(0.05)
            _wait_until_settled(deadline, deliveries=3)
    # then: each event reached the subscriber once, the void was made once, the e-mails sent
    assert [request.headers["x-oms-event"] for request in receiver.requests] == [
        "order.created",
        "order.confirmed",
        "order.cancelled",
    ]
    assert (
        sorted(WebhookDelivery.objects.values_list("status", "attempts"))
        == [(DeliveryStatus.DELIVERED, 1)] * 3
    )
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    assert provider.calls == [("void", f"{number}/cancel/void")]
    assert list(PaymentOperation.objects.values_list("kind", "outcome")) == [("void", "succeeded")]
    assert [(email.subject, email.to) for email in mail.outbox] == [
        (f"Your order {number} is confirmed", ["camille.martin@example.fr"])
    ]
    # and the beat jobs running again send nothing more
    celery_broker("memory://", eager=True)
    sweep_outbox.delay()
    resume_payment_operations.delay()
    assert (len(receiver.requests), len(provider.calls), len(mail.outbox)) == (3, 1, 1)


def _wait_until_settled(deadline: float, *, deliveries: int) -> None:
    """Until no delivery or notification is pending (the worker records outcomes
    after the receiver has answered)."""
    while time.monotonic() < deadline:
        pending = (
            WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).count()
            + Notification.objects.exclude(status=DeliveryStatus.DELIVERED).count()
            + PaymentOperation.objects.filter(outcome="pending").count()
        )
        if pending == 0 and WebhookDelivery.objects.count() == deliveries:
            return
        time.sleep(0.05)
