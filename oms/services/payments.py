"""Captures, refunds and voids of an order's payment authorisation.

Each request is written in a transaction (the payment row locked, the amount
checked against what is left, one PaymentOperation with the caller's idempotency
key), and the provider is called after commit by the task
`oms.tasks.execute_payment_operation`, outside any transaction, with that key.
The task hands the provider's answer to `record_operation_result`, which applies
it once: a conditional UPDATE on `outcome="pending"` decides who records it.

A failed capture puts the payment in CAPTURE_FAILED and, where the order's state
allows it, the order in PAYMENT_FAILED (visible, never silently shipped unpaid).
The status the order had before is the `before` of that transition's timeline
entry; a capture asked for after the failure (`retry_capture`) that succeeds
takes the order back to it when ORDER_TRANSITIONS allows.

Each operation row keeps who asked for it (the actor of the result's timeline
entry) and why (the refund.issued event's reason), so an operation re-run by the
beat job after its task was lost is recorded exactly as the first run would be."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import IdempotencyMismatch, IllegalTransition, InvalidInput
from oms.core.queueing import enqueue_on_commit
from oms.errors import NoPayment, NothingToRetry, PaymentAmountRefused
from oms.models import EventType, Order, Payment, PaymentOperation, StatusReason, TimelineEntry
from oms.payloads import order_event_payload
from oms.payments import ProviderResult, get_provider
from oms.payments.rules import last_settled_capture_failed, left_to_capture, pending_amount
from oms.services.locks import lock_order, lock_payment
from oms.services.outbox import record_event
from oms.services.transitions import can_transition, transition_order, transition_payment
from oms.states import OrderStatus, PaymentStatus

Kind = PaymentOperation.Kind
Outcome = PaymentOperation.Outcome
CENT = Decimal("0.01")
# Who records what the provider answered.
PROVIDER = Actor.system("payments")


# --- Requests -------------------------------------------------------------------


def request_capture(number: str, amount: Decimal, *, actor: Actor, key: str) -> PaymentOperation:
    """Capture `amount` of the order's authorisation (one shipment or collection).
    The same `key` again returns the first operation and creates nothing; another
    request under a used key raises IdempotencyMismatch. Raises InvalidInput
    (amount not positive), PaymentAmountRefused (over what is left to capture,
    captures in flight counted) or IllegalTransition (payment voided)."""
    with transaction.atomic(durable=True):
        order, payment = _lock_payment(number)
        return _request(order, payment, Kind.CAPTURE, amount, actor=actor, key=key)


def request_refund(number: str, amount: Decimal, *, actor: Actor, key: str, reason: str) -> PaymentOperation:
    """Refund `amount` to the original payment method; `reason` goes into the
    refund.issued event. Same idempotency and refusals as `request_capture`,
    against what was captured and not yet refunded (refunds in flight counted)."""
    with transaction.atomic(durable=True):
        order, payment = _lock_payment(number)
        return _request(order, payment, Kind.REFUND, amount, actor=actor, key=key, reason=reason)


def request_void(number: str, *, actor: Actor, key: str) -> PaymentOperation:
    """Release the whole authorisation. Refused (IllegalTransition) once anything
    was captured or while a capture is in flight."""
    with transaction.atomic(durable=True):
        order, payment = _lock_payment(number)
        return _request(order, payment, Kind.VOID, payment.authorised_amount, actor=actor, key=key)


def retry_capture(number: str, *, actor: Actor, key: str, amount: Decimal | None = None) -> PaymentOperation:
    """For customer service after a failed capture: a new capture, by default of
    everything left to capture. Raises NothingToRetry unless the payment's last
    settled capture failed. On success the order leaves PAYMENT_FAILED."""
    with transaction.atomic(durable=True):
        order, payment = _lock_payment(number)
        existing = _existing(payment, Kind.CAPTURE, key, amount)
        if existing is not None:
            return existing
        if not _capture_failure_outstanding(payment):
            raise NothingToRetry(order.number, payment.status)
        if amount is None:
            amount = left_to_capture(
                order, payment, _in_flight(payment, Kind.CAPTURE), _in_flight(payment, Kind.PARTIAL_VOID)
            )
        return _request(order, payment, Kind.CAPTURE, amount, actor=actor, key=key)


def settle_cancellation(order: Order, *, actor: Actor) -> list[PaymentOperation]:
    """Make what the payment holds follow the order's total after a cancellation
    (the caller holds the order's row lock and has saved the new total; the
    provider is called after commit):

    - a wholly cancelled order of which nothing was captured: void the authorisation;
    - otherwise, give back the part of the authorisation the new total no longer
      needs (a partial void of what was not captured) and refund what was
      captured beyond the new total.

    Returns the operations asked for (none when there is nothing to settle: no
    payment, already voided, or given back already). The keys name the total
    they settle to, so the same cancellation asked twice gives back once."""
    payment = lock_payment(order)
    if payment is None or payment.status == PaymentStatus.VOIDED:
        return []
    total = order.total_amount
    captures = payment.captured_amount + _in_flight(payment, Kind.CAPTURE)
    if order.status == OrderStatus.CANCELLED and captures == 0:
        if _in_flight(payment, Kind.VOID):
            return []
        void = _request(
            order,
            payment,
            Kind.VOID,
            payment.authorised_amount,
            actor=actor,
            key=f"{order.number}/cancel/void",
        )
        return [void]
    operations = []
    held = payment.authorised_amount - _in_flight(payment, Kind.PARTIAL_VOID)
    to_void = held - max(total, captures)
    if to_void > 0:
        key = f"{order.number}/cancel-to/{_money(total)}/partial-void"
        operations.append(_request(order, payment, Kind.PARTIAL_VOID, to_void, actor=actor, key=key))
    to_refund = captures - total - (payment.refunded_amount + _in_flight(payment, Kind.REFUND))
    to_refund = min(to_refund, payment.refundable - _in_flight(payment, Kind.REFUND))
    if to_refund > 0:
        if order.status == OrderStatus.CANCELLED:
            key, reason = f"{order.number}/cancel/refund", _("Order cancelled")
        else:
            key, reason = f"{order.number}/cancel-to/{_money(total)}/refund", _("Order lines cancelled")
        operations.append(
            _request(order, payment, Kind.REFUND, to_refund, actor=actor, key=key, reason=reason)
        )
    return operations


def amount_to_capture(payment: Payment) -> Decimal:
    """What may still be captured of `payment` (its order's total and the partial
    voids and captures in flight counted): the API's `amount_to_capture`."""
    if payment.status == PaymentStatus.VOIDED:
        return Decimal("0.00")
    return left_to_capture(
        payment.order, payment, _in_flight(payment, Kind.CAPTURE), _in_flight(payment, Kind.PARTIAL_VOID)
    )


def _lock_payment(number: str) -> tuple[Order, Payment]:
    """Lock the order, then its payment: always in that order (as cancellation
    does), so two services cannot deadlock."""
    order = lock_order(number)
    payment = lock_payment(order)
    if payment is None:
        raise NoPayment(number)
    return order, payment


def _existing(payment: Payment, kind: str, key: str, amount: Decimal | None) -> PaymentOperation | None:
    """The operation already made under `key`, re-queued if still pending (the
    first queueing may have been lost). A key used for another request is refused."""
    operation = PaymentOperation.objects.filter(key=key).first()
    if operation is None:
        return None
    if operation.payment_id != payment.pk or operation.kind != kind or amount not in (None, operation.amount):
        raise IdempotencyMismatch()
    if operation.outcome == Outcome.PENDING:
        _queue_execution(operation.pk)
    return operation


def _request(
    order: Order,
    payment: Payment,
    kind: str,
    amount: Decimal,
    *,
    actor: Actor,
    key: str,
    reason: str = "",
) -> PaymentOperation:
    """Check and write one operation. The caller holds the order and payment locks."""
    existing = _existing(payment, kind, key, amount)
    if existing is not None:
        return existing
    _check(order, payment, kind, amount)
    try:
        with transaction.atomic():
            operation = PaymentOperation.objects.create(
                payment=payment,
                kind=kind,
                amount=amount,
                key=key,
                requested_by=actor.label[:150],
                reason=str(reason)[:500],
            )
    except IntegrityError:  # the key was just taken for another payment
        raise IdempotencyMismatch() from None
    _queue_execution(operation.pk)
    return operation


def _check(order: Order, payment: Payment, kind: str, amount: Decimal) -> None:
    if amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidInput(
            _("The amount must be positive, in cents."),
            [{"field": "amount", "detail": _("%(amount)s is not a positive amount.") % {"amount": amount}}],
        )
    if payment.status == PaymentStatus.VOIDED:
        raise IllegalTransition("payment", payment.status, kind)
    if kind == Kind.CAPTURE:
        available = left_to_capture(
            order, payment, _in_flight(payment, Kind.CAPTURE), _in_flight(payment, Kind.PARTIAL_VOID)
        )
    elif kind == Kind.REFUND:
        available = payment.refundable - _in_flight(payment, Kind.REFUND)
    elif kind == Kind.PARTIAL_VOID:
        uncaptured = payment.capturable - _in_flight(payment, Kind.CAPTURE) - _in_flight(payment, kind)
        if amount > uncaptured:
            raise PaymentAmountRefused(kind, amount, uncaptured)
        return
    else:
        if payment.captured_amount or _in_flight(payment, Kind.CAPTURE):
            raise IllegalTransition("payment", payment.status, PaymentStatus.VOIDED)
        return
    if amount > available:
        raise PaymentAmountRefused(kind, amount, available)


def _in_flight(payment: Payment, kind: str) -> Decimal:
    return pending_amount(payment.operations.filter(kind=kind, outcome=Outcome.PENDING), kind)


def _queue_execution(operation_id: int) -> None:
    """Queue the provider call once the request commits (the beat job
    `resume_payment_operations` carries it out if the broker is down)."""
    from oms.tasks import execute_payment_operation

    enqueue_on_commit(execute_payment_operation, operation_id)


# --- Calling the provider and recording its answer --------------------------------


def carry_out_operation(operation_id: int) -> str:
    """Call the provider for a pending operation and record its answer; returns
    the outcome. The caller must not be inside a transaction: no lock is held
    while the provider answers. Safe to run twice: the provider sees the same
    key, and the result is recorded once."""
    operation = PaymentOperation.objects.select_related("payment").get(pk=operation_id)
    if operation.outcome != Outcome.PENDING:
        return operation.outcome
    payment = operation.payment
    provider = get_provider(payment.provider)
    if operation.kind == Kind.CAPTURE:
        result = provider.capture(payment.reference, operation.amount, payment.currency, key=operation.key)
    elif operation.kind == Kind.REFUND:
        result = provider.refund(payment.reference, operation.amount, payment.currency, key=operation.key)
    elif operation.kind == Kind.PARTIAL_VOID:
        result = provider.partial_void(
            payment.reference, operation.amount, payment.currency, key=operation.key
        )
    else:
        result = provider.void(payment.reference, key=operation.key)
    return record_operation_result(operation_id, result).outcome


def record_operation_result(operation_id: int, result: ProviderResult) -> PaymentOperation:
    """Apply the provider's answer to a pending operation: amounts, payment and
    order status, timeline entry (by whoever asked, else the system) and event
    (with the operation's reason), in one transaction. An operation already
    completed is returned unchanged (applied once)."""
    with transaction.atomic(durable=True):
        number = PaymentOperation.objects.values_list("payment__order__number", flat=True).get(
            pk=operation_id
        )
        order = lock_order(number)
        outcome = Outcome.SUCCEEDED if result.succeeded else Outcome.FAILED
        updated = PaymentOperation.objects.filter(pk=operation_id, outcome=Outcome.PENDING).update(
            outcome=outcome,
            provider_reference=result.provider_reference[:128],
            error=result.error[:500],
            completed_at=timezone.now(),
        )
        operation = PaymentOperation.objects.select_related("payment").get(pk=operation_id)
        if updated != 1:
            return operation
        payment = lock_payment(order)
        operation.payment = payment
        timeline.payment_operation(
            order,
            actor=Actor(label=operation.requested_by) if operation.requested_by else PROVIDER,
            kind=operation.kind,
            amount=operation.amount,
            outcome=outcome,
            error=result.error,
        )
        if result.succeeded:
            _apply_success(order, payment, operation, operation.reason)
        else:
            _apply_failure(order, payment, operation, operation.reason)
    return operation


def _apply_success(order: Order, payment: Payment, operation: PaymentOperation, reason: str) -> None:
    if operation.kind == Kind.VOID:
        transition_payment(payment, PaymentStatus.VOIDED)
        return
    if operation.kind == Kind.CAPTURE:
        payment.captured_amount += operation.amount
    elif operation.kind == Kind.REFUND:
        payment.refunded_amount += operation.amount
    else:
        payment.authorised_amount -= operation.amount
    payment.save(update_fields=["authorised_amount", "captured_amount", "refunded_amount", "updated_at"])
    if payment.status != PaymentStatus.VOIDED:  # a partial void answered after the whole void
        transition_payment(payment, _settled_status(order, payment))
    if operation.kind == Kind.PARTIAL_VOID:
        return  # the order.lines_cancelled event already told the new total
    if operation.kind == Kind.CAPTURE:
        if order.status == OrderStatus.PAYMENT_FAILED and payment.status != PaymentStatus.CAPTURE_FAILED:
            _resume_order(order)
        record_event(
            EventType.PAYMENT_CAPTURED,
            order=order,
            payload={
                **_payment_payload(order, payment, operation),
                "captured": _money(payment.captured_amount),
            },
        )
    else:
        record_event(
            EventType.REFUND_ISSUED,
            order=order,
            payload={
                **_payment_payload(order, payment, operation),
                "refunded": _money(payment.refunded_amount),
                "reason": reason,
            },
        )


def _apply_failure(order: Order, payment: Payment, operation: PaymentOperation, reason: str) -> None:
    extra: dict[str, object] = {"error": operation.error}
    if operation.kind == Kind.CAPTURE:
        transition_payment(payment, PaymentStatus.CAPTURE_FAILED)
        extra["order_status_before"] = order.status
        if can_transition(order, OrderStatus.PAYMENT_FAILED):
            transition_order(
                order,
                OrderStatus.PAYMENT_FAILED,
                actor=PROVIDER,
                reason=StatusReason.CAPTURE_FAILED,
                error=operation.error,
            )
    elif operation.kind == Kind.REFUND:
        extra["reason"] = reason
    record_event(
        EventType.PAYMENT_FAILED,
        order=order,
        payload={**_payment_payload(order, payment, operation), **extra},
    )


def _settled_status(order: Order, payment: Payment) -> str:
    """The status the amounts give, unless a failed capture is still unresolved."""
    if _capture_failure_outstanding(payment):
        return PaymentStatus.CAPTURE_FAILED
    if payment.refunded_amount:
        if payment.refunded_amount == payment.captured_amount:
            return PaymentStatus.REFUNDED
        return PaymentStatus.PARTIALLY_REFUNDED
    if payment.captured_amount:
        if payment.captured_amount >= min(payment.authorised_amount, order.total_amount):
            return PaymentStatus.CAPTURED
        return PaymentStatus.PARTIALLY_CAPTURED
    return PaymentStatus.AUTHORISED


def _capture_failure_outstanding(payment: Payment) -> bool:
    newest = payment.operations.filter(kind=Kind.CAPTURE).exclude(outcome=Outcome.PENDING).order_by("-pk")
    return last_settled_capture_failed(newest[:1])


def _resume_order(order: Order) -> None:
    """Take the order back to the status it had before its payment failed, when
    ORDER_TRANSITIONS allows it from PAYMENT_FAILED; otherwise leave it."""
    failure = (
        TimelineEntry.objects.filter(
            order=order, kind="status_changed", data__after=OrderStatus.PAYMENT_FAILED
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    before = failure.data.get("before") if failure is not None else None
    if before and can_transition(order, before):
        transition_order(order, before, actor=PROVIDER, reason=StatusReason.CAPTURE_RETRIED)


def _payment_payload(order: Order, payment: Payment, operation: PaymentOperation) -> dict[str, object]:
    return {
        **order_event_payload(order),
        "kind": operation.kind,
        "operation": operation.key,
        "amount": _money(operation.amount),
        "currency": payment.currency,
        "payment_status": payment.status,
    }


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


# --- Recovery ------------------------------------------------------------------


def stale_pending_operations(*, older_than: timedelta) -> list[int]:
    """Ids of operations still pending after `older_than` (their task was lost,
    e.g. the broker was down at commit): to be carried out again."""
    cutoff = timezone.now() - older_than
    return list(
        PaymentOperation.objects.filter(outcome=Outcome.PENDING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
