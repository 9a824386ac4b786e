"""Channel allocation as a policy object: which stock points feed a channel, and
how many of a stock point's units the channel may promise, each answer with its
reason (`ChannelPolicy.decide`, `Allocation.why`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from inventory.models import ChannelAllocation


@dataclass(frozen=True)
class Allocation:
    share_percent: int = 100
    max_units: int | None = None

    @property
    def is_restricted(self) -> bool:
        return self.share_percent < 100 or self.max_units is not None

    def limit(self, sellable: int) -> int:
        """Units of `sellable` (on hand less protection) the channel may hold in all."""
        units = max(sellable, 0) * self.share_percent // 100
        return units if self.max_units is None else min(units, self.max_units)

    def promisable(self, *, atp: int, on_hand: int, protection: int, held: int) -> int:
        """Units the channel may still promise at a level: the level's ATP, within
        the channel's limit less what the channel already holds there. The one
        rule used by availability (selectors) and by the reservation gate."""
        if not self.is_restricted:
            return atp
        return max(0, min(atp, self.limit(on_hand - protection) - held))

    def why(self, *, atp: int, on_hand: int, protection: int, held: int) -> str:
        """Why `promisable` is what it is, in the reader's language."""
        promisable = self.promisable(atp=atp, on_hand=on_hand, protection=protection, held=held)
        if promisable == atp:
            return _("The channel may promise every available unit (%(atp)d).") % {"atp": atp}
        return _(
            "The channel may hold %(limit)d of these units and already holds %(held)d: "
            "%(promisable)d of %(atp)d available may be promised."
        ) % {
            "limit": self.limit(on_hand - protection),
            "held": held,
            "promisable": promisable,
            "atp": atp,
        }


FULL = Allocation()


@dataclass(frozen=True)
class AllocationDecision:
    allocation: Allocation | None  # None: the stock point does not feed the channel
    reason: str


class ChannelPolicy:
    def __init__(self, channel: str, rules: list[ChannelAllocation]) -> None:
        self.channel = channel
        self.rules = sorted(rules, key=lambda rule: rule.specificity, reverse=True)

    @classmethod
    def load(cls, channel: str) -> ChannelPolicy:
        if not channel:
            return cls("", [])
        return cls(channel, list(ChannelAllocation.objects.filter(channel=channel)))

    def allocation_for(self, stock_point_id: int, kind: str) -> Allocation | None:
        """The allocation of a stock point to this channel, None if it does not feed
        it (availability asks this for every stock point: no reason is worded)."""
        if not self.rules:
            return FULL
        rule = self._rule_for(stock_point_id, kind)
        if rule is None or rule.is_excluded:
            return None
        return Allocation(rule.share_percent, rule.max_units)

    def decide(self, stock_point_id: int, kind: str) -> AllocationDecision:
        """The same answer as `allocation_for`, with its reason: the most specific
        rule that matched, or none."""
        allocation = self.allocation_for(stock_point_id, kind)
        if not self.rules:
            return AllocationDecision(
                allocation, _("No allocation rule for this channel: every stock point feeds it.")
            )
        rule = self._rule_for(stock_point_id, kind)
        if rule is None:
            return AllocationDecision(None, _("No allocation rule of this channel names this stock point."))
        if rule.is_excluded:
            return AllocationDecision(
                None, _("Allocation rule #%(id)d keeps it from this channel.") % {"id": rule.pk}
            )
        words = {"id": rule.pk, "share": rule.share_percent, "cap": rule.max_units}
        if rule.max_units is None:
            return AllocationDecision(
                allocation, _("Allocation rule #%(id)d: %(share)d%% of its units.") % words
            )
        return AllocationDecision(
            allocation, _("Allocation rule #%(id)d: %(share)d%% of its units, %(cap)d at most.") % words
        )

    def _rule_for(self, stock_point_id: int, kind: str) -> ChannelAllocation | None:
        """The most specific rule naming the stock point (or its kind), if any."""
        for rule in self.rules:
            if rule.stock_point_id and rule.stock_point_id != stock_point_id:
                continue
            if rule.stock_point_kind and rule.stock_point_kind != kind:
                continue
            return rule
        return None

    @property
    def has_restrictions(self) -> bool:
        return any(
            not rule.is_excluded and (rule.share_percent < 100 or rule.max_units is not None)
            for rule in self.rules
        )
