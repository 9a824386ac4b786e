"""The one way to lock an order: its own row only (`of=("self",)`, never the
channel's or the customer's), inside the entry point's transaction. Every order
service takes the order lock here first, then (payments) the payment's row."""

from __future__ import annotations

from oms.errors import OrderNotFound
from oms.models import Order, Payment


def _orders():
    return Order.objects.select_for_update(of=("self",)).select_related("channel", "customer")


def lock_order(number: str) -> Order:
    """Lock and return the order `number`. The caller must be inside a
    transaction. Raises OrderNotFound."""
    order = _orders().filter(number=number).first()
    if order is None:
        raise OrderNotFound(number)
    return order


def try_lock_order(number: str) -> Order | None:
    """Lock the order `number` unless another transaction holds it (None then,
    or when there is no such order): for batch jobs that skip busy orders."""
    return Order.objects.select_for_update(of=("self",), skip_locked=True).filter(number=number).first()


def lock_payment(order: Order) -> Payment | None:
    """Lock the order's payment (the order's lock already held: always in that
    order, so two services cannot deadlock)."""
    return Payment.objects.select_for_update().filter(order=order).order_by("pk").first()
