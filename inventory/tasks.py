"""Stock background jobs. Each takes plain data and calls an idempotent service.

A job that loses a lock conflict after the service's own retries (or meets the
database briefly unavailable) is retried by Celery with exponential backoff."""

from celery import shared_task
from django.db import OperationalError

from inventory.protection_policy import RuleScope
from inventory.services.protection import refresh_protection

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def refresh_protection_scopes(scopes: list[dict]) -> int:
    """Re-resolve protection rules onto the levels of the given scopes."""
    return refresh_protection([RuleScope(**scope) for scope in scopes])


@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def refresh_all_protection() -> int:
    """Nightly safety net: re-resolve every level."""
    return refresh_protection(None)
