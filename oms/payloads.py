"""What an event says about an order, for webhook subscribers and notifications."""

from __future__ import annotations

from oms.models import Order, OrderLine


def order_event_payload(order: Order, *, lines: list[OrderLine] | None = None) -> dict[str, object]:
    """`lines`: the order's lines with their SKUs, when the caller has them at hand."""
    if lines is None:
        lines = list(order.lines.select_related("sku").order_by("line_number"))
    return {
        "order": order.number,
        "status": order.status,
        "channel": order.channel.code,
        "external_reference": order.external_reference,
        "delivery_method": order.delivery_method,
        "pickup_store": order.pickup_store.code if order.pickup_store_id else None,
        "total": f"{order.total_amount:.2f}",
        "currency": order.currency,
        "customer": {"email": order.customer.email, "language": order.customer.language},
        "lines": [
            {
                "line": line.line_number,
                "sku": line.sku.code,
                "quantity": line.open_quantity,
                "status": line.status,
            }
            for line in lines
        ],
    }
