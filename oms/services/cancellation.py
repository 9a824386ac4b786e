"""Cancelling orders, whole or by line, before anything left a stock point.
Cancelling releases the stock held for what is cancelled, in plain sight."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.services.reservations import release_reservations
from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import IllegalTransition, InvalidInput, NotFound
from oms.models import EventType, Order, OrderLine, StatusReason
from oms.payloads import order_event_payload
from oms.services.outbox import record_event
from oms.services.payments import settle_cancelled_order
from oms.services.transitions import transition_line, transition_order
from oms.states import CANCELLABLE, LINE_CANCELLABLE, LineStatus, OrderStatus


@dataclass(frozen=True)
class CancelLine:
    sku: str
    quantity: int | None = None  # None: all that is still open


def get_order_for_update(number: str) -> Order:
    try:
        return (
            Order.objects.select_for_update(of=("self",))
            .select_related("channel", "customer")
            .get(number=number)
        )
    except Order.DoesNotExist:
        raise NotFound(_("No order %(number)s.") % {"number": number}) from None


def cancel_order(
    number: str, *, actor: Actor, reason: str = "", lines: list[CancelLine] | None = None
) -> Order:
    """Cancel the whole order (`lines` None) or some units of some lines. Refused
    (IllegalTransition, nothing changed) once the order or a line has left."""
    with transaction.atomic():
        order = get_order_for_update(number)
        if order.status not in CANCELLABLE:
            raise IllegalTransition("order", order.status, OrderStatus.CANCELLED)
        order_lines = {
            line.sku.code: line for line in order.lines.select_related("sku").order_by("line_number")
        }
        wanted = _what_to_cancel(order_lines, lines)
        cancelled = []
        for line, quantity in wanted:
            released = release_reservations(
                line.reservation_reference, quantity=quantity, sku_code=line.sku.code
            )
            line.cancelled_quantity += quantity
            OrderLine.objects.filter(pk=line.pk).update(cancelled_quantity=line.cancelled_quantity)
            if line.open_quantity == 0:
                transition_line(line, LineStatus.CANCELLED)
            cancelled.append({"sku": line.sku.code, "quantity": quantity, "released": released})
        everything = all(line.status == LineStatus.CANCELLED for line in order_lines.values())
        if everything:
            timeline.order_cancelled(order, actor=actor, reason=reason)
            transition_order(
                order, OrderStatus.CANCELLED, actor=actor, reason=StatusReason.ORDER_CANCELLED, note=reason
            )
            settle_cancelled_order(order, actor=actor)
            record_event(
                EventType.ORDER_CANCELLED,
                order=order,
                payload={**order_event_payload(order), "reason": reason},
            )
        else:
            timeline.lines_cancelled(order, actor=actor, lines=cancelled, reason=reason)
            record_event(
                EventType.ORDER_LINES_CANCELLED,
                order=order,
                payload={**order_event_payload(order), "cancelled": cancelled, "reason": reason},
            )
    return order


def _what_to_cancel(
    order_lines: dict[str, OrderLine], lines: list[CancelLine] | None
) -> list[tuple[OrderLine, int]]:
    if lines is None:
        return [
            (line, line.open_quantity) for line in order_lines.values() if line.status in LINE_CANCELLABLE
        ]
    errors: list[dict[str, object]] = []
    wanted: list[tuple[OrderLine, int]] = []
    for index, request in enumerate(lines):
        line = order_lines.get(request.sku)
        if line is None:
            errors.append(
                {
                    "line": index,
                    "errors": {"sku": _("This order has no line for %(sku)s.") % {"sku": request.sku}},
                }
            )
            continue
        if line.status not in LINE_CANCELLABLE:
            errors.append(
                {
                    "line": index,
                    "errors": {
                        "sku": _("Line %(sku)s is %(status)s: too late to cancel.")
                        % {"sku": request.sku, "status": line.get_status_display()}
                    },
                }
            )
            continue
        quantity = line.open_quantity if request.quantity is None else request.quantity
        if quantity <= 0 or quantity > line.open_quantity:
            errors.append(
                {
                    "line": index,
                    "errors": {
                        "quantity": _("Between 1 and %(n)d units can be cancelled.")
                        % {"n": line.open_quantity}
                    },
                }
            )
            continue
        wanted.append((line, quantity))
    if errors:
        raise InvalidInput(_("Nothing was cancelled."), errors)
    return wanted
