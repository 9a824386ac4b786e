"""Channel allocation rules (which stock points feed a channel, with what share).
Availability reads them live, so a change takes effect on commit."""

from __future__ import annotations

from django.db import transaction

from inventory.models import ChannelAllocation


def save_channel_allocation(rule: ChannelAllocation) -> ChannelAllocation:
    rule.full_clean()
    with transaction.atomic():
        rule.save()
    return rule


def delete_channel_allocation(rule: ChannelAllocation) -> None:
    with transaction.atomic():
        rule.delete()
