import factory
from stdnum import ean as gs1_ean

from inventory.models import FutureStock, Sku, StockLevel, StockPoint


def valid_ean(first_twelve: str) -> str:
    """An EAN-13 with its check digit, as the model requires."""
    return first_twelve + gs1_ean.calc_check_digit(first_twelve)


class StockPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockPoint
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SP-{n:04d}")
    name = factory.LazyAttribute(lambda p: f"Stock point {p.code}")
    kind = "store"
    city = "Lyon"
    latitude = 45.75
    longitude = 4.85
    services = factory.LazyFunction(lambda: ["ship_from_store", "click_and_collect", "returns"])
    daily_capacity = 50


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    ean = factory.Sequence(lambda n: valid_ean(f"{376000000000 + n:012d}"))
    name = factory.Sequence(lambda n: f"Linen shirt {n}")
    category = "shirts"
    weight_grams = 300
    price = "29.90"


class StockLevelFactory(factory.django.DjangoModelFactory):
    """`StockLevelFactory(on_hand=5, reserved=3, protection=1)`: `protection` sets the
    fixed units of protection on the level."""

    class Meta:
        model = StockLevel

    sku = factory.SubFactory(SkuFactory)
    stock_point = factory.SubFactory(StockPointFactory)
    on_hand = 10
    reserved = 0

    @classmethod
    def _create(cls, model_class, *args, protection=0, **kwargs):
        kwargs.setdefault("protection_units", protection)
        level = super()._create(model_class, *args, **kwargs)
        level.refresh_from_db()
        return level


class FutureStockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FutureStock

    sku = factory.SubFactory(SkuFactory)
    stock_point = factory.SubFactory(StockPointFactory, kind="warehouse")
    quantity = 20
    expected_date = factory.Faker("date_between", start_date="+3d", end_date="+30d")
    reference = factory.Sequence(lambda n: f"PO-{n:05d}")
