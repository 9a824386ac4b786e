"""E-reservations: held in store without payment until a deadline."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from inventory.locks import retry_on_conflict
from inventory.services.reservations import Release, release_many
from oms import timeline
from oms.core.actors import Actor
from oms.models import EventType, Order
from oms.payloads import order_event_payload
from oms.services.locks import try_lock_order
from oms.services.outbox import record_event
from oms.services.transitions import transition_line, transition_order
from oms.states import LINE_TRANSITIONS, ORDER_TRANSITIONS, DeliveryMethod, LineStatus, OrderStatus

EXPIRY = Actor.system("e-reservation-expiry")
EXPIRABLE = {status for status, targets in ORDER_TRANSITIONS.items() if OrderStatus.EXPIRED in targets}


def expired_holds(now: datetime | None = None):
    return Order.objects.filter(
        delivery_method=DeliveryMethod.E_RESERVATION,
        hold_until__lt=now or timezone.now(),
        status__in=list(EXPIRABLE),
    )


def release_expired_holds(
    *, actor: Actor = EXPIRY, now: datetime | None = None, limit: int = 500
) -> list[str]:
    """Give back the stock of e-reservations whose deadline passed, and record it.
    Safe to run concurrently (locked rows are skipped) and again (idempotent).
    Returns the numbers of the orders expired."""
    expired: list[str] = []
    numbers = list(expired_holds(now).order_by("hold_until").values_list("number", flat=True)[:limit])
    for number in numbers:
        if _expire(number, now=now, actor=actor):
            expired.append(number)
    return expired


@retry_on_conflict
def _expire(number: str, *, now: datetime | None, actor: Actor) -> bool:
    """Expire one e-reservation (one transaction, retried on a lock conflict)."""
    with transaction.atomic(durable=True):
        order = try_lock_order(number)
        if order is None or not expired_holds(now).filter(pk=order.pk).exists():
            return False  # busy with another worker, or no longer expirable
        lines = list(order.lines.select_related("sku"))
        units = sum(release_many([Release(line.reservation_reference) for line in lines]))
        for line in lines:
            if LineStatus.EXPIRED in LINE_TRANSITIONS.get(line.status, set()):
                transition_line(line, LineStatus.EXPIRED)
        timeline.hold_expired(order, actor=actor, held_until=order.hold_until.isoformat())
        timeline.stock_released(order, actor=actor, units=units, reason="e_reservation_expired")
        transition_order(order, OrderStatus.EXPIRED, actor=actor, reason="e_reservation_expired")
        record_event(EventType.ORDER_EXPIRED, order=order, payload=order_event_payload(order))
        return True
