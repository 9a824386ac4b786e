"""EAN check digits (python-stdnum) and stock point countries (django-countries)."""

import pytest

from inventory.models import Sku, StockPoint
from tests.inventory.factories import SkuFactory
from tests.oms.test_phones_and_countries import field_errors

PRODUCTS = "/api/v1/products/"
POINTS = "/api/v1/stock-points/"

NEW_PRODUCT = {"sku": "TSHIRT-BLUE-M", "name": "T-shirt bleu M", "price": "19.90"}
NEW_POINT = {
    "code": "ST-BRUXELLES-01",
    "name": "Bruxelles Neuve",
    "kind": "store",
    "address": {"line1": "Rue Neuve 1", "postal_code": "1000", "city": "Bruxelles", "country": "BE"},
    "latitude": 50.85,
    "longitude": 4.35,
}


@pytest.mark.parametrize(
    "ean",
    [
        "96385074",  # EAN-8
        "036000291452",  # UPC-A
        "4006381333931",  # EAN-13
        "14006381333938",  # GTIN-14
    ],
)
def test_a_valid_ean_of_each_length_is_accepted(api, ean):
    response = api.post(PRODUCTS, {**NEW_PRODUCT, "ean": ean}, format="json")
    assert response.status_code == 201
    assert Sku.objects.get(code="TSHIRT-BLUE-M").ean == ean


@pytest.mark.parametrize(
    ("ean", "message"),
    [
        ("4006381333932", "The check digit of EAN 4006381333932 is wrong: the last digit should be 1."),
        ("96385075", "The check digit of EAN 96385075 is wrong: the last digit should be 4."),
        ("036000291453", "The check digit of EAN 036000291453 is wrong: the last digit should be 2."),
        ("400638133393", "The check digit of EAN 400638133393 is wrong: the last digit should be 0."),
        ("12345", "An EAN has 8, 12, 13 or 14 digits."),
        ("40063813339 1", "An EAN has 8, 12, 13 or 14 digits."),
    ],
)
def test_an_ean_with_a_wrong_check_digit_is_a_400_on_ean(api, ean, message):
    response = api.post(PRODUCTS, {**NEW_PRODUCT, "ean": ean}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert field_errors(response.json()) == {"ean": message}
    assert Sku.objects.count() == 0


def test_a_patch_with_a_wrong_check_digit_changes_nothing(api):
    SkuFactory(code="SHIRT-1", ean="4006381333931", name="Linen shirt")
    response = api.patch(f"{PRODUCTS}SHIRT-1/", {"ean": "4006381333932", "name": "Other"}, format="json")
    assert response.status_code == 400
    assert field_errors(response.json()) == {
        "ean": "The check digit of EAN 4006381333932 is wrong: the last digit should be 1."
    }
    assert Sku.objects.values_list("ean", "name").get() == ("4006381333931", "Linen shirt")


def test_a_stock_point_in_belgium_is_accepted(api):
    response = api.post(POINTS, NEW_POINT, format="json")
    assert response.status_code == 201
    assert StockPoint.objects.get(code="ST-BRUXELLES-01").country == "BE"


@pytest.mark.parametrize("code", ["XX", "UK", "EU"])
def test_an_unknown_country_code_is_a_400_on_the_address(api, code):
    body = {**NEW_POINT, "address": {**NEW_POINT["address"], "country": code}}
    response = api.post(POINTS, body, format="json")
    assert response.status_code == 400
    assert field_errors(response.json()) == {
        "address.country": f"Unknown country code {code}: use an ISO 3166 code such as FR, BE or DE."
    }
    assert StockPoint.objects.count() == 0


def test_the_model_refuses_an_unknown_country_in_the_admin_too(db):
    from django.core.exceptions import ValidationError

    point = StockPoint(code="ST-X", name="X", kind="store", country="XX", latitude=0, longitude=0)
    with pytest.raises(ValidationError) as refused:
        point.full_clean()
    assert refused.value.message_dict == {
        "country": ["Unknown country code XX: use an ISO 3166 code such as FR, BE or DE."]
    }
