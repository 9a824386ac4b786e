from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.errors import InvalidFeed
from inventory.models import MovementReason, ProtectionRule, StockLevel, StockMovement
from inventory.services.feeds import FeedItem, apply_feed
from inventory.services.movements import receive_stock
from oms.core.errors import InvalidInput
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory


def test_absolute_feed_sets_on_hand_and_writes_the_ledger(db, actor):
    level = StockLevelFactory(on_hand=4)
    new_sku = SkuFactory()
    result = apply_feed(
        "absolute",
        [
            FeedItem(level.stock_point.code, level.sku.code, 9),
            FeedItem(level.stock_point.code, new_sku.code, 3),
        ],
        actor=actor,
        reference="erp-42",
    )
    assert (result.applied, result.changed, result.created, result.skipped_stale) == (2, 2, 1, 0)
    level.refresh_from_db()
    assert level.on_hand == 9
    created = StockLevel.objects.get(sku=new_sku, stock_point=level.stock_point)
    assert created.on_hand == 3
    ledger = sorted(StockMovement.objects.values_list("quantity", "on_hand_after", "reason", "reference"))
    assert ledger == [(3, 3, "feed", "erp-42"), (5, 9, "feed", "erp-42")]


def test_unchanged_rows_write_no_movement(db, actor):
    level = StockLevelFactory(on_hand=4)
    result = apply_feed("absolute", [FeedItem(level.stock_point.code, level.sku.code, 4)], actor=actor)
    assert (result.applied, result.changed) == (1, 0)
    assert StockMovement.objects.count() == 0


def test_absolute_feed_replays_movements_recorded_after_as_of(db, actor):
    # given: the ERP counted 10 an hour ago; since then the store received 3
    level = StockLevelFactory(on_hand=7)
    receive_stock(level.sku.code, level.stock_point.code, 3, actor=actor)
    as_of = timezone.now() - timedelta(hours=1)
    # when
    apply_feed("absolute", [FeedItem(level.stock_point.code, level.sku.code, 10)], actor=actor, as_of=as_of)
    # then
    level.refresh_from_db()
    assert level.on_hand == 13
    assert level.counted_at == as_of


def test_snapshot_older_than_the_last_one_is_skipped(db, actor):
    level = StockLevelFactory(on_hand=0)
    recent = timezone.now() - timedelta(minutes=5)
    apply_feed("absolute", [FeedItem(level.stock_point.code, level.sku.code, 8)], actor=actor, as_of=recent)
    result = apply_feed(
        "absolute",
        [FeedItem(level.stock_point.code, level.sku.code, 2)],
        actor=actor,
        as_of=recent - timedelta(hours=1),
    )
    assert (result.applied, result.skipped_stale) == (0, 1)
    level.refresh_from_db()
    assert level.on_hand == 8


def test_delta_feed_adds_and_sums_repeated_rows(db, actor):
    level = StockLevelFactory(on_hand=5)
    point, sku = level.stock_point.code, level.sku.code
    apply_feed("delta", [FeedItem(point, sku, 4), FeedItem(point, sku, -2)], actor=actor)
    level.refresh_from_db()
    assert level.on_hand == 7
    assert list(StockMovement.objects.values_list("quantity", "reason")) == [(2, MovementReason.FEED)]


def test_bad_rows_are_all_listed_and_nothing_is_applied(db, actor):
    level = StockLevelFactory(on_hand=5)
    point, sku = level.stock_point.code, level.sku.code
    with pytest.raises(InvalidFeed) as refused:
        apply_feed(
            "absolute",
            [
                FeedItem(point, sku, 1),
                FeedItem("NOPE", sku, 1),
                FeedItem(point, "NOPE", 1),
                FeedItem(point, sku, -1),
            ],
            actor=actor,
        )
    assert [(error["index"], error["field"]) for error in refused.value.errors] == [
        (1, "stock_point"),
        (2, "sku"),
        (3, "quantity"),
        (3, "stock_point"),
    ]
    level.refresh_from_db()
    assert level.on_hand == 5
    assert StockMovement.objects.count() == 0


def test_delta_below_zero_refuses_the_whole_feed(db, actor):
    first = StockLevelFactory(on_hand=5)
    second = StockLevelFactory(on_hand=1, stock_point=first.stock_point)
    point = first.stock_point.code
    with pytest.raises(InvalidFeed) as refused:
        apply_feed(
            "delta", [FeedItem(point, first.sku.code, 3), FeedItem(point, second.sku.code, -2)], actor=actor
        )
    assert [error["index"] for error in refused.value.errors] == [1]
    first.refresh_from_db()
    assert first.on_hand == 5
    assert StockMovement.objects.count() == 0


def test_future_as_of_is_refused(db, actor):
    level = StockLevelFactory()
    with pytest.raises(InvalidInput):
        apply_feed(
            "absolute",
            [FeedItem(level.stock_point.code, level.sku.code, 1)],
            actor=actor,
            as_of=timezone.now() + timedelta(hours=1),
        )


def test_new_levels_get_their_protection_rule(db, actor):
    point = StockPointFactory(kind="store")
    sku = SkuFactory(category="lamps")
    ProtectionRule.objects.create(stock_point_kind="store", units=2)
    ProtectionRule.objects.create(category="lamps", percent=50)
    apply_feed("absolute", [FeedItem(point.code, sku.code, 9)], actor=actor)
    level = StockLevel.objects.get(sku=sku, stock_point=point)
    # the category rule (more specific than the kind rule) wins: 50% of 9 rounded up
    assert (level.protection, level.atp) == (5, 4)
