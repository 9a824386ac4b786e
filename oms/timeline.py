"""One factory function per kind of timeline entry; nothing else creates them.
Each is called inside the transaction of the change it records. Inside
`batched()`, entries are kept and written together, in order, in one INSERT."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from oms.core.actors import Actor
from oms.models import Order, TimelineEntry

_batch: ContextVar[list[TimelineEntry] | None] = ContextVar("timeline_batch", default=None)


def _entry(order: Order, kind: str, actor: Actor, **data: object) -> TimelineEntry:
    entry = TimelineEntry(order=order, kind=kind, actor=actor.label, data=data)
    batch = _batch.get()
    if batch is None:
        entry.save(force_insert=True)
    else:
        batch.append(entry)
    return entry


@contextmanager
def batched() -> Iterator[list[TimelineEntry]]:
    """The entries recorded in the block are inserted together when it ends (one
    statement instead of one per entry); if the block raises, none is written."""
    entries: list[TimelineEntry] = []
    token = _batch.set(entries)
    try:
        yield entries
    finally:
        _batch.reset(token)
    TimelineEntry.objects.bulk_create(entries)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def order_created(order: Order, *, actor: Actor, channel: str, lines: int) -> TimelineEntry:
    return _entry(order, "order_created", actor, channel=channel, lines=lines)


def status_changed(order: Order, *, actor: Actor, before: str, after: str, reason: str = "") -> TimelineEntry:
    return _entry(order, "status_changed", actor, before=before, after=after, reason=reason)


def stock_reserved(order: Order, *, actor: Actor, holds: list[dict[str, object]]) -> TimelineEntry:
    return _entry(order, "stock_reserved", actor, holds=holds)


def preordered(order: Order, *, actor: Actor, sku: str, quantity: int, promised: str) -> TimelineEntry:
    return _entry(order, "preordered", actor, sku=sku, quantity=quantity, promised_date=promised)


def held_for_review(order: Order, *, actor: Actor, reasons: list[str]) -> TimelineEntry:
    return _entry(order, "held_for_review", actor, reasons=reasons)


def review_released(order: Order, *, actor: Actor, note: str) -> TimelineEntry:
    return _entry(order, "review_released", actor, note=note)


def order_cancelled(order: Order, *, actor: Actor, reason: str) -> TimelineEntry:
    return _entry(order, "order_cancelled", actor, reason=reason)


def lines_cancelled(
    order: Order, *, actor: Actor, lines: list[dict[str, object]], reason: str
) -> TimelineEntry:
    return _entry(order, "lines_cancelled", actor, lines=lines, reason=reason)


def hold_expired(order: Order, *, actor: Actor, held_until: str) -> TimelineEntry:
    return _entry(order, "hold_expired", actor, held_until=held_until)


def stock_released(order: Order, *, actor: Actor, units: int, reason: str) -> TimelineEntry:
    return _entry(order, "stock_released", actor, units=units, reason=reason)


def payment_authorised(
    order: Order, *, actor: Actor, provider: str, reference: str, amount: Decimal
) -> TimelineEntry:
    return _entry(
        order, "payment_authorised", actor, provider=provider, reference=reference, amount=_money(amount)
    )


def payment_operation(
    order: Order, *, actor: Actor, kind: str, amount: Decimal, outcome: str, error: str = ""
) -> TimelineEntry:
    """A capture, refund or void and its outcome (succeeded, failed)."""
    return _entry(order, f"payment_{kind}", actor, amount=_money(amount), outcome=outcome, error=error)


def note_added(order: Order, *, actor: Actor, text: str) -> TimelineEntry:
    return _entry(order, "note", actor, text=text)
