import pytest
from django.core.exceptions import ValidationError

from inventory.errors import NegativeStock, UnknownCode
from inventory.models import StockLevel, StockMovement
from inventory.services.incoming import receive_future_stock
from inventory.services.movements import adjust_stock, count_stock, receive_stock
from oms.core.actors import Actor
from oms.core.errors import Conflict, InvalidInput
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory


@pytest.fixture
def clerk() -> Actor:
    return Actor(label="lyon.staff", user_id=None)


def test_receipt_creates_the_level_and_records_who(db, clerk):
    point, sku = StockPointFactory(), SkuFactory()
    movement = receive_stock(sku.code, point.code, 6, actor=clerk, reference="BL-77")
    assert (
        movement.quantity,
        movement.on_hand_after,
        movement.reason,
        movement.actor,
        movement.reference,
    ) == (
        6,
        6,
        "receipt",
        "lyon.staff",
        "BL-77",
    )
    assert StockLevel.objects.get(sku=sku, stock_point=point).on_hand == 6


def test_adjustment_below_zero_is_refused_and_changes_nothing(db, clerk):
    level = StockLevelFactory(on_hand=2)
    with pytest.raises(NegativeStock) as refused:
        adjust_stock(level.sku.code, level.stock_point.code, -3, code="damaged", actor=clerk)
    assert refused.value.payload()["on_hand"] == 2
    level.refresh_from_db()
    assert level.on_hand == 2
    assert StockMovement.objects.count() == 0


def test_adjustment_needs_a_known_reason_code(db, clerk):
    level = StockLevelFactory(on_hand=2)
    with pytest.raises(InvalidInput):
        adjust_stock(level.sku.code, level.stock_point.code, -1, code="because", actor=clerk)
    assert StockMovement.objects.count() == 0


def test_count_records_the_difference(db, clerk):
    level = StockLevelFactory(on_hand=7)
    movement = count_stock(level.sku.code, level.stock_point.code, 4, actor=clerk)
    assert (movement.quantity, movement.on_hand_after, movement.reason) == (-3, 4, "count")
    assert count_stock(level.sku.code, level.stock_point.code, 4, actor=clerk) is None
    assert StockMovement.objects.count() == 1


def test_unknown_codes_are_named(db, clerk):
    point = StockPointFactory()
    with pytest.raises(UnknownCode) as refused:
        receive_stock("NOPE", point.code, 1, actor=clerk)
    assert refused.value.payload() == {"kind": "sku", "value": "NOPE"}


def test_the_ledger_is_append_only(db, clerk):
    level = StockLevelFactory(on_hand=1)
    movement = receive_stock(level.sku.code, level.stock_point.code, 1, actor=clerk)
    movement.quantity = 100
    with pytest.raises(ValidationError):
        movement.save()
    with pytest.raises(ValidationError):
        movement.delete()
    assert StockMovement.objects.get().quantity == 1


def test_the_ledger_adds_up_to_on_hand(db, clerk):
    point, sku = StockPointFactory(), SkuFactory()
    receive_stock(sku.code, point.code, 10, actor=clerk)
    adjust_stock(sku.code, point.code, -2, code="damaged", actor=clerk)
    count_stock(sku.code, point.code, 5, actor=clerk)
    total = sum(StockMovement.objects.values_list("quantity", flat=True))
    assert total == StockLevel.objects.get(sku=sku, stock_point=point).on_hand == 5


def test_receiving_future_stock_makes_it_on_hand_once(db, clerk):
    incoming = FutureStockFactory(quantity=12)
    movement = receive_future_stock(incoming.pk, actor=clerk)
    assert (movement.quantity, movement.reason, movement.reference) == (12, "receipt", incoming.reference)
    with pytest.raises(Conflict):
        receive_future_stock(incoming.pk, actor=clerk)
    assert StockLevel.objects.get(sku=incoming.sku, stock_point=incoming.stock_point).on_hand == 12


@pytest.mark.postgres
def test_postgres_itself_refuses_to_rewrite_the_ledger(db, clerk):
    from django.db import IntegrityError, transaction

    level = StockLevelFactory(on_hand=1)
    receive_stock(level.sku.code, level.stock_point.code, 1, actor=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.update(quantity=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.all().delete()
    assert StockMovement.objects.get().quantity == 1


def test_a_second_stock_point_with_the_same_code_is_a_conflict(db):
    from inventory.models import StockPoint
    from inventory.services.catalogue import _save_new

    StockPointFactory(code="ST-DUP")
    duplicate = StockPoint(code="ST-DUP", name="Again", kind="store", latitude=45.0, longitude=4.0)
    with pytest.raises(Conflict):
        _save_new(duplicate, "stock point")
    assert StockPoint.objects.filter(code="ST-DUP").count() == 1
