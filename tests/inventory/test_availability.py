from datetime import date, timedelta

from inventory.models import ChannelAllocation
from inventory.selectors import Incoming, PointAtp, availability, distance_km, future_atp
from inventory.services.reservations import reserve_stock
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory


def test_availability_sums_atp_of_feeding_stock_points_best_first(db):
    sku = SkuFactory(code="LAMP-1")
    warehouse = StockPointFactory(code="WH-1", kind="warehouse")
    store = StockPointFactory(code="ST-1", kind="store")
    closed = StockPointFactory(code="ST-OLD", kind="store", is_active=False)
    StockLevelFactory(sku=sku, stock_point=warehouse, on_hand=30, reserved=5)
    StockLevelFactory(sku=sku, stock_point=store, on_hand=4, protection=1)
    StockLevelFactory(sku=sku, stock_point=closed, on_hand=50)
    [result] = availability(["LAMP-1"], channel="web")
    assert result.atp == 28
    assert result.stock_points == [PointAtp("WH-1", 25), PointAtp("ST-1", 3)]


def test_unknown_skus_are_reported_with_zero(db):
    [result] = availability(["NOPE"], channel="web")
    assert (result.sku, result.atp, result.stock_points, result.incoming) == ("NOPE", 0, [], [])


def test_channel_allocation_excludes_points_and_applies_shares(db):
    sku = SkuFactory(code="LAMP-1")
    warehouse = StockPointFactory(code="WH-1", kind="warehouse")
    store = StockPointFactory(code="ST-1", kind="store")
    StockLevelFactory(sku=sku, stock_point=warehouse, on_hand=10)
    StockLevelFactory(sku=sku, stock_point=store, on_hand=4)
    channel = "marketplace:zalando"
    ChannelAllocation.objects.create(channel=channel, stock_point_kind="warehouse", share_percent=50)
    [result] = availability(["LAMP-1"], channel=channel)
    assert (result.atp, result.stock_points) == (5, [PointAtp("WH-1", 5)])
    reserve_stock("LAMP-1", "WH-1", 2, reference="m-1", channel=channel)
    [result] = availability(["LAMP-1"], channel=channel)
    assert result.atp == 3
    [web] = availability(["LAMP-1"], channel="web")
    assert web.atp == 12


def test_cap_per_stock_point(db):
    sku = SkuFactory(code="LAMP-1")
    StockLevelFactory(sku=sku, stock_point=StockPointFactory(code="ST-1"), on_hand=40)
    ChannelAllocation.objects.create(channel="app", max_units=10)
    [result] = availability(["LAMP-1"], channel="app")
    assert result.atp == 10


def test_incoming_stock_by_date_and_future_atp(db):
    sku = SkuFactory(code="LAMP-1")
    warehouse = StockPointFactory(code="WH-1", kind="warehouse")
    StockLevelFactory(sku=sku, stock_point=warehouse, on_hand=2)
    soon, later = date.today() + timedelta(days=3), date.today() + timedelta(days=10)
    FutureStockFactory(sku=sku, stock_point=warehouse, quantity=5, reserved=1, expected_date=soon)
    FutureStockFactory(sku=sku, stock_point=warehouse, quantity=7, expected_date=later)
    FutureStockFactory(sku=sku, stock_point=warehouse, quantity=9, expected_date=soon, is_received=True)
    [result] = availability(["LAMP-1"], channel="web")
    assert result.incoming == [Incoming(soon, 4), Incoming(later, 7)]
    assert future_atp("LAMP-1", soon, channel="web") == 6
    assert future_atp("LAMP-1", later, channel="web") == 13


def test_bulk_availability_uses_the_same_queries_for_2_or_20_skus(db, django_assert_num_queries):
    point = StockPointFactory()
    skus = [SkuFactory() for _ in range(20)]
    for sku in skus:
        StockLevelFactory(sku=sku, stock_point=point, on_hand=3)
    with django_assert_num_queries(5):
        availability([s.code for s in skus[:2]], channel="web")
    with django_assert_num_queries(5):
        results = availability([s.code for s in skus], channel="web")
    assert [r.atp for r in results] == [3] * 20


def test_distance_between_lyon_and_paris():
    assert round(distance_km(45.7606, 4.8593, 48.8606, 2.3376)) == 394


def test_totals_only_add_up_the_same_as_the_detail(db):
    sku = SkuFactory(code="LAMP-1")
    for number, on_hand in enumerate([4, 0, 9]):
        StockLevelFactory(
            sku=sku, stock_point=StockPointFactory(code=f"ST-{number}"), on_hand=on_hand, protection=1
        )
    [detailed] = availability(["LAMP-1"], channel="web")
    [total] = availability(["LAMP-1"], channel="web", with_stock_points=False)
    assert (detailed.atp, total.atp, total.stock_points) == (11, 11, [])
    assert detailed.stock_points == [PointAtp("ST-2", 8), PointAtp("ST-0", 3)]
