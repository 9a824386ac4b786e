"""Future stock: purchase orders and transfers expected at a stock point."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import FutureStock, MovementReason, StockMovement
from inventory.services.movements import record_movement
from oms.core.actors import Actor
from oms.core.errors import Conflict


def save_future_stock(incoming: FutureStock) -> FutureStock:
    incoming.full_clean()
    with transaction.atomic():
        incoming.save()
    return incoming


def receive_future_stock(incoming_id: int, *, actor: Actor) -> StockMovement:
    """The expected units arrived: they become on hand (a receipt in the ledger)."""
    with transaction.atomic():
        incoming = (
            FutureStock.objects.select_for_update().select_related("sku", "stock_point").get(pk=incoming_id)
        )
        if incoming.is_received:
            raise Conflict(_("This delivery was already received."))
        incoming.is_received = True
        incoming.save(update_fields=["is_received"])
        return record_movement(
            incoming.sku.code,
            incoming.stock_point.code,
            incoming.quantity,
            reason=MovementReason.RECEIPT,
            actor=actor,
            reference=incoming.reference,
        )
