import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from oms.models import Channel, Customer, Profile, Role
from oms.services.capture import (
    AddressInput,
    CustomerInput,
    DeliveryInput,
    LineInput,
    PaymentInput,
    PlaceOrder,
)

PASSWORD = "correct-horse-battery"
# A channel's reference names one order: each command gets its own unless told.
EXTERNAL_REFERENCES = (f"WEB-{n}" for n in itertools.count(1001))


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a profile: `UserFactory(role=Role.STORE_STAFF, stores=[store])`.
    Every user's password is PASSWORD."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")

    @classmethod
    def _create(cls, model_class, *args, role=Role.STORE_STAFF, stores=(), **kwargs):
        user = model_class.objects.create_user(*args, password=PASSWORD, **kwargs)
        profile = Profile.objects.create(user=user, role=role)
        if stores:
            profile.stores.set(stores)
        return user


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = "web"
    name = factory.LazyAttribute(lambda c: c.code.title())


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"client{n}@example.fr")
    first_name = "Camille"
    last_name = "Martin"
    phone = "+33612345678"


LYON_ADDRESS = AddressInput(
    line1="12 rue de la République",
    postal_code="69002",
    city="Lyon",
    country="FR",
    latitude=45.7640,
    longitude=4.8357,
)


def place_order_command(
    lines: list[tuple[str, int]] | list[tuple[str, int, str]],
    *,
    channel: str = "web",
    method: str = "home_delivery",
    pickup_store: str = "",
    email: str = "camille.martin@example.fr",
    reference: str = "auth-123",
    **overrides,
) -> PlaceOrder:
    """A valid order command: `lines` as (sku, quantity[, unit price])."""
    line_inputs = [
        LineInput(sku=line[0], quantity=line[1], unit_price=Decimal(line[2] if len(line) > 2 else "10.00"))
        for line in lines
    ]
    total = sum((line.unit_price * line.quantity for line in line_inputs), Decimal("0"))
    payment = None
    if method != "e_reservation":
        payment = PaymentInput(provider="sandbox", reference=reference, amount=total)
    values = {
        "channel": channel,
        "customer": CustomerInput(
            email=email, first_name="Camille", last_name="Martin", phone="06 12 34 56 78"
        ),
        "delivery": DeliveryInput(
            method=method,
            service="standard" if method == "home_delivery" else "",
            pickup_store=pickup_store,
            address=LYON_ADDRESS if method == "home_delivery" else None,
        ),
        "lines": line_inputs,
        "payment": payment,
        "external_reference": next(EXTERNAL_REFERENCES),
    }
    values.update(overrides)
    return PlaceOrder(**values)
