"""Stock background jobs. Each takes plain data and calls an idempotent service."""

from celery import shared_task

from inventory.services.protection import RuleScope, refresh_protection


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_protection_scopes(scopes: list[dict]) -> int:
    """Re-resolve protection rules onto the levels of the given scopes."""
    return refresh_protection([RuleScope(**scope) for scope in scopes])


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_all_protection() -> int:
    """Nightly safety net: re-resolve every level."""
    return refresh_protection(None)
