"""Writing domain events. `record_event` is called inside the transaction of the
change it reports, so the event exists if and only if the change committed. On
commit, its delivery is queued (robustly: with the broker down, the order still
succeeds and the beat job `sweep_outbox` picks the event up later)."""

from __future__ import annotations

from django.db import transaction

from oms.models import Order, OutboxEvent


def record_event(event_type: str, *, order: Order | None = None, payload: dict[str, object]) -> OutboxEvent:
    event = OutboxEvent.objects.create(
        event_type=event_type, order_number=order.number if order else "", payload=payload
    )
    # A bound default rather than functools.partial: Django's robust on_commit logs
    # a failure with the callback's __qualname__, which a partial lacks.
    transaction.on_commit(lambda event_id=event.pk: _queue_dispatch(event_id), robust=True)
    return event


def _queue_dispatch(event_id: int) -> None:
    from oms.tasks import dispatch_event

    dispatch_event.delay(event_id)
