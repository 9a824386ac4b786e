"""Manual review: rules that hold an order for customer service before sourcing,
and the release of a held order."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import InvalidInput
from oms.models import Customer, EventType, Order, ReviewRule
from oms.payloads import order_event_payload
from oms.services.locks import lock_order
from oms.services.outbox import record_event
from oms.services.transitions import transition_order
from oms.states import OrderStatus


def review_reasons(order: Order, customer: Customer, billing_address) -> list[dict[str, object]]:
    """The active review rules this order matches, as `timeline.review_reason()`
    builds them, by code (empty: no review)."""
    rules = ReviewRule.objects.filter(is_active=True).filter(
        Q(channel__isnull=True) | Q(channel=order.channel_id)
    )
    reasons: dict[tuple[str, str], dict[str, object]] = {}
    for rule in rules:
        if rule.kind == ReviewRule.Kind.AMOUNT_OVER:
            if rule.threshold is not None and order.total_amount > rule.threshold:
                threshold = timeline.money(rule.threshold)
                reasons[(rule.kind, threshold)] = timeline.review_reason(rule.kind, threshold=threshold)
        elif rule.kind == ReviewRule.Kind.FLAGGED_CUSTOMER:
            if customer.is_flagged:
                reasons[(rule.kind, "")] = timeline.review_reason(rule.kind)
        elif _addresses_differ(order, billing_address):
            reasons[(rule.kind, "")] = timeline.review_reason(rule.kind)
    return [reasons[key] for key in sorted(reasons)]


def _addresses_differ(order: Order, billing_address) -> bool:
    if billing_address is None or not order.ship_postal_code:
        return False
    return (
        billing_address.postal_code.replace(" ", "") != order.ship_postal_code.replace(" ", "")
        or billing_address.country.upper() != order.ship_country.upper()
    )


def release_from_review(number: str, *, actor: Actor, note: str) -> Order:
    """Customer service checked the order: it goes on to sourcing. Raises
    InvalidInput without a note, OrderNotFound, IllegalTransition unless held."""
    if not note.strip():
        raise InvalidInput(_("Say why the order is released."))
    with transaction.atomic(durable=True):
        order = lock_order(number)
        transition_order(order, OrderStatus.CONFIRMED, actor=actor, reason="review_released")
        timeline.review_released(order, actor=actor, note=note.strip())
        record_event(EventType.ORDER_CONFIRMED, order=order, payload=order_event_payload(order))
    return order
