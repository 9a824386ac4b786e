"""Bad input across the whole API: schemathesis runs every operation of the
published OpenAPI schema, authenticated as an integration, over realistic data,
with all its default checks (no 5xx; status code, content type, headers and body
as documented; schema-violating requests refused, schema-valid ones accepted…).

A failure is a bug to fix in the code or in the schema; nothing is excluded. The
number of examples per operation is bounded and the seed fixed, so that this
stays a stable part of `make test`. To search harder:
`OMS_FUZZ_EXAMPLES=200 OMS_FUZZ_SEED=random pytest tests/api/test_schema_fuzz.py`."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from oms.core.actors import Actor
from oms.models import Role, WebhookSubscription
from oms.services import capture
from oms.wsgi import application
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, UserFactory, place_order_command

TOKEN = "fuzz0000000000000000000000000000000000ff"
STOCK_POINTS = ["WH-ORLEANS", "ST-LYON-01", "ST-PARIS-01"]
SKUS = ["LAMP", "SHIRT"]
CHANNELS = ["web", "app"]
ORDER_NUMBER = "WEB-FUZZ-0001"
WEBHOOK_ID = 10**12  # far beyond the ids the tests' own subscriptions get


def published_schema() -> dict:
    """The schema `/api/schema/` serves, as plain JSON."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


# Schema-valid requests these operations refuse for a reason the schema cannot
# express: data that does not exist, or exists already, or an earlier request.
# Everything else the schema allows, they must accept (schemathesis's default list
# for positive_data_acceptance, plus these statuses).
REFUSALS_THE_SCHEMA_CANNOT_STATE = {
    # unknown channel, SKU or pickup store; a delivery method without its data;
    # an Idempotency-Key used before with another body (422)
    "v1_orders_create": ["400", "422"],
    "v1_stock_feed_create": ["400"],  # unknown stock point or SKU; on hand going below zero
    "v1_products_create": ["400"],  # SKU or EAN already taken
    "v1_products_partial_update": ["400"],  # EAN already taken; a `sku` other than its own
    "v1_stock_points_create": ["400"],  # code already taken
    "v1_stock_points_partial_update": ["400"],  # a `code` other than its own
    "v1_webhooks_create": ["400"],  # an http(s) URL Django's URLValidator refuses (a host without TLD…)
    "v1_webhooks_partial_update": ["400"],  # the same
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def _often(dictionary: str) -> dict:
    """Draw half the values from the data that exists, half as schemathesis likes."""
    return {"dictionary": dictionary, "probability": 0.5}


EXAMPLES = int(os.environ.get("OMS_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("OMS_FUZZ_SEED", "20240601")

CONFIG = schemathesis.Config.from_dict(
    {
        **({} if SEED == "random" else {"seed": int(SEED)}),
        "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {TOKEN}"}}},
        "generation": {"max-examples": EXAMPLES, "database": "none"},
        "dictionaries": {
            "stock_points": {"values": STOCK_POINTS},
            "skus": {"values": SKUS},
            "channels": {"values": CHANNELS},
            "orders": {"values": [ORDER_NUMBER]},
            "webhooks": {"values": [WEBHOOK_ID]},
        },
        "parameters": {
            "path.code": _often("stock_points"),
            "path.sku": _often("skus"),
            "path.number": _often("orders"),
            "path.id": _often("webhooks"),
            "query.sku": _often("skus"),
            "query.channel": _often("channels"),
            "body.channel": _often("channels"),
            "body.lines[*].sku": _often("skus"),
            "body.delivery.pickup_store": _often("stock_points"),
            "body.items[*].stock_point": _often("stock_points"),
            "body.items[*].sku": _often("skus"),
        },
        "operations": [
            {
                "include-operation-id": operation_id,
                "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + refusals}},
            }
            for operation_id, refusals in REFUSALS_THE_SCHEMA_CANNOT_STATE.items()
        ],
    }
)

schema = schemathesis.openapi.from_dict(published_schema(), config=CONFIG)
schema.app = application


@pytest.fixture
def network(db, monkeypatch):
    """The data the dictionaries above name: stock points (one offering click &
    collect), SKUs in stock, channels, an order, a webhook subscription, and the
    integration whose token schemathesis sends."""
    integration = UserFactory(username="integration-fuzz", role=Role.INTEGRATION)
    Token.objects.create(user=integration, key=TOKEN)
    for channel in CHANNELS:
        ChannelFactory(code=channel)
    warehouse, lyon, paris = (
        StockPointFactory(code=STOCK_POINTS[0], kind="warehouse", priority=10),
        StockPointFactory(code=STOCK_POINTS[1], services=["click_and_collect", "e_reservation"]),
        StockPointFactory(code=STOCK_POINTS[2], services=["ship_from_store", "returns"]),
    )
    for sku in SKUS:
        for point in (warehouse, lyon, paris):
            StockLevelFactory(sku=SkuFactory(code=sku), stock_point=point, on_hand=1000)
    with monkeypatch.context() as patch:
        patch.setattr(capture, "new_order_number", lambda channel: ORDER_NUMBER)
        capture.place_order(place_order_command([("LAMP", 2), ("SHIRT", 1)]), actor=Actor.system("fuzz"))
    WebhookSubscription.objects.create(
        pk=WEBHOOK_ID, owner=integration, url="https://erp.example.com/oms", events=["*"]
    )


@pytest.fixture
def in_thread_wsgi():
    """Serve the WSGI app on the test's own connection and transaction, as Django's
    test client does: no closing of "old" connections around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, network, in_thread_wsgi):
    case.call_and_validate()
