import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inventory.models import StockLevel, StockMovement
from tests.conftest import api_client_for
from tests.inventory.factories import SkuFactory, StockLevelFactory
from tests.oms.factories import PASSWORD

URL = "/api/v1/stock/feed/"


def state() -> tuple[list[tuple], int]:
    """Every level's on hand and snapshot time, and the size of the ledger."""
    levels = list(
        StockLevel.objects.order_by("pk").values_list(
            "pk", "sku_id", "stock_point_id", "on_hand", "counted_at"
        )
    )
    return levels, StockMovement.objects.count()


@pytest.fixture
def shirt(db):
    return SkuFactory(code="SHIRT-1")


@pytest.fixture
def shoe(db):
    return SkuFactory(code="SHOE-1")


@pytest.fixture
def shirt_in_lyon(store, shirt):
    return StockLevelFactory(sku=shirt, stock_point=store, on_hand=5)


# --- Applying ------------------------------------------------------------------------


def test_absolute_feed_sets_on_hand_creates_levels_and_writes_the_ledger(api, shirt_in_lyon, shoe):
    # when
    response = api.post(
        URL,
        {
            "mode": "absolute",
            "reference": "ERP-42",
            "items": [
                {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 8},
                {"stock_point": "ST-LYON-01", "sku": "SHOE-1", "quantity": 3},
            ],
        },
        format="json",
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"applied": 2, "changed": 2, "created": 1, "skipped_stale": 0}
    assert dict(StockLevel.objects.values_list("sku__code", "on_hand")) == {"SHIRT-1": 8, "SHOE-1": 3}
    assert list(
        StockMovement.objects.order_by("sku__code").values_list(
            "sku__code", "quantity", "on_hand_after", "reason", "reference", "actor"
        )
    ) == [
        ("SHIRT-1", 3, 8, "feed", "ERP-42", "integration-erp"),
        ("SHOE-1", 3, 3, "feed", "ERP-42", "integration-erp"),
    ]


def test_delta_feed_adds_rows_of_the_same_level_together(api, shirt_in_lyon):
    response = api.post(
        URL,
        {
            "mode": "delta",
            "items": [
                {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": -2},
                {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": -1},
            ],
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"applied": 1, "changed": 1, "created": 0, "skipped_stale": 0}
    shirt_in_lyon.refresh_from_db()
    assert shirt_in_lyon.on_hand == 2


def test_head_office_pushes_with_a_session(head_office, shirt_in_lyon):
    client = APIClient()
    assert client.login(username=head_office.username, password=PASSWORD)
    response = client.post(
        URL,
        {"mode": "absolute", "items": [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 0}]},
        format="json",
    )
    assert response.status_code == 200
    shirt_in_lyon.refresh_from_db()
    assert shirt_in_lyon.on_hand == 0


def test_snapshot_older_than_the_last_one_is_skipped(api, shirt_in_lyon):
    # given
    StockLevel.objects.filter(pk=shirt_in_lyon.pk).update(counted_at=timezone.now() - timedelta(hours=1))
    before = state()
    # when
    response = api.post(
        URL,
        {
            "mode": "absolute",
            "as_of": (timezone.now() - timedelta(hours=2)).isoformat(),
            "items": [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 50}],
        },
        format="json",
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"applied": 0, "changed": 0, "created": 0, "skipped_stale": 1}
    assert state() == before


def test_accepts_50000_rows_in_one_call(api, store, shirt, shoe):
    # given: 10 levels, 5,000 rows of +1 each
    levels = [StockLevelFactory(sku=shirt, stock_point=store, on_hand=0)]
    levels += [StockLevelFactory(sku=shoe, on_hand=0) for _ in range(9)]
    keys = [{"stock_point": level.stock_point.code, "sku": level.sku.code} for level in levels]
    items = [{**keys[i % 10], "quantity": 1} for i in range(50_000)]
    # when
    response = api.post(URL, {"mode": "delta", "items": items}, format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {"applied": 10, "changed": 10, "created": 0, "skipped_stale": 0}
    assert list(StockLevel.objects.order_by("pk").values_list("on_hand", flat=True)) == [5000] * 10


# --- Refusing bad rows: all or nothing ---------------------------------------------


def test_unknown_codes_are_listed_by_index_and_nothing_is_applied(api, shirt_in_lyon, shoe):
    # given
    before = state()
    # when
    response = api.post(
        URL,
        {
            "mode": "absolute",
            "items": [
                {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 9},
                {"stock_point": "ST-LYON-01", "sku": "NOPE", "quantity": 1},
                {"stock_point": "NOWHERE", "sku": "SHIRT-1", "quantity": 1},
                {"stock_point": "ST-LYON-01", "sku": "SHOE-1", "quantity": -1},
            ],
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_feed",
        "detail": "3 row(s) of the feed are invalid; nothing was applied.",
        "errors": [
            {"index": 1, "field": "sku", "detail": "Unknown SKU NOPE."},
            {"index": 2, "field": "stock_point", "detail": "Unknown stock point NOWHERE."},
            {"index": 3, "field": "quantity", "detail": "An absolute quantity cannot be negative."},
        ],
    }
    assert state() == before


def test_malformed_rows_are_listed_by_index_in_the_same_format(api, shirt_in_lyon):
    # given
    before = state()
    good = {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 1}
    # when
    response = api.post(
        URL,
        {
            "mode": "delta",
            "items": [
                good,
                {**good, "quantity": "5"},
                {"sku": "SHIRT-1", "quantity": 1},
                "ST-LYON-01;SHIRT-1;1",
                {**good, "quantity": 1.5},
                {**good, "quantity": True},
                {**good, "quantity": None},
                {**good, "quantity": 10**9},
                {**good, "sku": "", "stock_point": 7},
                good,
            ],
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_feed",
        "detail": "8 row(s) of the feed are invalid; nothing was applied.",
        "errors": [
            {"index": 1, "field": "quantity", "detail": "A whole number is required."},
            {"index": 2, "field": "stock_point", "detail": "This field is required."},
            {"index": 3, "detail": "Each item must be an object with stock_point, sku and quantity."},
            {"index": 4, "field": "quantity", "detail": "A whole number is required."},
            {"index": 5, "field": "quantity", "detail": "A whole number is required."},
            {"index": 6, "field": "quantity", "detail": "This field is required."},
            {
                "index": 7,
                "field": "quantity",
                "detail": "The quantity must be between -100000000 and 100000000.",
            },
            {
                "index": 8,
                "field": "stock_point",
                "detail": "A code (text of 1 to 64 characters) is required.",
            },
            {"index": 8, "field": "sku", "detail": "A code (text of 1 to 64 characters) is required."},
        ],
    }
    assert state() == before


def test_a_malformed_row_does_not_hide_the_other_bad_rows(api, shirt_in_lyon):
    # The malformed row 0 used to be the only one listed: the rows with an unknown
    # code or a negative snapshot were checked only once every row was well-formed.
    # given
    before = state()
    good = {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 1}
    # when
    response = api.post(
        URL,
        {
            "mode": "absolute",
            "items": [
                {"stock_point": "ST-LYON-01", "quantity": 1},
                {**good, "sku": "NOPE"},
                {**good, "quantity": -4},
            ],
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_feed",
        "detail": "3 row(s) of the feed are invalid; nothing was applied.",
        "errors": [
            {"index": 0, "field": "sku", "detail": "This field is required."},
            {"index": 1, "field": "sku", "detail": "Unknown SKU NOPE."},
            {"index": 2, "field": "quantity", "detail": "An absolute quantity cannot be negative."},
        ],
    }
    assert state() == before


def test_delta_below_zero_is_refused(api, shirt_in_lyon):
    before = state()
    response = api.post(
        URL,
        {"mode": "delta", "items": [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": -6}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "quantity", "detail": "Would take on hand below zero (on hand is 5)."}
    ]
    assert state() == before


def test_delta_feeds_overflowing_an_integer_are_a_400_and_change_nothing(api, shirt_in_lyon):
    # given: 22 rows of 100,000,000 for one level, in one feed, then in 22 feeds
    row = {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 100_000_000}
    before = state()
    # when
    one_feed = api.post(URL, {"mode": "delta", "items": [row] * 22}, format="json")
    # then
    assert (one_feed.status_code, one_feed.json()["error"]) == (400, "invalid_feed")
    assert [error["index"] for error in one_feed.json()["errors"]] == list(range(10, 22))
    assert state() == before
    # when
    statuses = [
        api.post(URL, {"mode": "delta", "items": [row]}, format="json").status_code for _ in range(22)
    ]
    # then: on hand stops at the bound, each feed past it is refused
    assert statuses == [200] * 9 + [400] * 13
    shirt_in_lyon.refresh_from_db()
    assert shirt_in_lyon.on_hand == 900_000_005


def test_same_level_twice_in_a_snapshot_is_refused(api, shirt_in_lyon):
    before = state()
    row = {"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 2}
    response = api.post(URL, {"mode": "absolute", "items": [row, row]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "stock_point", "detail": "Same SKU and stock point as row 0."}
    ]
    assert state() == before


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"items": []},
            [
                {"field": "mode", "detail": "This field is required."},
                {"field": "items", "detail": "This list may not be empty."},
            ],
        ),
        (
            {"mode": "snapshot", "items": [{}]},
            [{"field": "mode", "detail": '"snapshot" is not a valid choice.'}],
        ),
        ({"mode": "delta"}, [{"field": "items", "detail": "This field is required."}]),
        (
            {"mode": "delta", "items": {"a": 1}},
            [{"field": "items", "detail": 'Expected a list of items but got type "dict".'}],
        ),
        (
            {"mode": "absolute", "as_of": "yesterday", "items": [{}]},
            [
                {
                    "field": "as_of",
                    "detail": "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
                }
            ],
        ),
        (
            {"mode": "delta", "items": [{}] * 50_001},
            [{"field": "items", "detail": "Ensure this field has no more than 50000 elements."}],
        ),
    ],
)
def test_malformed_feed_is_refused_before_its_rows(api, shirt_in_lyon, body, errors):
    before = state()
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "The request is invalid: see `errors`.",
        "errors": errors,
    }
    assert state() == before


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"mode": "absolute", "as_of": "2999-01-01T00:00:00Z"},
            "as_of cannot be in the future.",
        ),
        (
            {"mode": "delta", "as_of": "2020-01-01T00:00:00Z"},
            "as_of applies to absolute feeds only.",
        ),
    ],
)
def test_as_of_is_checked(api, shirt_in_lyon, body, detail):
    before = state()
    items = [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 1}]
    response = api.post(URL, {**body, "items": items}, format="json")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "detail": detail}
    assert state() == before


def test_malformed_json_is_400(api, shirt_in_lyon):
    before = state()
    response = api.post(URL, '{"mode": "delta", "items": [', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert state() == before


# --- Who may push --------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["store_staff", "customer_service"])
def test_only_head_office_and_integrations_push(request, shirt_in_lyon, role_fixture):
    # given
    client = api_client_for(request.getfixturevalue(role_fixture))
    before = state()
    # when
    response = client.post(
        URL,
        {"mode": "absolute", "items": [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 99}]},
        format="json",
    )
    # then
    assert response.status_code == 403
    assert response.json() == {
        "error": "permission_denied",
        "detail": "Only head office and API integrations may do this.",
    }
    assert state() == before


def test_store_staff_session_cannot_push(store_staff, shirt_in_lyon):
    client = APIClient()
    assert client.login(username=store_staff.username, password=PASSWORD)
    before = state()
    response = client.post(
        URL,
        {"mode": "delta", "items": [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 403
    assert state() == before


def test_anonymous_cannot_push(anonymous_api, shirt_in_lyon):
    before = state()
    response = anonymous_api.post(
        URL,
        {"mode": "delta", "items": [{"stock_point": "ST-LYON-01", "sku": "SHIRT-1", "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert state() == before


def test_reading_the_feed_is_not_allowed(api):
    response = api.get(URL)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_body_over_16_mb_is_413(api, shirt_in_lyon):
    before = state()
    padding = "x" * (16 * 1024 * 1024)
    body = json.dumps({"mode": "delta", "reference": padding, "items": []})
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "error": "request_too_large",
        "detail": "A feed body is limited to 16 MB: split it into several calls.",
    }
    assert state() == before


def test_form_encoded_body_is_415(api, shirt_in_lyon):
    before = state()
    response = api.post(URL, "mode=delta", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert state() == before
