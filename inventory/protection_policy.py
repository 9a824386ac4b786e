"""Protection matching as a policy object, written once.

A rule's scope names up to four things (stock point kind, stock point, category,
SKU); an empty one matches anything. `SCOPE` says, for each, how a level is
matched: in Python (new levels of a feed, `ProtectionPolicy.for_level`) and in SQL
(re-resolving the levels of a scope, `RuleScope.level_filter`). The most specific
matching rule wins (`ProtectionRule.specificity`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from inventory.models import ProtectionRule, Sku, StockPoint

# field of the rule/scope → (lookup on StockLevel, value of a (stock point, SKU) pair)
SCOPE: dict[str, tuple[str, Callable[[StockPoint, Sku], object]]] = {
    "stock_point_kind": ("stock_point__kind", lambda point, sku: point.kind),
    "stock_point_id": ("stock_point_id", lambda point, sku: point.pk),
    "category": ("sku__category", lambda point, sku: sku.category),
    "sku_id": ("sku_id", lambda point, sku: sku.pk),
}


@dataclass(frozen=True)
class RuleScope:
    stock_point_kind: str = ""
    stock_point_id: int | None = None
    category: str = ""
    sku_id: int | None = None

    @classmethod
    def of(cls, rule: ProtectionRule) -> RuleScope:
        return cls(rule.stock_point_kind, rule.stock_point_id, rule.category, rule.sku_id)

    def named(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in SCOPE if getattr(self, name)}

    def level_filter(self) -> Q:
        return Q(**{SCOPE[name][0]: value for name, value in self.named().items()})

    def matches(self, stock_point: StockPoint, sku: Sku) -> bool:
        return all(SCOPE[name][1](stock_point, sku) == value for name, value in self.named().items())


class ProtectionPolicy:
    """All rules in memory, most specific first."""

    def __init__(self, rules: list[ProtectionRule]) -> None:
        self.rules = sorted(rules, key=lambda rule: rule.specificity, reverse=True)

    @classmethod
    def load(cls) -> ProtectionPolicy:
        return cls(list(ProtectionRule.objects.all()))

    def rule_for(self, stock_point: StockPoint, sku: Sku) -> ProtectionRule | None:
        """The rule that applies to the pair (the reason for its protection), if any."""
        return next((rule for rule in self.rules if RuleScope.of(rule).matches(stock_point, sku)), None)

    def for_level(self, stock_point: StockPoint, sku: Sku) -> tuple[int, int]:
        """(units, percent) of the most specific rule matching the pair, else (0, 0)."""
        rule = self.rule_for(stock_point, sku)
        return (rule.units, rule.percent) if rule is not None else (0, 0)
