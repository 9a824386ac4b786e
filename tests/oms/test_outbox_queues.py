"""The outbox sweep and the queues: a row is claimed before it is queued (a sweep
never multiplies the queue), one sweep at a time, beat jobs and payments apart
from webhook calls and e-mails, and a hanging subscriber costs one timeout, not
one per delivery. The broker is Celery's in-memory transport, read back; the
receivers are real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from oms.celery import app as celery_app
from oms.core.actors import Actor
from oms.models import DeliveryStatus, JobLease, Notification, OutboxEvent, Role, WebhookDelivery
from oms.models import WebhookSubscription as Subscription
from oms.services.capture import place_order
from oms.services.event_delivery import QUEUE_LEASE, Sweep, dispatch_outbox_event, sweep_outbox
from oms.tasks import deliver_webhook
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, UserFactory, place_order_command
from tests.oms.receivers import running_receiver

ACTOR = Actor(label="api:webshop")
UNREACHABLE_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True


@pytest.fixture
def stock(db):
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Desk lamp"), stock_point=warehouse, on_hand=50)


@pytest.fixture
def owner(db):
    return UserFactory(username="integration-shop", role=Role.INTEGRATION)


def place():
    return place_order(place_order_command([("LAMP", 1, "19.90")]), actor=ACTOR)[0]


def event_of(order, event_type: str) -> OutboxEvent:
    return OutboxEvent.objects.get(order_number=order.number, event_type=event_type)


class Broker:
    """Celery's in-memory broker, not eager: what is sent stays queued, to be read."""

    def use(self, url: str = "memory://") -> None:
        celery_app.conf.broker_url = url
        celery_app.conf.task_always_eager = False
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def take(self, queue: str) -> list[tuple[str, tuple]]:
        """Remove and return the (task, args) queued on `queue`, in order."""
        taken = []
        with celery_app.connection_for_write() as conn, conn.SimpleQueue(queue) as simple:
            while True:
                try:
                    message = simple.get_nowait()
                except simple.Empty:
                    return taken
                args, _kwargs, _embed = message.decode()
                taken.append((message.headers["task"], tuple(args)))
                message.ack()


@pytest.fixture
def broker():
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    memory = Broker()
    memory.use()
    for queue in ("default", "webhooks", "emails"):
        memory.take(queue)
    yield memory
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def due_rows(owner, count: int) -> tuple[list[int], list[int]]:
    """`count` webhook deliveries and one e-mail, due (their events fanned out),
    none of them queued."""
    hook = Subscription.objects.create(owner=owner, url="http://127.0.0.1:9/hooks", events=["*"])
    past = timezone.now() - timedelta(minutes=1)
    deliveries = [
        WebhookDelivery.objects.create(
            event=event_of(place(), "order.created"), subscription=hook, next_attempt_at=past
        ).pk
        for _ in range(count)
    ]
    notification = Notification.objects.create(
        event=OutboxEvent.objects.filter(event_type="order.confirmed").first(),
        template="order_confirmed",
        to="camille.martin@example.fr",
        language="en",
        next_attempt_at=past,
    )
    OutboxEvent.objects.update(dispatched_at=past)  # fanned out already
    return deliveries, [notification.pk]


# --- Claim before queueing ---------------------------------------------------------


def test_sweeping_twice_queues_a_due_row_once_while_it_is_claimed(stock, owner, broker):
    # given
    deliveries, notifications = due_rows(owner, 3)
    broker.take("default")  # the orders' own fan-out messages
    # when
    first = sweep_outbox()
    second = sweep_outbox()
    # then
    assert (first, second) == (Sweep(events=0, deliveries=3, notifications=1), Sweep(0, 0, 0))
    assert broker.take("webhooks") == [("oms.tasks.deliver_webhook", (pk,)) for pk in deliveries]
    assert broker.take("emails") == [("oms.tasks.send_notification", (pk,)) for pk in notifications]


def test_a_claimed_row_whose_lease_expired_is_queued_again(stock, owner, broker):
    # given: a row queued by a sweep whose message the broker then lost
    [delivery], _notifications = due_rows(owner, 1)
    now = timezone.now()
    sweep_outbox(now=now)
    broker.take("webhooks")
    # when
    before_expiry = sweep_outbox(now=now + QUEUE_LEASE - timedelta(seconds=1))
    after_expiry = sweep_outbox(now=now + QUEUE_LEASE + timedelta(seconds=1))
    # then
    assert (before_expiry.deliveries, after_expiry.deliveries) == (0, 1)
    assert broker.take("webhooks") == [("oms.tasks.deliver_webhook", (delivery,))]


def test_a_row_that_could_not_be_queued_is_left_for_the_next_sweep(stock, owner, broker):
    # given: the broker is down during a sweep
    [delivery], [notification] = due_rows(owner, 1)
    broker.use(UNREACHABLE_REDIS)
    started = time.monotonic()
    sweep_outbox()
    took = time.monotonic() - started
    assert took < 1.0
    assert list(WebhookDelivery.objects.filter(pk=delivery).values_list("queued_until", flat=True)) == [None]
    # when: it is back
    broker.use()
    swept = sweep_outbox()
    # then
    assert (swept.deliveries, swept.notifications) == (1, 1)
    assert broker.take("webhooks") == [("oms.tasks.deliver_webhook", (delivery,))]
    assert broker.take("emails") == [("oms.tasks.send_notification", (notification,))]


def test_a_fanned_out_delivery_is_not_queued_again_by_the_sweep(
    stock, owner, broker, django_capture_on_commit_callbacks
):
    # given: an event fanned out, its first attempt queued on commit and still waiting
    Subscription.objects.create(owner=owner, url="http://127.0.0.1:9/hooks", events=["order.created"])
    event = event_of(place(), "order.created")
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = dispatch_outbox_event(event.pk).deliveries
    # when
    swept = sweep_outbox()
    # then
    assert swept.deliveries == 0
    assert broker.take("webhooks") == [("oms.tasks.deliver_webhook", (delivery,))]


# --- One sweep at a time ----------------------------------------------------------


def test_a_sweep_does_nothing_while_another_holds_the_lease(stock, owner, broker):
    # given: another sweep under way
    due_rows(owner, 2)
    now = timezone.now()
    JobLease.objects.create(name="sweep_outbox", holder="other-worker", held_until=now + timedelta(minutes=1))
    # when
    during = sweep_outbox(now=now)
    after = sweep_outbox(now=now + timedelta(minutes=1, seconds=1))  # its lease ran out (worker killed)
    # then
    assert (during, after.deliveries) == (Sweep(0, 0, 0), 2)
    assert len(broker.take("webhooks")) == 2
    assert JobLease.objects.get(name="sweep_outbox").held_until is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_queue_each_row_once(stock, owner, broker):
    # given
    deliveries, notifications = due_rows(owner, 30)
    broker.take("default")
    workers = 8
    barrier = threading.Barrier(workers)
    sweeps: list[Sweep] = []

    def run():
        try:
            barrier.wait()
            sweeps.append(sweep_outbox(limit=10))
        finally:
            connection.close()

    # when: eight beat runs at once, each taking at most 10 rows
    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: no row was queued twice
    queued = [args[0] for _task, args in broker.take("webhooks")]
    assert len(queued) == len(set(queued)) == sum(sweep.deliveries for sweep in sweeps)
    assert set(queued) <= set(deliveries)


# --- Queues ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("oms.tasks.deliver_webhook", "webhooks"),
        ("oms.tasks.send_notification", "emails"),
        ("oms.tasks.sweep_outbox", "default"),
        ("oms.tasks.dispatch_events", "default"),
        ("oms.tasks.execute_payment_operation", "default"),
        ("oms.tasks.resume_payment_operations", "default"),
        ("oms.tasks.expire_e_reservations", "default"),
        ("inventory.tasks.refresh_all_protection", "default"),
        ("inventory.tasks.refresh_protection_scopes", "default"),
    ],
)
def test_webhook_calls_and_emails_have_queues_of_their_own(task, queue):
    assert celery_app.amqp.router.route({}, task)["queue"].name == queue


def test_the_procfile_runs_a_worker_for_every_queue():
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    workers = [re.search(r"--queues (\S+)", line) for line in procfile.splitlines() if " worker " in line]
    assert sorted(match.group(1) for match in workers) == ["default", "emails", "webhooks"]


# --- A hanging subscriber ----------------------------------------------------------


def test_a_hanging_subscriber_costs_one_timeout_and_does_not_hold_up_another(
    stock, owner, broker, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    with running_receiver([200], delay=5) as hanging, running_receiver([200]) as healthy:
        # given: three events, each for a subscriber that hangs and one that answers
        Subscription.objects.create(owner=owner, url=hanging.url, events=["order.created"])
        Subscription.objects.create(owner=owner, url=healthy.url, events=["order.created"])
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                dispatch_outbox_event(event_of(place(), "order.created").pk)
        queued = broker.take("webhooks")
        assert len(queued) == 6
        # when: one worker process takes the webhook queue in order
        started = time.monotonic()
        outcomes = [deliver_webhook(*args) for _task, args in queued]
        took = time.monotonic() - started
    # then: the hanging one was called once (one timeout), the healthy one three times
    assert (len(hanging.requests), len(healthy.requests)) == (1, 3)
    assert took < 1.5, took
    assert sorted(outcomes, key=str) == [None, None, "delivered", "delivered", "delivered", "pending"]
    waiting = WebhookDelivery.objects.filter(subscription__url=hanging.url)
    assert sorted(waiting.values_list("status", "attempts")) == [
        (DeliveryStatus.PENDING, 0),
        (DeliveryStatus.PENDING, 0),
        (DeliveryStatus.PENDING, 1),
    ]
    assert len(set(waiting.values_list("next_attempt_at", flat=True))) == 1
    [error] = waiting.filter(attempts=1).values_list("last_error", flat=True)
    assert error == "Could not reach the receiver: timed out"
