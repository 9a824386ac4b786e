"""Bad order input answers a clear 4xx and changes nothing (issue 7 §1.6, order
part): a SKU twice in a cancellation, amounts past what the database can hold,
and the bounds of quantities and amounts stated in the schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from inventory.models import Reservation, StockLevel
from oms.models import Order, OrderLine, OutboxEvent, TimelineEntry
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory
from tests.oms.test_api_orders import order_body


@pytest.fixture
def catalogue(db):
    ChannelFactory(code="web")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    store = StockPointFactory(code="ST-LYON-01", services=["click_and_collect", "e_reservation"])
    for code in ("LAMP", "SHIRT"):
        sku = SkuFactory(code=code)
        StockLevelFactory(sku=sku, stock_point=warehouse, on_hand=50_000)
        StockLevelFactory(sku=sku, stock_point=store, on_hand=50_000)
    return store


def nothing_written():
    return (
        Order.objects.count(),
        Reservation.objects.count(),
        OutboxEvent.objects.count(),
        sum(StockLevel.objects.values_list("reserved", flat=True)),
    ) == (0, 0, 0, 0)


def e_reservation(lines):
    body = order_body(lines, delivery={"method": "e_reservation", "pickup_store": "ST-LYON-01"})
    body.pop("payment")
    return body


def test_cancelling_one_sku_twice_is_400_naming_the_line_and_changes_nothing(api, catalogue):
    # given: 2 lamps and a shirt
    number = api.post(
        "/api/v1/orders/", order_body((("LAMP", 2, "19.90"), ("SHIRT", 1, "5.00"))), format="json"
    ).json()["number"]
    events, entries = OutboxEvent.objects.count(), TimelineEntry.objects.count()
    # when: the lamp is named twice (1 + 2 units: more than the line holds)
    response = api.post(
        f"/api/v1/orders/{number}/cancel/",
        {"lines": [{"sku": "SHIRT"}, {"sku": "LAMP", "quantity": 1}, {"sku": "LAMP", "quantity": 2}]},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "line": 2,
            "field": "sku",
            "detail": "LAMP is asked for twice: give each line once, with all its units.",
        }
    ]
    assert sorted(OrderLine.objects.values_list("sku__code", "cancelled_quantity", "status")) == [
        ("LAMP", 0, "open"),
        ("SHIRT", 0, "open"),
    ]
    assert sum(StockLevel.objects.values_list("reserved", flat=True)) == 3
    assert (OutboxEvent.objects.count(), TimelineEntry.objects.count()) == (events, entries)


def test_an_e_reservation_whose_line_reaches_ten_billion_is_400_and_changes_nothing(api, catalogue):
    # when: 10,000 × 1,000,000.00 = 10,000,000,000.00, one cent past what an amount holds
    response = api.post("/api/v1/orders/", e_reservation((("LAMP", 10_000, "1000000.00"),)), format="json")
    # then
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == [
        {"line": 0, "field": "quantity", "detail": "The line's amount would exceed 9999999999.99."},
        {"field": "lines", "detail": "The order's total would exceed 9999999999.99."},
    ]
    assert nothing_written()


def test_lines_each_below_the_limit_whose_sum_reaches_it_are_400(api, catalogue):
    lines = (("LAMP", 5_000, "1000000.00"), ("SHIRT", 5_000, "1000000.00"))
    response = api.post("/api/v1/orders/", e_reservation(lines), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == [
        {"field": "lines", "detail": "The order's total would exceed 9999999999.99."}
    ]
    assert nothing_written()


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (("LAMP", 10_001, "1.00"), "quantity"),
        (("LAMP", 1, "1000000.01"), "unit_price"),
    ],
)
def test_a_line_past_its_bounds_is_400_and_changes_nothing(api, catalogue, line, field):
    response = api.post("/api/v1/orders/", e_reservation((line,)), format="json")
    assert response.status_code == 400, response.json()
    # (the shape of validation errors is being unified elsewhere: only the code and field)
    assert response.json()["error"] == "invalid"
    assert [error["field"] for error in response.json()["errors"]] == [f"lines.0.{field}"]
    assert nothing_written()


def test_the_service_holds_the_same_bounds(catalogue):
    from oms.core.actors import Actor
    from oms.core.errors import InvalidInput
    from oms.services.capture import place_order
    from tests.oms.factories import place_order_command

    command = place_order_command(
        [("LAMP", 10_001, "1.00"), ("SHIRT", 1, "1000000.01")],
        method="e_reservation",
        pickup_store="ST-LYON-01",
    )
    with pytest.raises(InvalidInput) as refused:
        place_order(command, actor=Actor.system("test"))
    assert refused.value.errors == [
        {"line": 0, "field": "quantity", "detail": "A line holds 10000 units at most."},
        {"line": 1, "field": "unit_price", "detail": "The unit price is 1000000.00 at most."},
    ]
    assert nothing_written()


def test_the_schema_states_the_bounds():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    line = components["LineInRequest"]["properties"]
    assert (line["quantity"]["minimum"], line["quantity"]["maximum"]) == (1, 10_000)
    assert line["unit_price"]["oneOf"][1]["maximum"] == 1_000_000.00
    assert "exclusiveMaximum" not in line["unit_price"]["oneOf"][1]
    order = components["OrderInRequest"]["properties"]
    assert order["lines"]["maxItems"] == 200
    assert order["shipping_amount"]["oneOf"][1]["maximum"] == 10_000.00
    assert components["CancelLineInRequest"]["properties"]["quantity"]["maximum"] == 10_000
