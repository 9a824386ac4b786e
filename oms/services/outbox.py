"""Writing domain events. `record_event` (or `record_events` for several at once) is
called inside the transaction of the change it reports, so the events exist if and
only if the change committed. On commit, their delivery is queued (robustly: with
the broker down, the order still succeeds and the beat job `sweep_outbox` picks the
events up later)."""

from __future__ import annotations

from django.db import transaction

from oms.models import Order, OutboxEvent


def record_event(event_type: str, *, order: Order | None = None, payload: dict[str, object]) -> OutboxEvent:
    [event] = record_events([(event_type, payload)], order=order)
    return event


def record_events(
    events: list[tuple[str, dict[str, object]]], *, order: Order | None = None
) -> list[OutboxEvent]:
    """Write (event type, payload) pairs in one INSERT, in this order, and queue
    them as one message when the transaction commits."""
    created = OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(event_type=event_type, order_number=order.number if order else "", payload=payload)
            for event_type, payload in events
        ]
    )
    # A bound default rather than functools.partial: Django's robust on_commit logs
    # a failure with the callback's __qualname__, which a partial lacks.
    transaction.on_commit(lambda ids=[e.pk for e in created]: _queue_dispatch(ids), robust=True)
    return created


def _queue_dispatch(event_ids: list[int]) -> None:
    from oms.tasks import dispatch_events

    dispatch_events.delay(event_ids)
