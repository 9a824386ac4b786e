from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import ProtectionRule, Sku, StockLevel
from tests.conftest import api_client_for
from tests.inventory.factories import SkuFactory, StockLevelFactory
from tests.oms.factories import PASSWORD

URL = "/api/v1/products/"

NEW_PRODUCT = {
    "sku": "TSHIRT-BLUE-M",
    "ean": "3760000012348",
    "name": "T-shirt bleu M",
    "category": "t-shirts",
    "weight_grams": 180,
    "price": "19.90",
    "is_active": True,
}


def rows() -> list[dict]:
    return list(Sku.objects.order_by("pk").values())


# --- Reading -------------------------------------------------------------------------


def test_list_is_paginated_with_sku_and_price_as_string(api):
    # given
    SkuFactory(
        code="SHIRT-1",
        ean="3760000000017",
        name="Linen shirt",
        category="shirts",
        weight_grams=300,
        price="29.90",
    )
    SkuFactory(code="SHIRT-2", ean=None)
    # when
    response = api.get(URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert body["results"][0] == {
        "sku": "SHIRT-1",
        "ean": "3760000000017",
        "name": "Linen shirt",
        "category": "shirts",
        "weight_grams": 300,
        "price": "29.90",
        "is_active": True,
    }
    assert body["results"][1]["ean"] is None


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_count_does_not_grow_with_rows(api, django_assert_num_queries, count):
    # given
    SkuFactory.create_batch(count)
    # when: token with its profile, count, page
    with django_assert_num_queries(3):
        response = api.get(URL)
    # then
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "shoes"}, ["SHOE-1"]),
        ({"ean": "3760000000024"}, ["SHOE-1"]),
        ({"is_active": "false"}, ["OLD-1"]),
        ({"search": "shoe"}, ["SHOE-1"]),
        ({"search": "linen"}, ["OLD-1", "SHIRT-1"]),
        ({"search": "3760000000017"}, ["SHIRT-1"]),
        ({"category": "shirts", "is_active": "true"}, ["SHIRT-1"]),
    ],
)
def test_list_filters(api, query, expected):
    # given
    SkuFactory(code="SHIRT-1", ean="3760000000017", name="Linen shirt", category="shirts")
    SkuFactory(code="SHOE-1", ean="3760000000024", name="Running shoe", category="shoes")
    SkuFactory(code="OLD-1", ean=None, name="Linen trousers", category="shirts", is_active=False)
    # when
    response = api.get(URL, query)
    # then
    assert [product["sku"] for product in response.json()["results"]] == expected


def test_store_staff_reads_a_product(store_staff):
    SkuFactory(code="SHIRT-1", price="29.90")
    response = api_client_for(store_staff).get(f"{URL}SHIRT-1/")
    assert response.status_code == 200
    assert (response.json()["sku"], response.json()["price"]) == ("SHIRT-1", "29.90")


def test_unknown_sku_is_404(api):
    response = api.get(f"{URL}NOPE/")
    assert response.status_code == 404
    assert response.json() == {"error": "unknown_code", "detail": "Unknown sku NOPE."}


def test_anonymous_gets_401(anonymous_api):
    response = anonymous_api.get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


# --- Creating --------------------------------------------------------------------------


def test_integration_creates_a_product(api):
    response = api.post(URL, NEW_PRODUCT, format="json")
    assert response.status_code == 201
    assert response.json() == NEW_PRODUCT
    sku = Sku.objects.get(code="TSHIRT-BLUE-M")
    assert (sku.ean, sku.name, sku.category, sku.weight_grams, sku.price) == (
        "3760000012348",
        "T-shirt bleu M",
        "t-shirts",
        180,
        Decimal("19.90"),
    )


def test_head_office_creates_with_defaults_and_a_blank_ean(head_office):
    response = api_client_for(head_office).post(
        URL, {"sku": "GIFT-CARD", "name": "Gift card", "ean": ""}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "sku": "GIFT-CARD",
        "ean": None,
        "name": "Gift card",
        "category": "",
        "weight_grams": 0,
        "price": "0.00",
        "is_active": True,
    }
    assert Sku.objects.get(code="GIFT-CARD").ean is None


def test_numeric_price_is_accepted(api):
    response = api.post(URL, {**NEW_PRODUCT, "price": 5.5}, format="json")
    assert response.status_code == 201
    assert response.json()["price"] == "5.50"


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"price": "-0.01"},
            [{"field": "price", "detail": "Ensure this value is greater than or equal to 0."}],
        ),
        ({"price": "abc"}, [{"field": "price", "detail": "A valid number is required."}]),
        (
            {"price": "1.999"},
            [{"field": "price", "detail": "Ensure that there are no more than 2 decimal places."}],
        ),
        ({"ean": "12345"}, [{"field": "ean", "detail": "An EAN has 8, 12, 13 or 14 digits."}]),
        (
            {"sku": "has space"},
            [
                {
                    "field": "sku",
                    "detail": "Use letters, digits, '.', '_', ':' or '-' (64 characters at most).",
                }
            ],
        ),
        (
            {"weight_grams": -1},
            [{"field": "weight_grams", "detail": "Ensure this value is greater than or equal to 0."}],
        ),
        (
            {"weight_grams": 2**31},
            [{"field": "weight_grams", "detail": "Ensure this value is less than or equal to 2147483647."}],
        ),
        ({"name": ""}, [{"field": "name", "detail": "This field may not be blank."}]),
    ],
)
def test_invalid_product_is_refused_field_by_field(api, change, errors):
    before = rows()
    response = api.post(URL, {**NEW_PRODUCT, **change}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert response.json()["errors"] == errors
    assert rows() == before


def test_duplicate_sku_and_ean_are_field_errors(api):
    # given
    SkuFactory(code="TSHIRT-BLUE-M", ean="3760000099998")
    SkuFactory(code="OTHER", ean="3760000012348")
    before = rows()
    # when
    response = api.post(URL, NEW_PRODUCT, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "sku", "detail": "A product with this SKU already exists."},
        {"field": "ean", "detail": "SKU with this EAN already exists."},
    ]
    assert rows() == before


def test_malformed_json_is_400(api):
    response = api.post(URL, "[1, 2", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert Sku.objects.count() == 0


@pytest.mark.parametrize("role_fixture", ["store_staff", "customer_service"])
def test_only_network_writers_create(db, request, role_fixture):
    # given
    client = api_client_for(request.getfixturevalue(role_fixture))
    before = rows()
    # when
    response = client.post(URL, NEW_PRODUCT, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
    assert rows() == before


# --- Changing ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api):
    # given
    SkuFactory(code="SHIRT-1", ean="3760000000017", name="Linen shirt", price="29.90")
    # when
    response = api.patch(f"{URL}SHIRT-1/", {"price": "24.90", "ean": None}, format="json")
    # then
    assert response.status_code == 200
    assert (response.json()["price"], response.json()["ean"]) == ("24.90", None)
    sku = Sku.objects.get(code="SHIRT-1")
    assert (sku.price, sku.ean, sku.name, sku.category) == (
        Decimal("24.90"),
        None,
        "Linen shirt",
        "shirts",
    )


def test_category_change_reresolves_protection(api):
    # given
    level = StockLevelFactory(sku__code="SHIRT-1", sku__category="shirts", on_hand=10)
    ProtectionRule.objects.create(category="shoes", units=3)
    # when
    response = api.patch(f"{URL}SHIRT-1/", {"category": "shoes"}, format="json")
    # then
    assert response.status_code == 200
    level = StockLevel.objects.get(pk=level.pk)
    assert (level.protection, level.atp) == (3, 7)


def test_sku_cannot_change(api):
    SkuFactory(code="SHIRT-1")
    before = rows()
    response = api.patch(f"{URL}SHIRT-1/", {"sku": "SHIRT-2"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "sku", "detail": "The SKU of a product cannot change."}]
    assert rows() == before


def test_negative_price_patch_changes_nothing(api):
    SkuFactory(code="SHIRT-1")
    before = rows()
    response = api.patch(f"{URL}SHIRT-1/", {"price": "-1.00"}, format="json")
    assert response.status_code == 400
    assert rows() == before


@pytest.mark.parametrize("client_kind", ["token", "session"])
def test_store_staff_cannot_create_or_patch(store_staff, client_kind):
    # given
    if client_kind == "token":
        client = api_client_for(store_staff)
    else:
        client = APIClient()
        assert client.login(username=store_staff.username, password=PASSWORD)
    SkuFactory(code="SHIRT-1")
    before = rows()
    # when
    created = client.post(URL, NEW_PRODUCT, format="json")
    patched = client.patch(f"{URL}SHIRT-1/", {"price": "0"}, format="json")
    # then
    assert (created.status_code, patched.status_code) == (403, 403)
    assert rows() == before
