"""Protection stock: resolving rules onto stock levels.

The rule fields are copied onto each level (`protection_units`, `protection_percent`)
so that the reservation gate reads one row; the database computes `protection` and
`atp` from them. A rule change re-resolves the levels in its scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from inventory.models import ProtectionRule, Sku, StockLevel, StockPoint
from oms.core.queueing import enqueue_on_commit


@dataclass(frozen=True)
class RuleScope:
    stock_point_kind: str = ""
    stock_point_id: int | None = None
    category: str = ""
    sku_id: int | None = None

    @classmethod
    def of(cls, rule: ProtectionRule) -> RuleScope:
        return cls(rule.stock_point_kind, rule.stock_point_id, rule.category, rule.sku_id)

    def level_filter(self) -> Q:
        condition = Q()
        if self.stock_point_kind:
            condition &= Q(stock_point__kind=self.stock_point_kind)
        if self.stock_point_id:
            condition &= Q(stock_point_id=self.stock_point_id)
        if self.category:
            condition &= Q(sku__category=self.category)
        if self.sku_id:
            condition &= Q(sku_id=self.sku_id)
        return condition


class ProtectionPolicy:
    """All rules in memory, for resolving many new levels at once (feeds)."""

    def __init__(self, rules: list[ProtectionRule]) -> None:
        self.rules = sorted(rules, key=lambda rule: rule.specificity, reverse=True)

    @classmethod
    def load(cls) -> ProtectionPolicy:
        return cls(list(ProtectionRule.objects.all()))

    def for_level(self, stock_point: StockPoint, sku: Sku) -> tuple[int, int]:
        """(units, percent) of the most specific rule matching the pair, else (0, 0)."""
        for rule in self.rules:
            if rule.stock_point_kind and rule.stock_point_kind != stock_point.kind:
                continue
            if rule.stock_point_id and rule.stock_point_id != stock_point.pk:
                continue
            if rule.category and rule.category != sku.category:
                continue
            if rule.sku_id and rule.sku_id != sku.pk:
                continue
            return rule.units, rule.percent
        return 0, 0


def refresh_protection(scopes: list[RuleScope] | None = None) -> int:
    """Re-resolve protection rules onto the levels in the given scopes (all levels
    when None): reset them, then apply every rule from the least to the most
    specific, so the most specific matching rule wins. Returns levels reset."""
    scope_filter = Q()
    if scopes is not None:
        if not scopes:
            return 0
        scope_filter = Q(pk__in=[])
        for scope in scopes:
            scope_filter |= scope.level_filter()
    rules = sorted(ProtectionRule.objects.all(), key=lambda rule: rule.specificity)
    with transaction.atomic():
        touched = StockLevel.objects.filter(scope_filter).update(protection_units=0, protection_percent=0)
        for rule in rules:
            StockLevel.objects.filter(scope_filter).filter(RuleScope.of(rule).level_filter()).update(
                protection_units=rule.units, protection_percent=rule.percent
            )
    return touched


def _schedule_refresh(scopes: list[RuleScope]) -> None:
    from inventory.tasks import refresh_protection_scopes

    payload = [scope.__dict__ for scope in dict.fromkeys(scopes)]
    enqueue_on_commit(refresh_protection_scopes, payload)


def save_protection_rule(rule: ProtectionRule) -> ProtectionRule:
    """Create or change a rule (validated); the levels of its old and new scope are
    re-resolved by a worker once the change is committed. History keeps who/when/what."""
    old_scope = None
    if rule.pk:
        old_scope = RuleScope.of(ProtectionRule.objects.get(pk=rule.pk))
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        _schedule_refresh([scope for scope in (old_scope, RuleScope.of(rule)) if scope is not None])
    return rule


def delete_protection_rule(rule: ProtectionRule) -> None:
    scope = RuleScope.of(rule)
    with transaction.atomic():
        rule.delete()
        _schedule_refresh([scope])
