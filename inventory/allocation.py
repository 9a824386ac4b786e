"""Channel allocation as a policy object: which stock points feed a channel, and
how many of a stock point's units the channel may promise."""

from __future__ import annotations

from dataclasses import dataclass

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


FULL = Allocation()


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
        """The allocation of a stock point to this channel, None if it does not feed it."""
        if not self.rules:
            return FULL
        for rule in self.rules:
            if rule.stock_point_id and rule.stock_point_id != stock_point_id:
                continue
            if rule.stock_point_kind and rule.stock_point_kind != kind:
                continue
            if rule.is_excluded:
                return None
            return Allocation(rule.share_percent, rule.max_units)
        return None

    @property
    def has_restrictions(self) -> bool:
        return any(
            not rule.is_excluded and (rule.share_percent < 100 or rule.max_units is not None)
            for rule in self.rules
        )
