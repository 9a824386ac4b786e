"""Named row locks on stock, and the retry of lock conflicts.

One lock order everywhere: the holds (reservations) being released, committed or
moved, then stock levels in primary-key order, then future stock in primary-key
order. Only the rows that change are locked, and only their
own table (`of=("self",)`): locking through a join would also lock the SKU or
stock point rows that every new order line and hold refers to. Each helper is
evaluated with list(): a lazy locking queryset takes no lock. Call inside
transaction.atomic.

Every stock-writing entry point is wrapped in `retry_on_conflict`: a deadlock or a
serialization failure (PostgreSQL aborts one of the transactions) runs the whole
transaction again, so the caller sees the outcome, never the conflict."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import Q

from inventory.models import FutureStock, StockLevel

# SQLSTATE of a deadlock and of a serialization failure: PostgreSQL chose this
# transaction as the one to abort, and running it again is safe.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 4

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def is_lock_conflict(error: BaseException) -> bool:
    cause = error.__cause__ or error.__context__
    return getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES


def retry_on_conflict(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` again (up to ATTEMPTS times, with a short random pause) when the
    database aborted it for a deadlock or a serialization failure. `func` must own
    its transaction: called inside a caller's atomic block it runs once, and the
    conflict goes up to the outermost entry point, which retries the whole."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if attempt == ATTEMPTS or not is_lock_conflict(error):
                    raise
                logger.info("%s: lock conflict, attempt %d again: %s", func.__qualname__, attempt + 1, error)
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)  # noqa: S311 - jitter, not crypto
        raise AssertionError("unreachable")

    return wrapper


def lock_levels(level_ids: Iterable[int]) -> dict[int, StockLevel]:
    ids = sorted(set(level_ids))
    if not ids:
        return {}
    levels = list(StockLevel.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    return {level.pk: level for level in levels}


def lock_levels_of(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """Lock the levels of exactly these (sku id, stock point id) pairs."""
    condition = Q(pk__in=[])
    for sku_id, point_id in sorted(set(pairs)):
        condition |= Q(sku_id=sku_id, stock_point_id=point_id)
    levels = list(StockLevel.objects.select_for_update(of=("self",)).filter(condition).order_by("pk"))
    return {(level.sku_id, level.stock_point_id): level for level in levels}


def lock_levels_where(condition: Q) -> int:
    """Lock the levels matching `condition` (which may name the SKU or stock point
    through a join: only the levels are locked), in primary-key order, without
    fetching them; returns how many."""
    locking = StockLevel.objects.select_for_update(of=("self",)).filter(condition).order_by("pk").values("pk")
    sql, params = locking.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) locked", params)
        return cursor.fetchone()[0]


def lock_feed_levels(cursor) -> None:
    """Lock the levels named by the temporary table `feed_rows` (PostgreSQL)."""
    level = StockLevel._meta.db_table
    cursor.execute(
        f"SELECT count(*) FROM (SELECT l.id FROM {level} l JOIN feed_rows f"
        " ON f.sku_id = l.sku_id AND f.stock_point_id = l.stock_point_id"
        " ORDER BY l.id FOR UPDATE OF l) locked"
    )


def lock_future_stock(future_id: int) -> FutureStock:
    return (
        FutureStock.objects.select_for_update(of=("self",))
        .select_related("sku", "stock_point")
        .get(pk=future_id)
    )
