"""Sending Celery tasks: the one way every module queues work.

A task is queued after the change it follows up has committed (`enqueue_on_commit`)
or at once from a worker (`enqueue`). Either way a broker that is down or
unreachable never reaches the caller: the send fails fast (see the broker
settings in `oms/settings.py`; no result backend is waited on), a warning is
logged, and the beat job that owns that kind of work picks it up later
(`sweep_outbox` for events, deliveries and e-mails, `resume_payment_operations`
for payment operations, the nightly protection refresh).
"""

from __future__ import annotations

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached: kombu wraps the
# transport's errors in OperationalError; sockets raise OSError (timeouts included).
BROKER_ERRORS = (KombuError, RedisError, OSError)


def enqueue(task: Task, *args: object) -> bool:
    """Queue `task(*args)` now. Returns False, having logged a warning, when the
    broker is unreachable; never raises for it."""
    try:
        task.apply_async(args=args)
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not queue %s%r: the broker is unreachable (%s). Its beat job will pick the work up.",
            task.name,
            args,
            error,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: object) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside
    one); nothing is queued if it rolls back. The arguments are bound now."""

    def send() -> None:
        enqueue(task, *args)

    # Django's robust on_commit names a failing callback by its __qualname__.
    send.__qualname__ = f"enqueue_on_commit[{task.name}]"
    transaction.on_commit(send, robust=True)
