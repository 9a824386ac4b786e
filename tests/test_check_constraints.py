"""The database has the last word: each check constraint of the project refuses a
bad write made behind the services' back. One case per constraint; the test also
fails if a constraint is added without its case here."""

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction

from inventory.models import ChannelAllocation, FutureStock, ProtectionRule, Reservation, Sku, StockLevel
from oms.core.actors import Actor
from oms.models import Order, OrderLine, Payment
from oms.services.capture import place_order
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command


@pytest.fixture
def rows(db):
    """One valid row of each constrained table."""
    ChannelFactory(code="web")
    level = StockLevelFactory(
        sku=SkuFactory(code="LAMP"), on_hand=5, stock_point=StockPointFactory(code="WH")
    )
    order, _ = place_order(place_order_command([("LAMP", 2)]), actor=Actor.system("test"))
    return {
        Sku: level.sku,
        StockLevel: level,
        ProtectionRule: ProtectionRule.objects.create(category="lamps", percent=10),
        ChannelAllocation: ChannelAllocation.objects.create(channel="web", share_percent=50),
        FutureStock: FutureStockFactory(sku=level.sku, stock_point=level.stock_point, quantity=5),
        Reservation: Reservation.objects.get(reference=f"{order.number}/1"),
        Order: order,
        OrderLine: order.lines.get(),
        Payment: order.payments.get(),
    }


# constraint name → (model, a bad change of a valid row)
BAD_WRITES = {
    "sku_price_gte_0": (Sku, {"price": -1}),
    "stock_level_on_hand_gte_0": (StockLevel, {"on_hand": -1}),
    "stock_level_reserved_gte_0": (StockLevel, {"reserved": -1}),
    "stock_level_protection_valid": (StockLevel, {"protection_percent": 101}),
    "protection_percent_lte_100": (ProtectionRule, {"percent": 101}),
    "allocation_share_1_100": (ChannelAllocation, {"share_percent": 0}),
    "future_stock_reserved_lte_quantity": (FutureStock, {"reserved": 6}),
    "reservation_quantity_gt_0": (Reservation, {"quantity": 0}),
    "order_total_gte_0": (Order, {"total_amount": -1}),
    "order_line_cancelled_lte_quantity": (OrderLine, {"cancelled_quantity": 3}),
    "payment_captured_lte_authorised": (Payment, {"captured_amount": 10_000}),
    "payment_refunded_lte_captured": (Payment, {"refunded_amount": 1}),
}


def test_every_check_constraint_has_a_case():
    names = {
        constraint.name
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint)
    }
    assert names == set(BAD_WRITES)


@pytest.mark.parametrize("name", sorted(BAD_WRITES))
def test_the_database_refuses_a_bad_write(rows, name):
    # given
    model, change = BAD_WRITES[name]
    row = rows[model]
    before = model.objects.filter(pk=row.pk).values(*change).get()
    # when
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        model.objects.filter(pk=row.pk).update(**change)
    # then
    assert name in str(refused.value)
    assert model.objects.filter(pk=row.pk).values(*change).get() == before
