"""Cancelling orders, whole or by line, before anything left a stock point.
Cancelling releases the stock held for what is cancelled, in plain sight."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.locks import retry_on_conflict
from inventory.services.reservations import Release, release_many
from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import IllegalTransition, InvalidInput, item_errors
from oms.models import EventType, Order, OrderLine, StatusReason
from oms.payloads import order_event_payload
from oms.services.locks import lock_order
from oms.services.outbox import record_event
from oms.services.payments import settle_cancellation
from oms.services.transitions import transition_line, transition_order
from oms.states import CANCELLABLE, LINE_CANCELLABLE, LineStatus, OrderStatus


@dataclass(frozen=True)
class CancelLine:
    sku: str
    quantity: int | None = None  # None: all that is still open


@retry_on_conflict
def cancel_order(
    number: str, *, actor: Actor, reason: str = "", lines: list[CancelLine] | None = None
) -> Order:
    """Cancel the whole order (`lines` None) or some units of some lines. Refused
    (IllegalTransition, nothing changed) once the order or a line has left;
    OrderNotFound for an unknown number. The total, what may be captured and the
    payment's authorisation follow (`settle_cancellation`)."""
    with transaction.atomic(durable=True):
        order = lock_order(number)
        if order.status not in CANCELLABLE:
            raise IllegalTransition("order", order.status, OrderStatus.CANCELLED)
        order_lines = {
            line.sku.code: line for line in order.lines.select_related("sku").order_by("line_number")
        }
        wanted = _what_to_cancel(order_lines, lines)
        cancelled = []
        # Every line's stock in one call: the levels are locked together, in order.
        releases = release_many(
            [Release(line.reservation_reference, line.sku.code, quantity) for line, quantity in wanted]
        )
        for (line, quantity), released in zip(wanted, releases, strict=True):
            line.cancelled_quantity += quantity
            OrderLine.objects.filter(pk=line.pk).update(cancelled_quantity=line.cancelled_quantity)
            if line.open_quantity == 0:
                transition_line(line, LineStatus.CANCELLED)
            cancelled.append({"sku": line.sku.code, "quantity": quantity, "released": released})
        everything = all(line.status == LineStatus.CANCELLED for line in order_lines.values())
        previous_total = order.total_amount
        _update_total(order, list(order_lines.values()), everything=everything)
        totals = {"total": f"{order.total_amount:.2f}", "previous_total": f"{previous_total:.2f}"}
        if everything:
            timeline.order_cancelled(order, actor=actor, reason=reason)
            transition_order(
                order, OrderStatus.CANCELLED, actor=actor, reason=StatusReason.ORDER_CANCELLED, note=reason
            )
            settle_cancellation(order, actor=actor)
            record_event(
                EventType.ORDER_CANCELLED,
                order=order,
                payload={**order_event_payload(order), **totals, "reason": reason},
            )
        else:
            timeline.lines_cancelled(order, actor=actor, lines=cancelled, reason=reason)
            settle_cancellation(order, actor=actor)
            record_event(
                EventType.ORDER_LINES_CANCELLED,
                order=order,
                payload={**order_event_payload(order), **totals, "cancelled": cancelled, "reason": reason},
            )
    return order


def _update_total(order: Order, lines: list[OrderLine], *, everything: bool) -> None:
    """What the customer pays now: the lines still open and the shipping; nothing
    once the whole order is cancelled."""
    if everything:
        total = Decimal("0.00")
    else:
        total = sum((line.amount for line in lines), Decimal("0.00")) + order.shipping_amount
    if total != order.total_amount:
        Order.objects.filter(pk=order.pk).update(total_amount=total)
        order.total_amount = total


def _what_to_cancel(
    order_lines: dict[str, OrderLine], lines: list[CancelLine] | None
) -> list[tuple[OrderLine, int]]:
    if lines is None:
        return [
            (line, line.open_quantity) for line in order_lines.values() if line.status in LINE_CANCELLABLE
        ]
    errors: list[dict[str, object]] = []
    wanted: list[tuple[OrderLine, int]] = []
    seen: set[str] = set()
    for index, request in enumerate(lines):
        if request.sku in seen:
            errors += item_errors(
                "line",
                index,
                {
                    "sku": _("%(sku)s is asked for twice: give each line once, with all its units.")
                    % {"sku": request.sku}
                },
            )
            continue
        seen.add(request.sku)
        line = order_lines.get(request.sku)
        if line is None:
            errors += item_errors(
                "line", index, {"sku": _("This order has no line for %(sku)s.") % {"sku": request.sku}}
            )
            continue
        if line.status not in LINE_CANCELLABLE:
            errors += item_errors(
                "line",
                index,
                {
                    "sku": _("Line %(sku)s is %(status)s: too late to cancel.")
                    % {"sku": request.sku, "status": line.get_status_display()}
                },
            )
            continue
        quantity = line.open_quantity if request.quantity is None else request.quantity
        if quantity <= 0 or quantity > line.open_quantity:
            errors += item_errors(
                "line",
                index,
                {"quantity": _("Between 1 and %(n)d units can be cancelled.") % {"n": line.open_quantity}},
            )
            continue
        wanted.append((line, quantity))
    if errors:
        raise InvalidInput(_("Nothing was cancelled."), errors)
    return wanted
