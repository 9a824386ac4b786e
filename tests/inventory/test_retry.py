"""Lock conflicts are retried: the database answering "deadlock detected" (as
PostgreSQL does to the transaction it aborts) makes the entry point run its whole
transaction again, and a stock task retried by Celery once the service gives up."""

import psycopg.errors
import pytest
from django.db import OperationalError, connection

from inventory.locks import ATTEMPTS
from inventory.models import ProtectionRule, StockLevel, StockMovement
from inventory.services.feeds import FeedItem, apply_feed
from inventory.tasks import refresh_protection_scopes
from tests.inventory.factories import StockLevelFactory, StockPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Deadlocks:
    """The database aborting the first `times` statements that lock or write stock levels."""

    def __init__(self, times: int) -> None:
        self.left = times
        self.raised = 0

    def __call__(self, execute, sql, params, many, context):
        if self.left and "UPDATE" in sql.upper() and "inventory_stocklevel" in sql:
            self.left -= 1
            self.raised += 1
            raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected(
                "deadlock detected"
            )
        return execute(sql, params, many, context)


def test_a_feed_aborted_by_a_deadlock_runs_again_and_applies_once(actor):
    # given
    level = StockLevelFactory(on_hand=4)
    deadlock = Deadlocks(times=1)
    # when
    with connection.execute_wrapper(deadlock):
        result = apply_feed("delta", [FeedItem(level.stock_point.code, level.sku.code, 2)], actor=actor)
    # then
    level.refresh_from_db()
    assert (deadlock.raised, result.applied, level.on_hand) == (1, 1, 6)
    assert StockMovement.objects.count() == 1


def test_other_database_errors_are_not_retried(actor):
    level = StockLevelFactory(on_hand=4)

    def broken(execute, sql, params, many, context):
        if "UPDATE" in sql.upper():
            raise OperationalError("disk full") from psycopg.errors.DiskFull("disk full")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(broken), pytest.raises(OperationalError):
        apply_feed("delta", [FeedItem(level.stock_point.code, level.sku.code, 2)], actor=actor)
    level.refresh_from_db()
    assert level.on_hand == 4


def test_a_protection_refresh_that_keeps_deadlocking_is_retried_by_celery():
    # given: a store rule, and a database that aborts the refresh more often than
    # the service itself tries
    level = StockLevelFactory(on_hand=10, stock_point=StockPointFactory(kind="store"))
    ProtectionRule.objects.create(stock_point_kind="store", units=3)
    deadlock = Deadlocks(times=ATTEMPTS)
    # when
    with connection.execute_wrapper(deadlock):
        outcome = refresh_protection_scopes.apply(args=[[{"stock_point_kind": "store"}]], throw=False)
    # then: the task ran again and resolved the rule
    assert (outcome.successful(), outcome.result, deadlock.raised) == (True, 1, ATTEMPTS)
    assert StockLevel.objects.get(pk=level.pk).protection == 3
