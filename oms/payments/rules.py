"""The payment rules that need no database write: what is in flight, whether a
failed capture is unresolved, and what customer service may ask of a payment now.
Pure functions over rows already read, shared by `oms.services.payments` (which
judges a request under lock) and the order screen's selector (which offers the
buttons)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from oms.models import Order, Payment, PaymentOperation
from oms.states import PaymentStatus

Kind = PaymentOperation.Kind
Outcome = PaymentOperation.Outcome


@dataclass(frozen=True)
class PaymentChoices:
    """What customer service may ask of a payment now (0: nothing)."""

    refundable: Decimal  # captured, not refunded, less refunds in flight
    capture_to_retry: Decimal  # after an unresolved failed capture: what is left to capture
    to_capture: Decimal  # what may still be captured, captures in flight counted


def payment_choices(payment: Payment, operations: list[PaymentOperation]) -> PaymentChoices:
    """The same rules as `request_refund` and `retry_capture`, judged on the
    payment's operations already in memory (the order screen prefetches them)."""
    none = Decimal("0.00")
    if payment.status == PaymentStatus.VOIDED:
        return PaymentChoices(none, none, none)
    refundable = payment.refundable - pending_amount(operations, Kind.REFUND)
    to_capture = left_to_capture(
        payment.order,
        payment,
        pending_amount(operations, Kind.CAPTURE),
        pending_amount(operations, Kind.PARTIAL_VOID),
    )
    return PaymentChoices(
        refundable=max(refundable, none),
        capture_to_retry=max(to_capture, none) if last_settled_capture_failed(operations) else none,
        to_capture=to_capture,
    )


def left_to_capture(order: Order, payment: Payment, capturing: Decimal, voiding: Decimal) -> Decimal:
    """What may still be captured: never more than the authorisation keeps (less the
    partial voids asked for, `voiding`) nor more than the order's total, less what
    was captured and what is being captured (`capturing`)."""
    ceiling = min(payment.authorised_amount - voiding, order.total_amount)
    return max(ceiling - payment.captured_amount - capturing, Decimal("0.00"))


def pending_amount(operations: Iterable[PaymentOperation], kind: str) -> Decimal:
    """The amount of this kind's operations asked for and not answered yet."""
    pending = (op.amount for op in operations if op.kind == kind and op.outcome == Outcome.PENDING)
    return sum(pending, Decimal("0.00"))


def last_settled_capture_failed(operations: Iterable[PaymentOperation]) -> bool:
    """Whether the newest settled capture (by the order operations were asked
    for) failed: a capture asked before a failure does not resolve it."""
    settled = [op for op in operations if op.kind == Kind.CAPTURE and op.outcome != Outcome.PENDING]
    return bool(settled) and max(settled, key=lambda op: op.pk).outcome == Outcome.FAILED
