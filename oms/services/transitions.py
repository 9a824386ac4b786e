"""The one place where order, line and payment statuses change. Each change is checked
against the tables of `oms.states`, made with a conditional UPDATE (so two
concurrent changes cannot both succeed from the same state) and recorded on the
timeline in the same transaction. An illegal change raises IllegalTransition."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import IllegalTransition
from oms.models import Order, OrderLine, Payment
from oms.states import LINE_TRANSITIONS, ORDER_TRANSITIONS, PAYMENT_TRANSITIONS


def can_transition(order: Order, to: str) -> bool:
    return to in ORDER_TRANSITIONS.get(order.status, set())


def transition_order(order: Order, to: str, *, actor: Actor, reason: str = "", **details: object) -> Order:
    """Move `order` to status `to`. The caller holds no lock: the UPDATE only
    succeeds if the status is still the one read. `reason`: a `StatusReason`;
    `details`: its data (a `note`, an `error`), recorded beside it."""
    before = order.status
    if not can_transition(order, to):
        raise IllegalTransition("order", before, to)
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, status=before).update(status=to)
        if updated != 1:
            current = Order.objects.values_list("status", flat=True).get(pk=order.pk)
            raise IllegalTransition("order", current, to)
        order.status = to
        timeline.status_changed(order, actor=actor, before=before, after=to, reason=reason, **details)
    return order


def transition_line(line: OrderLine, to: str) -> OrderLine:
    """Move a line to `to` (recorded by the caller's order-level timeline entry)."""
    before = line.status
    if to not in LINE_TRANSITIONS.get(before, set()):
        raise IllegalTransition("order line", before, to)
    updated = OrderLine.objects.filter(pk=line.pk, status=before).update(status=to)
    if updated != 1:
        current = OrderLine.objects.values_list("status", flat=True).get(pk=line.pk)
        raise IllegalTransition("order line", current, to)
    line.status = to
    return line


def transition_payment(payment: Payment, to: str) -> Payment:
    """Move a payment to `to` (recorded by the caller's payment_* timeline entry);
    staying in the same status changes nothing. The caller holds the payment's lock."""
    before = payment.status
    if to == before:
        return payment
    if to not in PAYMENT_TRANSITIONS.get(before, set()):
        raise IllegalTransition("payment", before, to)
    updated = Payment.objects.filter(pk=payment.pk, status=before).update(
        status=to, updated_at=timezone.now()
    )
    if updated != 1:
        current = Payment.objects.values_list("status", flat=True).get(pk=payment.pk)
        raise IllegalTransition("payment", current, to)
    payment.status = to
    return payment
