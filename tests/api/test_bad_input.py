"""What the schemathesis run (test_schema_fuzz.py) found, one focused test each:
bad input gets a JSON 4xx that the schema documents, and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.views import APIView

from inventory.models import Sku, StockLevel, StockMovement, StockPoint
from oms.core.api.input import FilterSet, StrictInput, StrictTypes
from oms.models import Order, OrderLine, TimelineEntry, WebhookSubscription
from oms.services.capture import place_order
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

NUL = "\x00"


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
    """Everything the API could change."""
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


# --- NUL characters and lone surrogates ---------------------------------------------------
# PostgreSQL refused them with a 500 ("A string literal cannot contain NUL (0x00)
# characters"); SQLite stored them. Both now answer 400.


@pytest.mark.parametrize(
    ("method", "url", "body", "where"),
    [
        ("post", "/api/v1/orders/", order_body(external_reference=f"WEB{NUL}1"), ["external_reference"]),
        (
            "post",
            "/api/v1/orders/",
            order_body(customer={"email": "", "phone": f"06{NUL}"}),
            ["customer.phone"],
        ),
        ("post", "/api/v1/orders/", order_body(notes=["ok", f"gift{NUL}wrap"]), ["notes"]),
        ("patch", "/api/v1/products/LAMP/", {"name": f"Lamp{NUL}"}, ["name"]),
        ("patch", "/api/v1/products/LAMP/", {"name": "Lamp \udc00"}, ["name"]),
        (
            "patch",
            "/api/v1/stock-points/WH-ORLEANS/",
            {"opening_hours": {f"mon{NUL}": [["09:00", "18:00"]]}},
            ["opening_hours"],
        ),
        ("post", "/api/v1/webhooks/", {"url": f"https://erp.example.com/{NUL}", "events": ["*"]}, ["url"]),
    ],
)
def test_text_that_cannot_be_stored_is_a_400_and_changes_nothing(api, network, method, url, body, where):
    # given
    before = state()
    # when
    response = getattr(api, method)(url, json.dumps(body), content_type="application/json")
    # then
    assert response.status_code == 400
    assert (response.json()["error"], [error["field"] for error in response.json()["errors"]]) == (
        "invalid",
        where,
    )
    assert state() == before


def test_a_nul_in_a_nested_field_names_it(api, network):
    body = order_body(lines=[{"sku": f"SHIRT{NUL}", "quantity": 1, "unit_price": "1.00"}])
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "lines.0.sku", "detail": "Text cannot contain NUL (U+0000) characters."}
    ]


def test_a_nul_in_an_unknown_property_is_ignored_like_the_property(api, network):
    response = api.post("/api/v1/orders/", order_body(comment=f"not{NUL}read"), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/products/LAMP{NUL}/",
        f"/api/v1/orders/WEB{NUL}/",
        f"/api/v1/stock-points/?search=x{NUL}",
        f"/api/v1/products/?category={NUL}",
        f"/api/v1/orders/?customer={NUL}",
        f"/api/v1/availability/?sku=LAMP{NUL}",
    ],
)
def test_a_nul_in_the_path_or_the_query_is_a_400(api, network, url):
    response = api.get(url)
    assert (response.status_code, response.json()["error"]) == (400, "invalid")


def test_a_nul_in_a_feed_row_is_a_bad_row_and_nothing_is_applied(api, network):
    # given
    before = state()
    rows = [
        {"stock_point": "WH-ORLEANS", "sku": "LAMP", "quantity": 3},
        {"stock_point": "WH-ORLEANS", "sku": f"SHIRT{NUL}", "quantity": 3},
    ]
    # when
    response = api.post("/api/v1/stock/feed/", {"mode": "absolute", "items": rows}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "sku", "detail": "Text cannot contain NUL (U+0000) characters."}
    ]
    assert state() == before


def test_a_nul_in_the_idempotency_key_is_a_400(api, network):
    before = state()
    response = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY=f"k{NUL}1")
    assert (response.status_code, response.json()["error"]) == (400, "invalid")
    assert state() == before


def test_utf8_encoded_surrogates_are_malformed_json(api, network):
    response = api.post("/api/v1/orders/", b'{"channel": "\xed\xa0\x80"}', content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, "malformed_json")


@pytest.mark.parametrize("url", ["/api/v1/orders/", "/api/v1/stock/feed/"])
def test_json_nested_thousands_deep_is_malformed_not_a_500(api, network, url):
    response = api.post(url, "[" * 100_000, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, "malformed_json")


# --- JSON types ------------------------------------------------------------------------------
# DRF coerced `"5"` to 5, `0` to false, `12` to "12": the schema says otherwise.


@pytest.mark.parametrize(
    ("url", "body", "error"),
    [
        ("/api/v1/stock-points/WH-ORLEANS/", {"is_active": 0}, ("is_active", "Expected true or false.")),
        (
            "/api/v1/stock-points/WH-ORLEANS/",
            {"daily_capacity": "5"},
            ("daily_capacity", "Expected an integer."),
        ),
        ("/api/v1/stock-points/WH-ORLEANS/", {"latitude": "45.7"}, ("latitude", "Expected a number.")),
        ("/api/v1/stock-points/WH-ORLEANS/", {"name": 12}, ("name", "Expected a string.")),
        ("/api/v1/stock-points/WH-ORLEANS/", {"services": [1]}, ("services", "Item 0: Expected a string.")),
        ("/api/v1/products/LAMP/", {"weight_grams": 1.5}, ("weight_grams", "Expected an integer.")),
        (
            "/api/v1/products/LAMP/",
            {"price": True},
            ("price", 'Expected a decimal, as a string such as "19.90" or a number.'),
        ),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(api, network, url, body, error):
    before = state()
    field, detail = error
    response = api.patch(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "detail": detail}]
    assert state() == before


@pytest.mark.parametrize(
    ("price", "error"),
    [
        ("1e3", "A valid number is required."),
        (" 5.00", "A valid number is required."),
        ("000000000001.00", "Ensure that there are no more than 10 digits before the decimal point."),
        ("-0.00", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_money_as_text_is_held_to_the_documented_pattern(api, network, price, error):
    before = state()
    response = api.patch("/api/v1/products/LAMP/", {"price": price}, format="json")
    assert (response.status_code, response.json()["errors"]) == (400, [{"field": "price", "detail": error}])
    assert state() == before


def test_text_is_taken_as_sent_so_a_line_break_does_not_pass_a_pattern(api, network):
    # "FR\n" used to be trimmed to "FR"; untrimmed, `^[A-Z]{2}$` matched it (Python's `$`)
    # and PostgreSQL refused 3 characters in a 2-character column with a 500.
    before = state()
    response = api.patch("/api/v1/stock-points/WH-ORLEANS/", {"address": {"country": "FR\n"}}, format="json")
    assert (response.status_code, [error["field"] for error in response.json()["errors"]]) == (
        400,
        ["address.country"],
    )
    assert state() == before


# --- Numbers out of range --------------------------------------------------------------------


def test_a_quantity_beyond_64_bits_is_a_400(api, network):
    before = state()
    body = order_body(lines=[{"sku": "SHIRT", "quantity": 2**63, "unit_price": "1.00"}])
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "lines.0.quantity", "detail": "Ensure this value is less than or equal to 10000."}
    ]
    assert state() == before


def test_cancelling_2_to_the_63_units_is_a_400(api, network):
    before = state()
    response = api.post(
        f"/api/v1/orders/{network.number}/cancel/",
        {"lines": [{"sku": "LAMP", "quantity": 2**63}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "lines.0.quantity", "detail": "Ensure this value is less than or equal to 10000."}
    ]
    assert state() == before


def test_a_null_line_to_cancel_is_a_400_not_a_500(api, network):
    before = state()
    response = api.post(f"/api/v1/orders/{network.number}/cancel/", {"lines": [None]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "lines.0", "detail": "This field may not be null."}]
    assert state() == before


# --- Query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "last"}, "page"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"page_size": ["10", "20"]}, "page_size"),
        ({"is_active": "maybe"}, "is_active"),
        ({"kind": ""}, "kind"),
    ],
)
def test_a_page_or_filter_it_does_not_understand_is_a_400_not_ignored(api, network, query, field):
    response = api.get("/api/v1/stock-points/", query)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_page_past_the_last_one_is_a_404(api, network):
    response = api.get("/api/v1/stock-points/", {"page": 2})
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_an_empty_date_filter_is_a_400(api, network):
    response = api.get("/api/v1/orders/", {"created_before": ""})
    assert (response.status_code, response.json()["errors"]) == (
        400,
        [{"field": "created_before", "detail": "Give a value, or leave the parameter out."}],
    )


def test_a_date_filter_with_a_far_offset_is_compared_in_utc(api, network):
    # PostgreSQL refused "+18:00" ("time zone displacement out of range") with a 500.
    response = api.get("/api/v1/orders/", {"created_after": "2000-01-01T00:00:00+18:00"})
    assert (response.status_code, response.json()["count"]) == (200, 1)


def test_a_date_filter_that_does_not_exist_in_utc_is_a_400(api, network):
    response = api.get("/api/v1/orders/", {"created_before": "0001-01-01T00:30:00+01:00"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "created_before", "detail": "This date and time is out of range."}
    ]


def test_over_a_thousand_query_parameters_is_a_json_400(api, network):
    query = "&".join(f"sku=S{n}" for n in range(1001))
    response = api.get(f"/api/v1/availability/?{query}")
    assert (response.status_code, response.json()["error"]) == (400, "too_many_fields")


def test_a_channel_the_schema_allows_is_accepted(api, network):
    response = api.get("/api/v1/availability/", {"sku": "LAMP", "channel": "marketplace:zalando"})
    assert response.status_code == 200


# --- Paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/webhooks/0.5/"),
        ("delete", "/api/v1/webhooks/0.5/"),
        ("patch", "/api/v1/webhooks/1.5/"),
        ("post", "/api/v1/no-such-thing/"),
        ("get", "/api/v1/products/ÉTÉ/"),
    ],
)
def test_a_path_of_the_wrong_shape_is_a_json_404(api, network, method, url):
    # Django's HTML 404 before, and a CSRF 403 page for writes
    response = getattr(api, method)(url)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["error"] in {"not_found", "unknown_code"}


# --- The schema says it --------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_its_errors_with_the_one_error_shape(schema):
    for path, method, operation in operations(schema):
        expected = {"400", "401", "403"}
        if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            expected.add("404")
        if method != "get":
            expected.add("409")
        if "requestBody" in operation:
            expected |= {"413", "415"}
        statuses = {s for s in operation["responses"] if s.startswith("4")}
        assert expected <= statuses, (method, path)
        for status in statuses:
            content = operation["responses"][status]["content"]
            assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    error, item = schema["components"]["schemas"]["Error"], schema["components"]["schemas"]["ErrorItem"]
    assert (error["required"], error["additionalProperties"]) == (["error", "detail"], False)
    assert sorted(error["properties"]) == ["detail", "error", "errors", "lines"]
    assert (item["required"], item["additionalProperties"]) == (["detail"], False)
    assert sorted(item["properties"]) == ["detail", "field", "index", "line"]


def test_the_schema_states_the_rules_the_api_enforces(schema):
    components = schema["components"]["schemas"]
    assert components["OrderInRequest"]["properties"]["lines"]["minItems"] == 1
    assert components["OrderInRequest"]["properties"]["lines"]["maxItems"] == 200
    assert components["CancelInRequest"]["properties"]["lines"]["minItems"] == 1
    assert components["FeedRequest"]["properties"]["items"]["maxItems"] == 50_000
    assert components["LineInRequest"]["properties"]["unit_price"]["oneOf"][1]["type"] == "number"
    assert components["ProductRequest"]["properties"]["name"]["pattern"] == "^[^\\u0000]*$"
    assert components["WebhookInputRequest"]["properties"]["events"]["minItems"] == 1
    [page_size] = [
        p for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"] if p["name"] == "page_size"
    ]
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 500)


# --- Every view and serializer is strict ------------------------------------------------------


def api_views(resolver: URLResolver | None = None, prefix: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            view = getattr(pattern.callback, "cls", None)
            if view is not None and issubclass(view, APIView):
                yield route, view


def test_every_api_view_takes_strict_input():
    views = dict(api_views())
    assert len(views) >= 10
    assert [route for route, view in views.items() if not issubclass(view, StrictInput)] == []


# Serializers that only render output (or document it); every other one reads input.
OUTPUT_ONLY = {
    "FeedItemSerializer",  # documents the feed's rows, which `feed_items` reads
    "FeedResultSerializer",
    "PointAtpSerializer",
    "IncomingSerializer",
    "SkuAvailabilitySerializer",
    "AvailabilitySerializer",
    "WebhookSerializer",
    "WebhookCreatedSerializer",
}


def test_every_input_serializer_and_filter_set_is_strict():
    loose = [
        view.filterset_class.__name__
        for _route, view in api_views()
        if getattr(view, "filterset_class", None) and not issubclass(view.filterset_class, FilterSet)
    ]
    for serializer in all_subclasses(serializers.Serializer):
        name = serializer.__name__
        if not serializer.__module__.startswith(("oms.api", "inventory.api")):
            continue
        if name.endswith("Out") or name in OUTPUT_ONLY:
            continue
        if not issubclass(serializer, StrictTypes):
            loose.append(name)
    assert loose == []


def all_subclasses(cls: type) -> set[type]:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass, *all_subclasses(subclass)}
    return found
