"""Protection stock: resolving rules onto stock levels.

The rule fields are copied onto each level (`protection_units`, `protection_percent`)
so that the reservation gate reads one row; the database computes `protection` and
`atp` from them. A rule change re-resolves the levels in its scope. Matching is the
policy of `inventory.protection_policy`; the writes are `inventory.services.stock`'s."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from inventory.locks import retry_on_conflict
from inventory.models import ProtectionRule
from inventory.protection_policy import ProtectionPolicy, RuleScope
from inventory.services.stock import resolve_protection
from oms.core.queueing import enqueue_on_commit

__all__ = [
    "ProtectionPolicy",
    "RuleScope",
    "delete_protection_rule",
    "refresh_protection",
    "save_protection_rule",
]


@retry_on_conflict
def refresh_protection(scopes: list[RuleScope] | None = None) -> int:
    """Re-resolve protection rules onto the levels in the given scopes (all levels
    when None), the most specific matching rule winning. Returns levels reset."""
    scope_filter = Q()
    if scopes is not None:
        if not scopes:
            return 0
        scope_filter = Q(pk__in=[])
        for scope in scopes:
            scope_filter |= scope.level_filter()
    rules = list(ProtectionRule.objects.all())
    with transaction.atomic():
        return resolve_protection(scope_filter, rules, lambda rule: RuleScope.of(rule).level_filter())


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
