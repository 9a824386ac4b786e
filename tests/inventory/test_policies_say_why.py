"""The stock rules answer with their reason: the channel allocation that decided
(and how many units it leaves to promise), the ranking of stock points."""

from __future__ import annotations

from inventory.allocation import Allocation, ChannelPolicy
from inventory.models import ChannelAllocation
from inventory.services.allocations import save_channel_allocation
from inventory.services.network import Ranking
from tests.inventory.factories import StockPointFactory


def test_a_channel_without_rules_is_fed_by_every_stock_point(db):
    decision = ChannelPolicy.load("web").decide(1, "store")
    assert (decision.allocation, decision.reason) == (
        Allocation(),
        "No allocation rule for this channel: every stock point feeds it.",
    )


def test_the_most_specific_rule_decides_and_says_so(db):
    # given: the marketplace gets 50 % of warehouses (at most 20 units), never this store
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    store = StockPointFactory(code="ST-LYON-01", kind="store")
    share = save_channel_allocation(
        ChannelAllocation(
            channel="marketplace:zalando", stock_point_kind="warehouse", share_percent=50, max_units=20
        )
    )
    excluded = save_channel_allocation(
        ChannelAllocation(channel="marketplace:zalando", stock_point=store, is_excluded=True)
    )
    policy = ChannelPolicy.load("marketplace:zalando")
    # when
    at_warehouse = policy.decide(warehouse.pk, "warehouse")
    at_store = policy.decide(store.pk, "store")
    elsewhere = policy.decide(StockPointFactory(code="SUP-1", kind="supplier").pk, "supplier")
    # then
    assert (at_warehouse.allocation, at_warehouse.reason) == (
        Allocation(50, 20),
        f"Allocation rule #{share.pk}: 50% of its units, 20 at most.",
    )
    assert (at_store.allocation, at_store.reason) == (
        None,
        f"Allocation rule #{excluded.pk} keeps it from this channel.",
    )
    assert (elsewhere.allocation, elsewhere.reason) == (
        None,
        "No allocation rule of this channel names this stock point.",
    )


def test_an_allocation_says_why_it_promises_less_than_available():
    share = Allocation(50)
    assert share.promisable(atp=8, on_hand=10, protection=0, held=3) == 2
    assert share.why(atp=8, on_hand=10, protection=0, held=3) == (
        "The channel may hold 5 of these units and already holds 3: 2 of 8 available may be promised."
    )
    assert Allocation().why(atp=8, on_hand=10, protection=0, held=3) == (
        "The channel may promise every available unit (8)."
    )


def test_the_ranking_says_why():
    ranking = Ranking(prefer=(7,))
    assert ranking.why(stock_point_id=7, priority=2, atp=4) == (
        "Preferred stock point for this order, then priority 2, 4 available."
    )
    assert ranking.why(stock_point_id=9, priority=1, atp=30) == "Priority 1, then 30 available."


def test_the_reasons_read_in_french():
    from django.utils import translation

    with translation.override("fr"):
        assert Ranking().why(stock_point_id=9, priority=1, atp=30) == "Priorité 1, puis 30 disponible(s)."
        assert Allocation(50).why(atp=8, on_hand=10, protection=0, held=3) == (
            "Le canal peut retenir 5 de ces unités et en retient déjà 3\xa0: 2 des 8 disponibles peuvent être promises."
        )
