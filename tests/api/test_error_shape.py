"""One error shape for every 4xx of the API. Errors used to come in three shapes
(`errors[{field}]`, `errors[{line}]` and `fields{}` nested like the input); now every
refusal is `{"error", "detail", "errors": [{"field" | "line" | "index", "detail"}]}`,
with `lines` added by `insufficient_stock` only. This walks every endpoint with bad
input and checks each body against that shape, and that nothing changed."""

from __future__ import annotations

import json

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

from inventory.models import Sku, StockLevel, StockMovement, StockPoint
from oms.models import Order, OrderLine, TimelineEntry, WebhookSubscription
from oms.services.capture import place_order
from tests.api.test_bad_input import api_views
from tests.conftest import api_client_for
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

TOP_KEYS = {"error", "detail", "errors"}
ITEM_KEYS = {"field", "line", "index", "detail"}
ORDER = "{order}"  # replaced by the number of the order the fixture places


def assert_one_shape(body: dict) -> None:
    allowed = TOP_KEYS | ({"lines"} if body.get("error") == "insufficient_stock" else set())
    assert {"error", "detail"} <= set(body) <= allowed, body
    assert (type(body["error"]), type(body["detail"])) == (str, str), body
    for item in body.get("errors", []):
        assert "detail" in item and set(item) <= ITEM_KEYS, item
        assert type(item["detail"]) is str, item
        assert not {"line", "index"} <= set(item), item
        assert all(type(item[key]) is int for key in ("line", "index") if key in item), item
        assert type(item.get("field", "")) is str, item


@pytest.fixture
def network(db, actor):
    """A warehouse with two SKUs in stock, the web channel and one order."""
    ChannelFactory(code="web")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    for code in ("LAMP", "SHIRT"):
        StockLevelFactory(sku=SkuFactory(code=code), stock_point=warehouse, on_hand=10)
    order, _created = place_order(place_order_command([("LAMP", 2)]), actor=actor)
    return order


def state() -> tuple:
    return (
        list(StockPoint.objects.order_by("pk").values()),
        list(Sku.objects.order_by("pk").values()),
        list(StockLevel.objects.order_by("pk").values("pk", "on_hand", "reserved")),
        StockMovement.objects.count(),
        list(Order.objects.order_by("pk").values("pk", "status")),
        list(OrderLine.objects.order_by("pk").values("pk", "cancelled_quantity", "status")),
        TimelineEntry.objects.count(),
        WebhookSubscription.objects.count(),
    )


def order_body(**overrides) -> dict:
    body = {
        "channel": "web",
        "customer": {"email": "camille@example.fr"},
        "delivery": {
            "method": "home_delivery",
            "address": {
                "line1": "1 rue de la Paix",
                "postal_code": "75002",
                "city": "Paris",
                "country": "FR",
            },
        },
        "lines": [{"sku": "SHIRT", "quantity": 1, "unit_price": "19.90"}],
        "payment": {"provider": "sandbox", "reference": "auth-1", "amount": "19.90"},
    }
    body.update(overrides)
    return body


ROW = {"stock_point": "WH-ORLEANS", "sku": "LAMP", "quantity": 1}

# (method, path, body, status, error code). A body of type bytes is sent as it is.
BAD_REQUESTS = [
    # stock points
    ("get", "/api/v1/stock-points/?kind=", None, 400, "invalid"),
    ("get", "/api/v1/stock-points/?page=9", None, 404, "not_found"),
    ("post", "/api/v1/stock-points/", {}, 400, "invalid"),
    ("post", "/api/v1/stock-points/", {"code": "X", "address": {"country": "France"}}, 400, "invalid"),
    ("get", "/api/v1/stock-points/NOPE/", None, 404, "unknown_code"),
    ("patch", "/api/v1/stock-points/WH-ORLEANS/", {"latitude": "north"}, 400, "invalid"),
    ("patch", "/api/v1/stock-points/WH-ORLEANS/", {"code": "OTHER"}, 400, "invalid"),
    ("patch", "/api/v1/stock-points/NOPE/", {"name": "x"}, 404, "unknown_code"),
    # products
    ("get", "/api/v1/products/?is_active=maybe", None, 400, "invalid"),
    ("post", "/api/v1/products/", {"sku": "has space", "price": "-1"}, 400, "invalid"),
    ("post", "/api/v1/products/", b"[1, 2", 400, "malformed_json"),
    ("get", "/api/v1/products/NOPE/", None, 404, "unknown_code"),
    ("patch", "/api/v1/products/LAMP/", {"price": True, "weight_grams": 1.5}, 400, "invalid"),
    # the stock feed
    ("post", "/api/v1/stock/feed/", {"mode": "snapshot", "items": []}, 400, "invalid"),
    (
        "post",
        "/api/v1/stock/feed/",
        {"mode": "absolute", "items": [{"sku": "LAMP"}, "x", ROW, ROW]},
        400,
        "invalid_feed",
    ),
    (
        "post",
        "/api/v1/stock/feed/",
        {"mode": "delta", "items": [{**ROW, "quantity": -11}]},
        400,
        "invalid_feed",
    ),
    (
        "post",
        "/api/v1/stock/feed/",
        {"mode": "delta", "as_of": "2020-01-01T00:00:00Z", "items": [ROW]},
        400,
        "invalid",
    ),
    ("post", "/api/v1/stock/feed/", b"[" * 10_000, 400, "malformed_json"),
    # availability
    ("get", "/api/v1/availability/", None, 400, "invalid"),
    ("get", "/api/v1/availability/?sku=LAMP&channel=fax", None, 400, "invalid"),
    # orders
    ("get", "/api/v1/orders/?created_before=", None, 400, "invalid"),
    ("get", "/api/v1/orders/?page=0", None, 400, "invalid"),
    (
        "post",
        "/api/v1/orders/",
        order_body(
            lines=[{"sku": "SHIRT", "quantity": 0, "unit_price": "x"}],
            delivery={"method": "home_delivery", "address": {"postal_code": 75002}},
        ),
        400,
        "invalid",
    ),
    (
        "post",
        "/api/v1/orders/",
        order_body(channel="fax", lines=[{"sku": "NOPE", "quantity": 1, "unit_price": "19.90"}]),
        400,
        "invalid",
    ),
    (
        "post",
        "/api/v1/orders/",
        order_body(
            lines=[{"sku": "SHIRT", "quantity": 11, "unit_price": "1.00"}],
            payment={"provider": "sandbox", "reference": "a", "amount": "11.00"},
        ),
        409,
        "insufficient_stock",
    ),
    ("put", "/api/v1/orders/", {}, 405, "method_not_allowed"),
    ("get", "/api/v1/orders/NOPE/", None, 404, "not_found"),
    ("post", "/api/v1/orders/NOPE/cancel/", {}, 404, "not_found"),
    ("post", f"/api/v1/orders/{ORDER}/cancel/", {"lines": [{"sku": "SHIRT", "quantity": 1}]}, 400, "invalid"),
    ("post", f"/api/v1/orders/{ORDER}/cancel/", {"lines": [None, {"sku": 3}]}, 400, "invalid"),
    ("post", f"/api/v1/orders/{ORDER}/cancel/", {"lines": [{"sku": "LAMP", "quantity": 3}]}, 400, "invalid"),
    # webhooks
    ("get", "/api/v1/webhooks/?page=last", None, 400, "invalid"),
    ("post", "/api/v1/webhooks/", {"url": "ftp://x", "events": ["order.shipped"]}, 400, "invalid"),
    ("post", "/api/v1/webhooks/", {"url": "https://erp.example.com/", "events": "*"}, 400, "invalid"),
    ("get", "/api/v1/webhooks/999999/", None, 404, "not_found"),
    ("patch", "/api/v1/webhooks/999999/", {"is_active": False}, 404, "not_found"),
    ("delete", "/api/v1/webhooks/999999/", None, 404, "not_found"),
    # anything else under /api/v1/
    ("get", "/api/v1/no-such-thing/", None, 404, "not_found"),
]


def send(client: APIClient, method: str, path: str, body: object, **headers):
    if body is None:
        return getattr(client, method)(path, **headers)
    data = body if isinstance(body, bytes) else json.dumps(body)
    return getattr(client, method)(path, data, content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), BAD_REQUESTS)
def test_every_refusal_has_the_one_error_shape_and_changes_nothing(
    api, network, method, path, body, status, code
):
    # given
    before = state()
    # when
    response = send(api, method, path.replace(ORDER, network.number), body)
    # then
    assert (response.status_code, response["Content-Type"]) == (status, "application/json")
    assert response.json()["error"] == code
    assert_one_shape(response.json())
    assert state() == before


def test_the_walk_covers_every_endpoint_of_the_api():
    walked = {resolve(path.split("?")[0].replace(ORDER, "N")).route for _m, path, *_rest in BAD_REQUESTS}
    routes = {
        "api/v1/stock-points/",
        "api/v1/stock-points/<str:code>/",
        "api/v1/products/",
        "api/v1/products/<str:sku>/",
        "api/v1/stock/feed/",
        "api/v1/availability/",
        "api/v1/orders/",
        "api/v1/orders/<str:number>/",
        "api/v1/orders/<str:number>/cancel/",
        "api/v1/webhooks/$",
        "api/v1/webhooks/(?P<pk>[^/.]+)/$",
        "api/v1/.*/$",  # no_such_endpoint
    }
    assert {route.replace("/^", "/") for route, _view in api_views()} | {"api/v1/.*/$"} == routes
    assert walked == routes


def test_nested_input_is_flattened_to_dotted_field_paths(api, network):
    # given
    body = order_body(
        lines=[
            {"sku": "SHIRT", "quantity": 1, "unit_price": "19.90"},
            {"sku": "LAMP", "quantity": 0, "unit_price": "19.90"},
        ],
        delivery={"method": "home_delivery", "address": {"line1": "1 rue", "postal_code": 75002}},
    )
    # when
    response = api.post("/api/v1/orders/", body, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "The request is invalid: see `errors`.",
        "errors": [
            {"field": "delivery.address.postal_code", "detail": "Expected a string."},
            {"field": "lines.1.quantity", "detail": "Ensure this value is greater than or equal to 1."},
        ],
    }


def test_lines_of_an_order_are_named_by_line(api, network):
    response = api.post(
        f"/api/v1/orders/{network.number}/cancel/",
        {"lines": [{"sku": "LAMP", "quantity": 1}, {"sku": "SHIRT", "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "Nothing was cancelled.",
        "errors": [{"line": 1, "field": "sku", "detail": "This order has no line for SHIRT."}],
    }


def test_insufficient_stock_keeps_its_lines(api, network):
    body = order_body(
        lines=[{"sku": "SHIRT", "quantity": 11, "unit_price": "1.00"}],
        payment={"provider": "sandbox", "reference": "a", "amount": "11.00"},
    )
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "error": "insufficient_stock",
        "detail": "Not enough stock for 1 line(s).",
        "lines": [{"sku": "SHIRT", "requested": 11, "available": 10, "stock_point": None}],
    }


def test_a_domain_error_s_own_data_stays_out_of_the_body(api, network):
    # IllegalTransition carried `current` and `wanted`, UnknownCode `kind` and `value`.
    api.post(f"/api/v1/orders/{network.number}/cancel/", {}, format="json")
    again = api.post(f"/api/v1/orders/{network.number}/cancel/", {}, format="json")
    unknown = api.get("/api/v1/products/NOPE/")
    assert (again.status_code, again.json()) == (
        409,
        {"error": "illegal_transition", "detail": "The order cannot go from “Cancelled” to “Cancelled”."},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": "unknown_code", "detail": "Unknown sku NOPE."},
    )


def test_a_reused_idempotency_key_has_the_one_shape(api, network):
    first = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    before = state()
    other = order_body(customer={"email": "dominique@example.fr"})
    response = api.post("/api/v1/orders/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, response.status_code, response.json()["error"]) == (
        201,
        422,
        "idempotency_key_reused",
    )
    assert_one_shape(response.json())
    assert state() == before


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "code"),
    [
        ("anonymous", "get", "/api/v1/orders/", None, 401, "not_authenticated"),
        ("bad token", "get", "/api/v1/products/", None, 401, "authentication_failed"),
        ("store staff", "post", "/api/v1/products/", {"sku": "NEW"}, 403, "permission_denied"),
        (
            "store staff",
            "post",
            "/api/v1/stock/feed/",
            {"mode": "delta", "items": [ROW]},
            403,
            "permission_denied",
        ),
    ],
)
def test_refusals_of_the_caller_have_the_one_shape(
    network, store_staff, who, method, path, body, status, code
):
    client = {
        "anonymous": APIClient(),
        "bad token": APIClient(HTTP_AUTHORIZATION="Token nope"),
        "store staff": api_client_for(store_staff),
    }[who]
    before = state()
    response = send(client, method, path, body)
    assert (response.status_code, response.json()["error"]) == (status, code)
    assert_one_shape(response.json())
    assert state() == before


def test_unsupported_media_and_too_large_bodies_have_the_one_shape(api, network):
    as_text = api.post("/api/v1/orders/", "channel=web", content_type="text/plain")
    too_large = api.post("/api/v1/orders/", b" " * (3 * 1024 * 1024), content_type="application/json")
    assert (as_text.status_code, as_text.json()["error"]) == (415, "unsupported_media_type")
    assert (too_large.status_code, too_large.json()["error"]) == (413, "request_too_large")
    assert_one_shape(as_text.json())
    assert_one_shape(too_large.json())
