"""The central invariant: under real concurrent transactions on PostgreSQL, the
units promised never exceed ATP, never go negative, and every loser is told why."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from inventory.errors import InsufficientStock
from inventory.models import ChannelAllocation, FutureStock, Reservation, StockLevel
from inventory.services.feeds import FeedItem, apply_feed
from inventory.services.network import NetworkLine, reserve_in_network
from inventory.services.reservations import (
    ReservationLine,
    release_reservations,
    reserve_lines,
    reserve_stock,
)
from oms.core.actors import Actor
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24


def run_concurrently(work, count: int = THREADS) -> list[object]:
    """Run `work(i)` in `count` threads released together, each on its own database
    connection; returns each call's result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_last_units_are_never_promised_twice():
    # given: 10 on hand, 2 protected, so 8 to promise; 24 buyers of 1 or 2 units
    level = StockLevelFactory(on_hand=10, protection=2)
    sku, point = level.sku.code, level.stock_point.code
    wanted = [1 + i % 2 for i in range(THREADS)]
    # when
    results = run_concurrently(lambda i: reserve_stock(sku, point, wanted[i], reference=f"order-{i}/1"))
    # then
    winners = [i for i, result in enumerate(results) if isinstance(result, Reservation)]
    losers = [i for i, result in enumerate(results) if not isinstance(result, Reservation)]
    level.refresh_from_db()
    assert sum(wanted[i] for i in winners) == level.reserved
    assert level.reserved <= 8
    assert level.reserved >= 7  # the last unit can stay only if everyone left wanted 2
    assert level.atp == 8 - level.reserved
    assert Reservation.objects.active().count() == len(winners)
    for i in losers:
        refusal = results[i]
        assert isinstance(refusal, InsufficientStock), refusal
        [line] = refusal.lines
        assert (line.sku, line.requested, line.stock_point) == (sku, wanted[i], point)
        assert 0 <= line.available < wanted[i]


def test_multi_line_reservations_in_opposite_orders_neither_oversell_nor_deadlock():
    point = StockPointFactory()
    first = StockLevelFactory(on_hand=6, stock_point=point)
    second = StockLevelFactory(on_hand=6, stock_point=point)

    def reserve_both(i: int):
        lines = [
            ReservationLine(first.sku.code, point.code, 1),
            ReservationLine(second.sku.code, point.code, 1),
        ]
        return reserve_lines(lines if i % 2 else lines[::-1], reference=f"order-{i}")

    results = run_concurrently(reserve_both)
    outcomes = Counter(type(result).__name__ for result in results)
    assert outcomes == {"list": 6, "InsufficientStock": THREADS - 6}
    for level in (first, second):
        level.refresh_from_db()
        assert (level.reserved, level.atp) == (6, 0)


def test_channel_share_holds_under_concurrency():
    # given: the marketplace may promise half of the warehouse's 10 units
    level = StockLevelFactory(on_hand=10, stock_point=StockPointFactory(kind="warehouse"))
    ChannelAllocation.objects.create(channel="marketplace:zalando", share_percent=50)
    sku, point = level.sku.code, level.stock_point.code
    # when: 24 marketplace orders and 24 web orders race for the units
    results = run_concurrently(
        lambda i: reserve_stock(
            sku, point, 1, reference=f"order-{i}", channel="marketplace:zalando" if i % 2 else "web"
        ),
        count=THREADS,
    )
    # then
    held = Counter(r.channel for r in results if isinstance(r, Reservation))
    level.refresh_from_db()
    assert held["marketplace:zalando"] <= 5
    assert level.reserved == sum(held.values()) <= 10
    assert all(isinstance(r, Reservation | InsufficientStock) for r in results)


def test_reservations_racing_releases_and_feeds_keep_the_books_straight():
    level = StockLevelFactory(on_hand=20)
    sku, point = level.sku.code, level.stock_point.code
    for i in range(10):
        reserve_stock(sku, point, 1, reference=f"old-{i}")
    actor = Actor.system("test")

    def work(i: int):
        if i < 10:
            return release_reservations(f"old-{i}")
        if i < 12:
            return apply_feed("delta", [FeedItem(point, sku, 1)], actor=actor)
        return reserve_stock(sku, point, 1, reference=f"new-{i}")

    results = run_concurrently(work)
    level.refresh_from_db()
    active = sum(Reservation.objects.active().values_list("quantity", flat=True))
    assert level.on_hand == 22
    assert level.reserved == active
    assert all(not isinstance(r, Exception) or isinstance(r, InsufficientStock) for r in results)
    assert StockLevel.objects.filter(reserved__lt=0).count() == 0


def test_concurrent_feeds_creating_the_same_levels_do_not_collide():
    points = [StockPointFactory() for _ in range(3)]
    skus = [SkuFactory() for _ in range(20)]
    items = [FeedItem(p.code, s.code, 5) for p in points for s in skus]
    actor = Actor.system("test")
    results = run_concurrently(lambda i: apply_feed("delta", items, actor=actor), count=8)
    assert [type(r).__name__ for r in results] == ["FeedResult"] * 8
    assert set(StockLevel.objects.values_list("on_hand", flat=True)) == {40}


# --- The path production uses: reserve_in_network -----------------------------------


def network_holds(work, count: int = THREADS) -> tuple[list[object], Counter]:
    results = run_concurrently(work, count=count)
    outcomes = Counter(type(result).__name__ for result in results)
    return results, outcomes


def books_balance() -> None:
    """reserved on each level and each delivery equals its active holds."""
    for level in StockLevel.objects.all():
        held = Reservation.objects.active().filter(
            sku_id=level.sku_id, stock_point_id=level.stock_point_id, future_stock__isnull=True
        )
        assert level.reserved == sum(held.values_list("quantity", flat=True))
        assert 0 <= level.reserved <= level.on_hand - level.protection
    for incoming in FutureStock.objects.all():
        held = Reservation.objects.active().filter(future_stock=incoming)
        assert incoming.reserved == sum(held.values_list("quantity", flat=True)) <= incoming.quantity


def test_network_orders_split_over_stock_points_never_oversell():
    # given: 3 stock points with 5 each of two SKUs; each order wants 6 of one (more
    # than any stock point has: a split line) and 2 of the other
    points = [StockPointFactory(kind="store") for _ in range(3)]
    lamp, desk = SkuFactory(), SkuFactory()
    for point in points:
        StockLevelFactory(sku=lamp, stock_point=point, on_hand=5)
        StockLevelFactory(sku=desk, stock_point=point, on_hand=5)

    def order(i: int):
        lines = [NetworkLine(f"o{i}/1", lamp.code, 6), NetworkLine(f"o{i}/2", desk.code, 2)]
        return reserve_in_network(lines if i % 2 else lines[::-1], channel="web", prefer=[points[i % 3].pk])

    # when
    results, outcomes = network_holds(order)
    # then: 15 lamps make 2 orders of 6, each split over stock points, the rest refused
    assert set(outcomes) <= {"list", "InsufficientStock"}
    won = [result for result in results if isinstance(result, list)]
    lamps = sum(
        r.quantity
        for holds in won
        for r in holds[0].reservations + holds[1].reservations
        if r.sku_id == lamp.pk
    )
    assert (len(won), lamps) == (2, 12)
    assert all(len(held.reservations) >= 2 for holds in won for held in holds if held.line.sku == lamp.code)
    books_balance()


def test_network_channel_share_holds_under_concurrency():
    # given: the marketplace may promise half of each warehouse's units
    warehouses = [StockPointFactory(kind="warehouse") for _ in range(2)]
    sku = SkuFactory()
    for warehouse in warehouses:
        StockLevelFactory(sku=sku, stock_point=warehouse, on_hand=10)
    ChannelAllocation.objects.create(
        channel="marketplace:zalando", stock_point_kind="warehouse", share_percent=50
    )
    ChannelAllocation.objects.create(channel="web", stock_point_kind="warehouse")

    def order(i: int):
        channel = "marketplace:zalando" if i % 2 else "web"
        return reserve_in_network([NetworkLine(f"o{i}/1", sku.code, 2 if i % 3 else 3)], channel=channel)

    # when
    results, outcomes = network_holds(order)
    # then
    assert [r for r in results if not isinstance(r, list | InsufficientStock)] == []
    for warehouse in warehouses:
        held = Reservation.objects.active().filter(stock_point=warehouse, channel="marketplace:zalando")
        assert sum(held.values_list("quantity", flat=True)) <= 5
    assert StockLevel.objects.filter(sku=sku).aggregate(total=Sum("reserved"))["total"] == sum(
        holds[0].line.quantity for holds in results if isinstance(holds, list)
    )
    books_balance()


def test_network_preorders_never_promise_incoming_stock_twice():
    # given: 4 on hand and 10 incoming; 24 orders of 1 or 2 from a channel taking pre-orders
    point = StockPointFactory(kind="warehouse")
    level = StockLevelFactory(on_hand=4, stock_point=point)
    incoming = FutureStockFactory(sku=level.sku, stock_point=point, quantity=10)
    wanted = [1 + i % 2 for i in range(THREADS)]

    def order(i: int):
        return reserve_in_network(
            [NetworkLine(f"o{i}/1", level.sku.code, wanted[i])], channel="app", allow_future=True
        )

    # when
    results, outcomes = network_holds(order)
    # then: the 4 on hand and at most the 10 incoming are held, once each
    assert set(outcomes) <= {"list", "InsufficientStock"}
    level.refresh_from_db()
    incoming.refresh_from_db()
    preordered = sum(wanted[i] for i, r in enumerate(results) if isinstance(r, list) and r[0].is_preorder)
    assert (level.reserved, incoming.reserved) == (4, preordered)
    assert incoming.reserved >= 9
    books_balance()
