"""Phone numbers (phonenumbers) and country codes (django-countries) at capture."""

from dataclasses import replace
from decimal import Decimal

import pytest

from oms.core.actors import Actor
from oms.core.errors import InvalidInput
from oms.core.phones import normalise_phone
from oms.models import Customer, Order, OutboxEvent
from oms.services.capture import AddressInput, place_order
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

ACTOR = Actor(label="api:webshop")


def field_errors(body: dict) -> dict[str, str]:
    """The refused fields of a 400 and their first message, whichever list the
    handler puts them in (`errors[{field}]` or `fields{}`)."""
    found: dict[str, str] = {}
    for error in body.get("errors", []):
        if "field" in error:
            found[error["field"]] = error["detail"]

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list) and value and isinstance(value[0], str):
            found[prefix] = value[0]

    walk("", body.get("fields", {}))
    return found


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+32 470 12 34 56", "FR", "+32470123456"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("+49 (0)151 2345 6789", "FR", "+4915123456789"),
        ("07911 123456", "GB", "+447911123456"),
        ("+44 7911 123456", "FR", "+447911123456"),
        ("", "FR", ""),
    ],
)
def test_phones_are_normalised_to_e164(raw, region, e164):
    assert normalise_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["1001", "abc", "+33 6 12", "06 12 34 56 78 90 12", "+999 123456789"])
def test_what_is_not_a_phone_number_is_none(raw):
    assert normalise_phone(raw) is None


@pytest.fixture
def lamp(db):
    ChannelFactory(code="web", name="Web shop")
    ChannelFactory(code="app", name="Mobile app")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    return StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=warehouse, on_hand=20).sku


BRUSSELS = AddressInput(line1="Rue Neuve 1", postal_code="1000", city="Bruxelles", country="BE")
BERLIN = AddressInput(line1="Unter den Linden 1", postal_code="10117", city="Berlin", country="DE")
LONDON = AddressInput(line1="1 Oxford Street", postal_code="W1D 1AN", city="London", country="GB")


@pytest.mark.parametrize(
    ("address", "national", "international", "e164"),
    [
        (BRUSSELS, "0470 12 34 56", "+32 470 12 34 56", "+32470123456"),
        (BERLIN, "0151 23456789", "0049 151 23456789", "+4915123456789"),
        (LONDON, "07911 123456", "+44 7911 123456", "+447911123456"),
    ],
)
def test_a_foreign_phone_unifies_the_customer_across_channels(lamp, address, national, international, e164):
    # given: the web shop has the number as its owner writes it at home
    first, _ = place_order(_order(channel="web", phone=national, address=address, email=""), actor=ACTOR)
    # when: the app sends it in international form
    second, _ = place_order(
        _order(channel="app", phone=international, address=address, email=""), actor=ACTOR
    )
    # then
    assert first.customer_id == second.customer_id
    assert list(Customer.objects.values_list("phone", flat=True)) == [e164]


def test_an_invalid_phone_is_a_field_error_and_creates_nothing(lamp):
    with pytest.raises(InvalidInput) as refused:
        place_order(_order(channel="web", phone="12 34", address=BRUSSELS), actor=ACTOR)
    assert [error["field"] for error in refused.value.errors] == ["customer.phone"]
    assert (Order.objects.count(), Customer.objects.count()) == (0, 0)


def _order(*, channel: str, phone: str, address: AddressInput, email: str = "camille.martin@example.fr"):
    command = place_order_command([("LAMP", 1)], channel=channel, email=email)
    return replace(
        command,
        customer=replace(command.customer, phone=phone),
        delivery=replace(command.delivery, address=address),
    )


# --- Through the API ------------------------------------------------------------------


def order_body(**customer) -> dict:
    return {
        "channel": "web",
        "customer": {"email": "camille@example.fr", "phone": "0612345678", **customer},
        "delivery": {
            "method": "home_delivery",
            "address": {
                "line1": "12 rue de la République",
                "postal_code": "69002",
                "city": "Lyon",
                "country": "FR",
            },
        },
        "lines": [{"sku": "LAMP", "quantity": 1, "unit_price": "19.90"}],
        "payment": {"provider": "sandbox", "reference": "auth-1", "amount": "19.90", "currency": "EUR"},
    }


def test_api_refuses_an_invalid_phone_with_a_400_on_the_field(api, lamp):
    response = api.post("/api/v1/orders/", order_body(phone="+33 6 12"), format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert field_errors(response.json()) == {
        "customer.phone": "+33 6 12 is not a valid phone number; give it with its country code, "
        "such as +32 470 12 34 56."
    }
    assert (Order.objects.count(), Customer.objects.count(), OutboxEvent.objects.count()) == (0, 0, 0)


def test_api_stores_a_belgian_phone_in_e164(api, lamp):
    body = order_body(phone="0470 12 34 56")
    body["delivery"]["address"].update(postal_code="1000", city="Bruxelles", country="be")
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201
    order = Order.objects.get()
    assert (order.customer.phone, order.ship_country, order.total_amount) == (
        "+32470123456",
        "BE",
        Decimal("19.90"),
    )


@pytest.mark.parametrize("where", ["delivery", "billing"])
def test_api_refuses_an_unknown_country_code(api, lamp, where):
    body = order_body()
    address = {"line1": "1 rue X", "postal_code": "00000", "city": "Nulle part", "country": "XX"}
    if where == "delivery":
        body["delivery"]["address"] = address
        path = "delivery.address.country"
    else:
        body["billing_address"] = address
        path = "billing_address.country"
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert field_errors(response.json()) == {
        path: "Unknown country code XX: use an ISO 3166 code such as FR, BE or DE."
    }
    assert (Order.objects.count(), Customer.objects.count()) == (0, 0)


def test_the_migration_puts_stored_phones_in_e164(db):
    # given: phones as the old rule stored them: "+33 (0)6…" kept its trunk 0, a
    # German number with its 0 too; a number that is not valid stays as it was
    from importlib import import_module

    from django.apps import apps

    from tests.oms.factories import CustomerFactory

    stored = ["+330612345678", "+49015123456789", "+32470123456", "1001"]
    customers = [CustomerFactory(email=f"c{n}@example.fr", phone=phone) for n, phone in enumerate(stored)]
    # when
    import_module("oms.migrations.0005_h8_phones_e164").phones_in_e164(apps, None)
    # then
    assert [Customer.objects.get(pk=c.pk).phone for c in customers] == [
        "+33612345678",
        "+4915123456789",
        "+32470123456",
        "1001",
    ]
