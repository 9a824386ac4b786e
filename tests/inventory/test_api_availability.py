from datetime import date

import pytest

from inventory.models import ChannelAllocation
from inventory.services.allocations import save_channel_allocation
from tests.conftest import api_client_for
from tests.inventory.factories import (
    FutureStockFactory,
    SkuFactory,
    StockLevelFactory,
    StockPointFactory,
)

URL = "/api/v1/availability/"
SOON = date(2031, 3, 2)
LATER = date(2031, 3, 20)


@pytest.fixture
def shirt_stock(store, other_store):
    """SHIRT-1: 4 to promise in Lyon, 20 in the warehouse, none in Paris; 13 units
    arriving soon (10 at the warehouse, 3 in Lyon) and 5 later (warehouse)."""
    shirt = SkuFactory(code="SHIRT-1")
    warehouse = StockPointFactory(code="WH-1", kind="warehouse")
    StockLevelFactory(sku=shirt, stock_point=store, on_hand=5, protection=1)
    StockLevelFactory(sku=shirt, stock_point=warehouse, on_hand=20)
    StockLevelFactory(sku=shirt, stock_point=other_store, on_hand=2, reserved=2)
    FutureStockFactory(sku=shirt, stock_point=warehouse, quantity=10, expected_date=SOON)
    FutureStockFactory(sku=shirt, stock_point=warehouse, quantity=5, expected_date=LATER)
    FutureStockFactory(sku=shirt, stock_point=store, quantity=3, expected_date=SOON)
    return shirt


def test_availability_per_sku_per_stock_point_and_by_date(api, shirt_stock):
    # when
    response = api.get(URL, {"sku": ["SHIRT-1", "NOPE"]})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "sku": "SHIRT-1",
                "channel": "",
                "atp": 24,
                "stock_points": [
                    {"stock_point": "WH-1", "atp": 20},
                    {"stock_point": "ST-LYON-01", "atp": 4},
                ],
                "incoming": [
                    {"date": "2031-03-02", "quantity": 13},
                    {"date": "2031-03-20", "quantity": 5},
                ],
            },
            {"sku": "NOPE", "channel": "", "atp": 0, "stock_points": [], "incoming": []},
        ]
    }


def test_channel_counts_only_the_stock_points_feeding_it(api, shirt_stock):
    # given: web is fed by warehouses only
    save_channel_allocation(ChannelAllocation(channel="web", stock_point_kind="warehouse"))
    # when
    response = api.get(URL, {"sku": "SHIRT-1", "channel": "web"})
    # then
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "sku": "SHIRT-1",
            "channel": "web",
            "atp": 20,
            "stock_points": [{"stock_point": "WH-1", "atp": 20}],
            "incoming": [
                {"date": "2031-03-02", "quantity": 10},
                {"date": "2031-03-20", "quantity": 5},
            ],
        }
    ]


def test_marketplace_channels_are_accepted(api, shirt_stock):
    response = api.get(URL, {"sku": "SHIRT-1", "channel": "marketplace:zalando"})
    assert response.status_code == 200
    assert [(r["channel"], r["atp"]) for r in response.json()["results"]] == [("marketplace:zalando", 24)]


def test_store_staff_reads_availability(store_staff, shirt_stock):
    response = api_client_for(store_staff).get(URL, {"sku": "SHIRT-1"})
    assert response.status_code == 200
    assert response.json()["results"][0]["atp"] == 24


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({}, [{"field": "sku", "detail": "This field is required."}]),
        ({"channel": "web"}, [{"field": "sku", "detail": "This field is required."}]),
        ({"sku": ""}, [{"field": "sku.0", "detail": "This field may not be blank."}]),
        (
            {"sku": "SHIRT-1", "channel": "fax"},
            [
                {
                    "field": "channel",
                    "detail": "Unknown channel fax: use web, app, store, call_centre or marketplace:<name>.",
                }
            ],
        ),
        (
            {"sku": [f"SKU-{n}" for n in range(501)]},
            [{"field": "sku", "detail": "Ensure this field has no more than 500 elements."}],
        ),
    ],
)
def test_invalid_query_is_400(api, query, errors):
    response = api.get(URL, query)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "The request is invalid: see `errors`.",
        "errors": errors,
    }


def test_500_skus_in_one_call(api, shirt_stock):
    codes = ["SHIRT-1"] + [f"SKU-{n}" for n in range(499)]
    response = api.get(URL, {"sku": codes})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["sku"] for r in results] == codes
    assert sum(r["atp"] for r in results) == 24


@pytest.mark.parametrize("count", [2, 20])
def test_query_count_does_not_grow_with_skus(api, django_assert_num_queries, count):
    # given
    point = StockPointFactory(code="WH-1", kind="warehouse")
    levels = [StockLevelFactory(stock_point=point, on_hand=3) for _ in range(count)]
    FutureStockFactory(sku=levels[0].sku, stock_point=point, expected_date=SOON)
    codes = [level.sku.code for level in levels]
    # when: token with its profile, levels, incoming
    with django_assert_num_queries(5):
        response = api.get(URL, {"sku": codes})
    # then
    assert [r["atp"] for r in response.json()["results"]] == [3] * count


def test_anonymous_gets_401(anonymous_api):
    response = anonymous_api.get(URL, {"sku": "SHIRT-1"})
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_availability_is_read_only(api):
    response = api.post(URL, {"sku": ["SHIRT-1"]}, format="json")
    assert response.status_code == 405


def test_totals_only_leave_out_the_stock_points(api, db):
    from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory

    sku = SkuFactory(code="TOTALS-1")
    StockLevelFactory(sku=sku, stock_point=StockPointFactory(code="ST-T1"), on_hand=4)
    StockLevelFactory(sku=sku, stock_point=StockPointFactory(code="ST-T2"), on_hand=3)
    response = api.get(
        "/api/v1/availability/", {"sku": "TOTALS-1", "channel": "web", "stock_points": "false"}
    )
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert (result["atp"], result["stock_points"]) == (7, [])
    assert api.get("/api/v1/availability/", {"sku": "TOTALS-1", "stock_points": "maybe"}).status_code == 400


def test_an_empty_stock_points_flag_is_refused(api, db):
    assert api.get("/api/v1/availability/", {"sku": "X", "stock_points": ""}).status_code == 400
