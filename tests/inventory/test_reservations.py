import pytest

from inventory.errors import InsufficientStock, ReservationConflict, ShortLine
from inventory.models import Reservation, ReservationStatus, StockLevel, StockMovement
from inventory.services.reservations import (
    ReservationLine,
    commit_reservations,
    release_reservations,
    reserve_lines,
    reserve_stock,
)
from tests.inventory.factories import StockLevelFactory


def test_reserve_refuses_more_than_atp(db):
    # given
    level = StockLevelFactory(on_hand=5, reserved=3, protection=1)
    # when
    with pytest.raises(InsufficientStock) as refused:
        reserve_stock(level.sku.code, level.stock_point.code, 2, reference="order-1/1")
    # then
    assert refused.value.lines == [
        ShortLine(level.sku.code, requested=2, available=1, stock_point=level.stock_point.code)
    ]
    level.refresh_from_db()
    assert level.reserved == 3
    assert Reservation.objects.count() == 0


def test_reserve_holds_units_and_lowers_atp(db):
    level = StockLevelFactory(on_hand=5, reserved=0, protection=1)
    reservation = reserve_stock(level.sku.code, level.stock_point.code, 3, reference="order-1/1")
    level.refresh_from_db()
    assert (level.reserved, level.atp) == (3, 1)
    assert (reservation.quantity, reservation.status) == (3, ReservationStatus.ACTIVE)


def test_reserve_is_idempotent_per_reference(db):
    level = StockLevelFactory(on_hand=5)
    first = reserve_stock(level.sku.code, level.stock_point.code, 2, reference="order-1/1")
    again = reserve_stock(level.sku.code, level.stock_point.code, 2, reference="order-1/1")
    level.refresh_from_db()
    assert again.pk == first.pk
    assert level.reserved == 2


def test_same_reference_for_other_stock_is_a_conflict(db):
    level = StockLevelFactory(on_hand=5)
    reserve_stock(level.sku.code, level.stock_point.code, 2, reference="order-1/1")
    with pytest.raises(ReservationConflict):
        reserve_stock(level.sku.code, level.stock_point.code, 3, reference="order-1/1")
    level.refresh_from_db()
    assert level.reserved == 2


def test_multi_line_reservation_is_all_or_nothing_and_names_every_short_line(db):
    plenty = StockLevelFactory(on_hand=10)
    short_a = StockLevelFactory(on_hand=1, stock_point=plenty.stock_point)
    short_b = StockLevelFactory(on_hand=0, stock_point=plenty.stock_point)
    point = plenty.stock_point.code
    with pytest.raises(InsufficientStock) as refused:
        reserve_lines(
            [
                ReservationLine(plenty.sku.code, point, 4),
                ReservationLine(short_a.sku.code, point, 2),
                ReservationLine(short_b.sku.code, point, 1),
            ],
            reference="order-2",
        )
    assert sorted(refused.value.lines, key=lambda line: line.sku) == sorted(
        [ShortLine(short_a.sku.code, 2, 1, point), ShortLine(short_b.sku.code, 1, 0, point)],
        key=lambda line: line.sku,
    )
    plenty.refresh_from_db()
    assert plenty.reserved == 0


def test_release_gives_units_back_once(db):
    level = StockLevelFactory(on_hand=5)
    reserve_stock(level.sku.code, level.stock_point.code, 4, reference="order-3/1")
    assert release_reservations("order-3/1", sku_code=level.sku.code, quantity=1) == 1
    level.refresh_from_db()
    assert level.reserved == 3
    assert release_reservations("order-3/1") == 3
    assert release_reservations("order-3/1") == 0
    level.refresh_from_db()
    assert (level.reserved, level.atp) == (0, 5)


def test_commit_takes_units_out_of_stock_and_writes_the_ledger(db, actor):
    level = StockLevelFactory(on_hand=5)
    reserve_stock(level.sku.code, level.stock_point.code, 2, reference="order-4/1")
    [movement] = commit_reservations("order-4/1", actor=actor)
    level.refresh_from_db()
    assert (level.on_hand, level.reserved, level.atp) == (3, 0, 3)
    assert (movement.quantity, movement.on_hand_after, movement.reason) == (-2, 3, "sale")
    assert commit_reservations("order-4/1", actor=actor) == []
    assert StockMovement.objects.count() == 1


def test_database_refuses_negative_reserved(db):
    from django.db import IntegrityError, transaction

    level = StockLevelFactory(on_hand=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(reserved=-1)
