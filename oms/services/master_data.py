"""Head office's settings of the order domain, changed from the admin: sales
channels, review rules and customer flags. Each write validates with the models'
own validators (`full_clean`), so a bad value is refused with the same message
wherever it comes from."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from oms.models import Channel, Customer, ReviewRule


@transaction.atomic
def save_channel(channel: Channel) -> Channel:
    """Create or change a channel. Channels are deactivated, never deleted: orders
    keep their channel."""
    channel.full_clean()
    channel.save()
    return channel


def check_review_rule(rule: ReviewRule) -> None:
    """An amount rule needs a positive threshold; the other kinds take none."""
    if rule.kind == ReviewRule.Kind.AMOUNT_OVER:
        if rule.threshold is None or rule.threshold <= Decimal("0"):
            raise ValidationError(
                {"threshold": _("An amount rule needs a threshold above zero.")}, code="threshold_required"
            )
    elif rule.threshold is not None:
        raise ValidationError(
            {"threshold": _("Only an amount rule takes a threshold: leave it empty.")}, code="no_threshold"
        )


@transaction.atomic
def save_review_rule(rule: ReviewRule) -> ReviewRule:
    """Create or change a review rule; orders captured from now on are judged by it
    (orders already waiting stay in the queue)."""
    rule.full_clean()
    check_review_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def delete_review_rule(rule: ReviewRule) -> None:
    rule.delete()


@transaction.atomic
def flag_customer(customer: Customer, *, is_flagged: bool, reason: str = "") -> Customer:
    """Flag a customer (their next orders go to review) or clear the flag (the
    reason goes with it)."""
    customer.is_flagged = is_flagged
    customer.flag_reason = reason if is_flagged else ""
    customer.full_clean()
    customer.save(update_fields=["is_flagged", "flag_reason"])
    return customer
