"""Writing domain events. `record_event` (or `record_events` for several at once) is
called inside the transaction of the change it reports, so the events exist if and
only if the change committed. On commit, their delivery is queued (`enqueue_on_commit`: with
the broker down, the order still succeeds at once and the beat job `sweep_outbox`
picks the events up later)."""

from __future__ import annotations

from oms.core.queueing import enqueue_on_commit
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
    from oms.tasks import dispatch_events

    enqueue_on_commit(dispatch_events, [event.pk for event in created])
    return created
