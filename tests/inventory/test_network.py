"""The one ranking of stock levels (`Ranking`), the same whether the database picks
the best whole-line level or the candidates are ranked for a split or a channel
with allocation rules."""

import pytest

from inventory.models import ChannelAllocation
from inventory.services.network import NetworkLine, reserve_in_network
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory


@pytest.fixture
def points(db):
    lamp = SkuFactory(code="LAMP")
    points = {
        "WH": StockPointFactory(code="WH", kind="warehouse", priority=10),
        "ST-A": StockPointFactory(code="ST-A", kind="store", priority=50),
        "ST-B": StockPointFactory(code="ST-B", kind="store", priority=50),
    }
    for code, on_hand in (("WH", 5), ("ST-A", 9), ("ST-B", 3)):
        StockLevelFactory(sku=lamp, stock_point=points[code], on_hand=on_hand)
    return points


def held_at(holds, points) -> list[tuple[str, int]]:
    codes = {point.pk: code for code, point in points.items()}
    return [(codes[r.stock_point_id], r.quantity) for r in holds[0].reservations]


@pytest.mark.parametrize("with_rules", [False, True], ids=["database-picks", "ranked-candidates"])
@pytest.mark.parametrize(
    ("quantity", "prefer", "expected"),
    [
        (2, [], [("WH", 2)]),  # priority first
        (2, ["ST-B"], [("ST-B", 2)]),  # the preferred store before priority
        (6, [], [("ST-A", 6)]),  # one stock point for the whole line if any can
        (12, [], [("WH", 5), ("ST-A", 7)]),  # else split, by priority then most units
        (12, ["ST-B"], [("ST-B", 3), ("WH", 5), ("ST-A", 4)]),
    ],
)
def test_stock_points_are_ranked_the_same_way_on_both_paths(points, with_rules, quantity, prefer, expected):
    if with_rules:  # a channel with allocation rules takes the ranked candidates
        ChannelAllocation.objects.create(channel="web")
    holds = reserve_in_network(
        [NetworkLine("o/1", "LAMP", quantity)], channel="web", prefer=[points[code].pk for code in prefer]
    )
    assert held_at(holds, points) == expected
