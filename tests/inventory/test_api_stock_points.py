import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.test import APIClient

from inventory.api.serializers import STOCK_POINT_ERROR_PATHS
from inventory.api.views import model_errors_as_input
from inventory.models import StockPoint
from tests.conftest import api_client_for
from tests.inventory.factories import StockPointFactory
from tests.oms.factories import PASSWORD

URL = "/api/v1/stock-points/"

NEW_POINT = {
    "code": "WH.NORD:01",
    "name": "Entrepôt Nord",
    "kind": "warehouse",
    "address": {
        "line1": "12 rue de l'Industrie",
        "line2": "Bâtiment B",
        "postal_code": "59000",
        "city": "Lille",
        "country": "FR",
    },
    "latitude": 50.6292,
    "longitude": 3.0573,
    "services": ["returns", "ship_to_store"],
    "opening_hours": {"mon": [["08:00", "18:00"]]},
    "daily_capacity": 2000,
    "processing_time_hours": 12,
    "priority": 1,
    "region": "north",
    "is_active": True,
}


def rows() -> list[dict]:
    return list(StockPoint.objects.order_by("pk").values())


def session_client(user) -> APIClient:
    client = APIClient()
    assert client.login(username=user.username, password=PASSWORD)
    return client


# --- Reading -------------------------------------------------------------------------


def test_list_is_paginated_and_nests_the_address(api):
    # given
    StockPointFactory(
        code="ST-LYON-02",
        name="Lyon Confluence",
        kind="store",
        address_line1="112 cours Charlemagne",
        postal_code="69002",
        city="Lyon",
        latitude=45.7413,
        longitude=4.8179,
        services=["click_and_collect"],
        opening_hours={"sat": [["10:00", "20:00"]]},
        daily_capacity=40,
        processing_time_hours=4,
        priority=20,
        region="south-east",
    )
    StockPointFactory(code="WH-CENTRAL", kind="warehouse")
    # when
    response = api.get(URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert body["results"][0] == {
        "code": "ST-LYON-02",
        "name": "Lyon Confluence",
        "kind": "store",
        "address": {
            "line1": "112 cours Charlemagne",
            "line2": "",
            "postal_code": "69002",
            "city": "Lyon",
            "country": "FR",
        },
        "latitude": 45.7413,
        "longitude": 4.8179,
        "services": ["click_and_collect"],
        "opening_hours": {"sat": [["10:00", "20:00"]]},
        "daily_capacity": 40,
        "processing_time_hours": 4,
        "priority": 20,
        "region": "south-east",
        "is_active": True,
    }
    assert [point["code"] for point in body["results"]] == ["ST-LYON-02", "WH-CENTRAL"]


def test_list_pages_with_next_link(api):
    StockPointFactory.create_batch(3)
    response = api.get(URL, {"page_size": 2})
    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"] == "http://testserver/api/v1/stock-points/?page=2&page_size=2"


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_count_does_not_grow_with_rows(api, django_assert_num_queries, count):
    # given
    StockPointFactory.create_batch(count)
    # when: token with its profile, count, page
    with django_assert_num_queries(3):
        response = api.get(URL)
    # then
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "warehouse"}, ["WH-A"]),
        ({"service": "click_and_collect"}, ["ST-B"]),
        ({"region": "north"}, ["ST-C"]),
        ({"is_active": "false"}, ["ST-C"]),
        ({"city": "paris"}, ["ST-B", "ST-C"]),
        ({"search": "rivoli"}, ["ST-B"]),
        ({"search": "wh-"}, ["WH-A"]),
        ({"kind": "store", "city": "Paris", "is_active": "true"}, ["ST-B"]),
    ],
)
def test_list_filters(api, query, expected):
    # given
    StockPointFactory(code="WH-A", kind="warehouse", city="Lyon", services=[])
    StockPointFactory(code="ST-B", name="Paris Rivoli", city="Paris", services=["click_and_collect"])
    StockPointFactory(code="ST-C", city="Paris", region="north", services=[], is_active=False)
    # when
    response = api.get(URL, query)
    # then
    assert response.status_code == 200
    assert [point["code"] for point in response.json()["results"]] == expected


def test_list_refuses_an_unknown_filter_value(api):
    response = api.get(URL, {"kind": "castle"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_store_staff_and_customer_service_read(store_staff, customer_service, store):
    for user in (store_staff, customer_service):
        response = api_client_for(user).get(f"{URL}{store.code}/")
        assert response.status_code == 200
        assert response.json()["code"] == "ST-LYON-01"


def test_detail_by_a_code_with_dots_and_colons(api):
    StockPointFactory(code="WH.NORD:01", name="Entrepôt Nord")
    response = api.get(f"{URL}WH.NORD:01/")
    assert response.status_code == 200
    assert response.json()["name"] == "Entrepôt Nord"


def test_unknown_code_is_404(api):
    response = api.get(f"{URL}NOPE/")
    assert response.status_code == 404
    assert response.json() == {"error": "unknown_code", "detail": "Unknown stock_point NOPE."}


def test_anonymous_gets_401(anonymous_api, store):
    response = anonymous_api.get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


# --- Creating --------------------------------------------------------------------------


def test_integration_creates_a_stock_point(api):
    # when
    response = api.post(URL, NEW_POINT, format="json")
    # then
    assert response.status_code == 201
    assert response.json() == NEW_POINT
    point = StockPoint.objects.get(code="WH.NORD:01")
    assert (point.address_line1, point.address_line2, point.postal_code, point.city) == (
        "12 rue de l'Industrie",
        "Bâtiment B",
        "59000",
        "Lille",
    )
    assert (point.kind, point.services, point.daily_capacity) == (
        "warehouse",
        ["returns", "ship_to_store"],
        2000,
    )


def test_head_office_creates_with_a_session(head_office):
    # given
    client = session_client(head_office)
    minimal = {"code": "SUP-1", "name": "Fournisseur", "kind": "supplier"}
    # when
    response = client.post(URL, {**minimal, "latitude": 48.1, "longitude": -1.6}, format="json")
    # then
    assert response.status_code == 201
    assert response.json()["address"] == {
        "line1": "",
        "line2": "",
        "postal_code": "",
        "city": "",
        "country": "FR",
    }
    assert response.json()["services"] == []
    assert StockPoint.objects.filter(code="SUP-1").count() == 1


def test_duplicate_code_is_a_field_error(api, store):
    # given
    before = rows()
    # when
    response = api.post(URL, {**NEW_POINT, "code": "ST-LYON-01"}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "The request is invalid: see `errors`.",
        "errors": [{"field": "code", "detail": "stock point with this code already exists."}],
    }
    assert rows() == before


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"latitude": 91},
            [{"field": "latitude", "detail": "Ensure this value is less than or equal to 90."}],
        ),
        ({"kind": "castle"}, [{"field": "kind", "detail": '"castle" is not a valid choice.'}]),
        (
            {"services": ["teleport"]},
            [{"field": "services.0", "detail": '"teleport" is not a valid choice.'}],
        ),
        (
            {"opening_hours": {"mon": [["19:00", "09:00"]]}},
            [
                {
                    "field": "opening_hours",
                    "detail": 'Opening hours of mon must be pairs like ["09:00", "19:00"].',
                }
            ],
        ),
        (
            {"code": "bad code"},
            [
                {
                    "field": "code",
                    "detail": "Use letters, digits, '.', '_', ':' or '-' (64 characters at most).",
                }
            ],
        ),
        (
            {"address": {"country": "France"}},
            [{"field": "address.country", "detail": "Use an ISO 3166 code such as FR."}],
        ),
        (
            {"address": {"country": "fr"}},
            [{"field": "address.country", "detail": "Use an ISO 3166 code such as FR."}],
        ),
        (
            {"daily_capacity": -1},
            [{"field": "daily_capacity", "detail": "Ensure this value is greater than or equal to 0."}],
        ),
        (
            {"priority": 40_000},
            [{"field": "priority", "detail": "Ensure this value is less than or equal to 32767."}],
        ),
        ({"name": ""}, [{"field": "name", "detail": "This field may not be blank."}]),
    ],
)
def test_invalid_stock_point_is_refused_field_by_field(api, change, errors):
    before = rows()
    response = api.post(URL, {**NEW_POINT, **change}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert rows() == before


def test_missing_required_fields_are_listed(api):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400
    assert sorted(error["field"] for error in response.json()["errors"]) == [
        "code",
        "kind",
        "latitude",
        "longitude",
        "name",
    ]
    assert StockPoint.objects.count() == 0


def test_malformed_json_is_400(api):
    response = api.post(URL, '{"code": "X",', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert StockPoint.objects.count() == 0


@pytest.mark.parametrize("client_kind", ["token", "session"])
def test_store_staff_cannot_create(store_staff, client_kind):
    # given
    client = api_client_for(store_staff) if client_kind == "token" else session_client(store_staff)
    before = rows()
    # when
    response = client.post(URL, NEW_POINT, format="json")
    # then
    assert response.status_code == 403
    assert response.json() == {
        "error": "permission_denied",
        "detail": "Only head office and API integrations may change this.",
    }
    assert rows() == before


def test_customer_service_cannot_create(customer_service):
    response = api_client_for(customer_service).post(URL, NEW_POINT, format="json")
    assert response.status_code == 403
    assert StockPoint.objects.filter(code=NEW_POINT["code"]).count() == 0


# --- Changing ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api, store):
    # given
    StockPoint.objects.filter(pk=store.pk).update(address_line1="1 place Bellecour", postal_code="69002")
    # when
    response = api.patch(
        f"{URL}ST-LYON-01/",
        {"name": "Lyon Bellecour", "address": {"postal_code": "69001"}, "services": ["returns"]},
        format="json",
    )
    # then
    assert response.status_code == 200
    assert response.json()["address"] == {
        "line1": "1 place Bellecour",
        "line2": "",
        "postal_code": "69001",
        "city": "Lyon",
        "country": "FR",
    }
    store.refresh_from_db()
    assert (store.name, store.address_line1, store.postal_code, store.services) == (
        "Lyon Bellecour",
        "1 place Bellecour",
        "69001",
        ["returns"],
    )
    assert (store.kind, store.latitude, store.daily_capacity) == ("store", 45.7606, 50)


def test_patch_with_the_same_code_is_accepted(api, store):
    response = api.patch(f"{URL}ST-LYON-01/", {"code": "ST-LYON-01", "priority": 5}, format="json")
    assert response.status_code == 200
    store.refresh_from_db()
    assert store.priority == 5


def test_code_cannot_change(api, store):
    # given
    before = rows()
    # when
    response = api.patch(f"{URL}ST-LYON-01/", {"code": "ST-LYON-99", "name": "X"}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "code", "detail": "The code of a stock point cannot change."}
    ]
    assert rows() == before


def test_invalid_patch_changes_nothing(api, store):
    before = rows()
    response = api.patch(f"{URL}ST-LYON-01/", {"name": "Y", "longitude": 200}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "longitude", "detail": "Ensure this value is less than or equal to 180."}
    ]
    assert rows() == before


def test_patch_of_unknown_code_is_404(api):
    response = api.patch(f"{URL}NOPE/", {"name": "Y"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_code"


@pytest.mark.parametrize("client_kind", ["token", "session"])
def test_store_staff_cannot_patch_even_their_store(store_staff, store, client_kind):
    # given
    client = api_client_for(store_staff) if client_kind == "token" else session_client(store_staff)
    before = rows()
    # when
    response = client.patch(f"{URL}ST-LYON-01/", {"name": "Mine now"}, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
    assert rows() == before


def test_put_is_not_allowed(api, store):
    before = rows()
    response = api.put(f"{URL}ST-LYON-01/", NEW_POINT, format="json")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert rows() == before


def test_model_validation_is_reported_under_the_api_names():
    # given: what a service's full_clean could raise past the serializer
    refused = DjangoValidationError(
        {"address_line1": ["Too long."], "code": ["Taken."], NON_FIELD_ERRORS: ["Clash."]}
    )
    # when
    with (
        pytest.raises(serializers.ValidationError) as reported,
        model_errors_as_input(STOCK_POINT_ERROR_PATHS),
    ):
        raise refused
    # then
    assert reported.value.detail == {
        "address": {"line1": ["Too long."]},
        "code": ["Taken."],
        "non_field_errors": ["Clash."],
    }
