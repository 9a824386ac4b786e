"""With REDIS_URL naming a dead Redis, as the process reads it at start (the real
settings: broker, result backend, cache), capture and cancel answer at once with
their normal status; once Redis is back the beat jobs deliver the events and carry
out the payment operation, once each. The web side runs in a subprocess so that
nothing of this test's own configuration reaches it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from rest_framework.authtoken.models import Token

from oms import payments
from oms.celery import app as celery_app
from oms.models import (
    DeliveryStatus,
    OutboxEvent,
    PaymentOperation,
    Role,
    WebhookDelivery,
    WebhookSubscription,
)
from oms.tasks import resume_payment_operations, sweep_outbox
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, UserFactory
from tests.oms.receivers import CountingProvider, running_receiver

ROOT = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1

# Run in the subprocess: one order captured, then cancelled, each timed.
CLIENT = """
import json, sys, time
import django
django.setup()
from rest_framework.test import APIClient
token, body = sys.argv[1], json.loads(sys.argv[2])
api = APIClient()
api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
api.post("/api/v1/orders/", {}, format="json")  # loads the code: not measured
api.post("/api/v1/orders/NOPE/cancel/", {}, format="json")
started = time.monotonic()
created = api.post("/api/v1/orders/", body, format="json")
capture = time.monotonic() - started
number = created.json().get("number", "")
started = time.monotonic()
cancelled = api.post(f"/api/v1/orders/{number}/cancel/", {"reason": "customer"}, format="json")
cancel = time.monotonic() - started
print(json.dumps({"number": number, "statuses": [created.status_code, cancelled.status_code],
                  "capture": capture, "cancel": cancel}))
"""


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres  # the subprocess must see this test's data: a real database, committed
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_capture_and_cancel_answer_at_once_and_their_work_goes_out_later(
    monkeypatch, settings
):
    # given: stock, an integration's token, a subscriber, the payment provider
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Desk lamp"), stock_point=warehouse, on_hand=5)
    token = Token.objects.create(user=UserFactory(username="integration-web", role=Role.INTEGRATION)).key
    provider = CountingProvider()
    monkeypatch.setitem(payments.PROVIDERS, "sandbox", provider)
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    body = {
        "channel": "web",
        "external_reference": "WEB-1",
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
        "payment": {"provider": "sandbox", "reference": "auth-1", "amount": "39.80", "currency": "EUR"},
    }
    with running_receiver([200]) as receiver:
        WebhookSubscription.objects.create(
            owner=UserFactory(username="integration-shop", role=Role.INTEGRATION),
            url=receiver.url,
            events=["*"],
        )
        # when: the web process runs with Redis dead
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oms.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": DEAD_REDIS,
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        ran = subprocess.run(
            [sys.executable, "-c", CLIENT, token, json.dumps(body)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ran.returncode == 0, ran.stderr
        answer = json.loads(ran.stdout.strip().splitlines()[-1])
        # then: normal statuses, at once, and a clear warning for each message not sent
        assert answer["statuses"] == [201, 200]
        # (about 0.2 s each on a quiet machine, 19 s before the fix; the bound leaves room
        # for a machine whose speed varies 2x and a suite running beside it)
        assert (answer["capture"] < 1.5, answer["cancel"] < 1.5) == (True, True), answer
        warnings = [line for line in ran.stderr.splitlines() if line.startswith("Could not queue ")]
        assert [line.split("(")[0] for line in warnings] == [
            "Could not queue oms.tasks.dispatch_events",
            "Could not queue oms.tasks.execute_payment_operation",
            "Could not queue oms.tasks.dispatch_events",
        ]
        number = answer["number"]
        assert list(OutboxEvent.objects.order_by("pk").values_list("event_type", "dispatched_at")) == [
            ("order.created", None),
            ("order.confirmed", None),
            ("order.cancelled", None),
        ]
        assert list(PaymentOperation.objects.values_list("kind", "outcome")) == [("void", "pending")]
        # when: Redis is back (here: tasks in-process) and the beat jobs run, twice
        assert celery_app.conf.task_always_eager is True
        OutboxEvent.objects.update(created_at=F("created_at") - timedelta(seconds=10))
        PaymentOperation.objects.update(created_at=F("created_at") - timedelta(minutes=11))
        for _run in range(2):
            sweep_outbox.delay()
            resume_payment_operations.delay()
        # then: each event delivered once, the void made once
        assert [request.headers["x-oms-event"] for request in receiver.requests] == [
            "order.created",
            "order.confirmed",
            "order.cancelled",
        ]
    assert (
        sorted(WebhookDelivery.objects.values_list("status", "attempts"))
        == [(DeliveryStatus.DELIVERED, 1)] * 3
    )
    assert provider.calls == [("void", f"{number}/cancel/void")]
    assert list(PaymentOperation.objects.values_list("kind", "outcome")) == [("void", "succeeded")]
