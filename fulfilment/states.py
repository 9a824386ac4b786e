"""The states of a fulfilment order (the part of an order assigned to one stock point)
and the transitions allowed between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FulfilmentStatus(models.TextChoices):
    CREATED = "created", _("To accept")
    ACCEPTED = "accepted", _("To pick")
    PICKED = "picked", _("To pack")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    READY_FOR_COLLECTION = "ready_for_collection", _("Ready for collection")
    COLLECTED = "collected", _("Collected")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


_F = FulfilmentStatus
FULFILMENT_TRANSITIONS: dict[str, set[str]] = {
    _F.CREATED: {_F.ACCEPTED, _F.REJECTED, _F.CANCELLED},
    _F.ACCEPTED: {_F.PICKED, _F.REJECTED, _F.CANCELLED},
    _F.PICKED: {_F.PACKED, _F.READY_FOR_COLLECTION, _F.CANCELLED},
    _F.PACKED: {_F.SHIPPED, _F.CANCELLED},
    _F.READY_FOR_COLLECTION: {_F.COLLECTED, _F.CANCELLED},
    _F.SHIPPED: set(),
    _F.COLLECTED: set(),
    _F.REJECTED: set(),
    _F.CANCELLED: set(),
}
