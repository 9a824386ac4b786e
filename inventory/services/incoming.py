"""Future stock: purchase orders and transfers expected at a stock point."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.locks import retry_on_conflict
from inventory.models import FutureStock, StockMovement
from inventory.services.stock import receive_incoming
from oms.core.actors import Actor
from oms.core.errors import Conflict


def save_future_stock(incoming: FutureStock) -> FutureStock:
    """Create or change expected stock. What is held and whether it arrived are not
    edited here: pre-orders hold it, `receive_future_stock` receives it."""
    incoming.full_clean()
    with transaction.atomic():
        if incoming.pk is None:
            incoming.reserved, incoming.is_received = 0, False
            incoming.save()
        else:
            incoming.save(update_fields=["sku", "stock_point", "quantity", "expected_date", "reference"])
    return incoming


@retry_on_conflict
def receive_future_stock(incoming_id: int, *, actor: Actor) -> StockMovement:
    """The expected units arrived: they become on hand (a receipt in the ledger), and
    the pre-orders held on them are held on the stock level instead, in the same
    transaction: the units are promised once. Refused (Conflict) if already received."""
    with transaction.atomic():
        movement = receive_incoming(incoming_id, actor=actor)
        if movement is None:
            raise Conflict(_("This delivery was already received."))
        return movement
