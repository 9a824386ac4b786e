"""Notes customer service and head office write on an order's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import InvalidInput
from oms.errors import OrderNotFound
from oms.models import Order, TimelineEntry

MAX_NOTE_LENGTH = 2000


def add_note(number: str, *, actor: Actor, text: str) -> TimelineEntry:
    """Add a note to the order's timeline. Allowed in every status; the text is
    stripped and must be 1 to MAX_NOTE_LENGTH characters (InvalidInput otherwise).
    Raises NotFound for an unknown order."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("Write the note first: it is empty."))
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            _("A note holds %(max)d characters at most; this one has %(n)d.")
            % {"max": MAX_NOTE_LENGTH, "n": len(text)}
        )
    with transaction.atomic(durable=True):
        order = Order.objects.filter(number=number).first()  # no lock: a note changes no state
        if order is None:
            raise OrderNotFound(number)
        return timeline.note_added(order, actor=actor, text=text)
