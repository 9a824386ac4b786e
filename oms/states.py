"""The state machines of orders, order lines and payments: the states and,
beside them, the one table of allowed transitions. `oms.services.transitions` is
the only place that changes a status, and it checks these tables.
Diagram: docs/order-states.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryMethod(models.TextChoices):
    HOME_DELIVERY = "home_delivery", _("Home delivery")
    CLICK_AND_COLLECT = "click_and_collect", _("Click & collect")
    SHIP_TO_STORE = "ship_to_store", _("Ship to store")
    E_RESERVATION = "e_reservation", _("E-reservation")


COLLECTION_METHODS = {
    DeliveryMethod.CLICK_AND_COLLECT,
    DeliveryMethod.SHIP_TO_STORE,
    DeliveryMethod.E_RESERVATION,
}


class OrderStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_FULFILMENT = "in_fulfilment", _("In fulfilment")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    READY_FOR_COLLECTION = "ready_for_collection", _("Ready for collection")
    COLLECTED = "collected", _("Collected")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


S = OrderStatus
ORDER_TRANSITIONS: dict[str, set[str]] = {
    S.AWAITING_REVIEW: {S.CONFIRMED, S.CANCELLED},
    S.CONFIRMED: {S.IN_FULFILMENT, S.READY_FOR_COLLECTION, S.CANCELLED, S.EXPIRED},
    S.IN_FULFILMENT: {
        S.PARTIALLY_SHIPPED,
        S.SHIPPED,
        S.READY_FOR_COLLECTION,
        S.PAYMENT_FAILED,
        S.CANCELLED,
        S.EXPIRED,
    },
    S.PARTIALLY_SHIPPED: {S.SHIPPED, S.PAYMENT_FAILED},
    S.READY_FOR_COLLECTION: {S.COLLECTED, S.PAYMENT_FAILED, S.CANCELLED, S.EXPIRED},
    # After a successful retry the order goes back where it was when the capture failed.
    S.PAYMENT_FAILED: {
        S.IN_FULFILMENT,
        S.READY_FOR_COLLECTION,
        S.PARTIALLY_SHIPPED,
        S.SHIPPED,
        S.COLLECTED,
        S.CANCELLED,
    },
    S.SHIPPED: set(),
    S.COLLECTED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
}
# Before anything left a stock point, an order (or some of its lines) can be cancelled.
CANCELLABLE = {S.AWAITING_REVIEW, S.CONFIRMED, S.IN_FULFILMENT, S.READY_FOR_COLLECTION}
# Customer service may still change the delivery details.
EDITABLE = {S.AWAITING_REVIEW, S.CONFIRMED}
ACTIVE = set(ORDER_TRANSITIONS) - {S.SHIPPED, S.COLLECTED, S.CANCELLED, S.EXPIRED}


class LineStatus(models.TextChoices):
    OPEN = "open", _("Reserved")
    BACKORDERED = "backordered", _("Pre-ordered")
    ALLOCATED = "allocated", _("Allocated")
    SHIPPED = "shipped", _("Shipped")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


L = LineStatus
LINE_TRANSITIONS: dict[str, set[str]] = {
    # A line starts OPEN; capture moves it to BACKORDERED when its units are held
    # on incoming stock (a pre-order).
    L.OPEN: {L.BACKORDERED, L.ALLOCATED, L.CANCELLED, L.EXPIRED},
    L.BACKORDERED: {L.OPEN, L.ALLOCATED, L.CANCELLED},
    L.ALLOCATED: {L.SHIPPED, L.COLLECTED, L.OPEN, L.CANCELLED, L.EXPIRED},
    L.SHIPPED: set(),
    L.COLLECTED: set(),
    L.CANCELLED: set(),
    L.EXPIRED: set(),
}
LINE_CANCELLABLE = {L.OPEN, L.BACKORDERED, L.ALLOCATED}


class PaymentStatus(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    PARTIALLY_CAPTURED = "partially_captured", _("Partially captured")
    CAPTURED = "captured", _("Captured")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    VOIDED = "voided", _("Voided")
    CAPTURE_FAILED = "capture_failed", _("Capture failed")


P = PaymentStatus
# A payment starts AUTHORISED. The amounts decide the status after each answer of
# the provider (oms.services.payments); an unresolved failed capture wins.
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    P.AUTHORISED: {P.PARTIALLY_CAPTURED, P.CAPTURED, P.CAPTURE_FAILED, P.VOIDED},
    P.PARTIALLY_CAPTURED: {P.CAPTURED, P.PARTIALLY_REFUNDED, P.REFUNDED, P.CAPTURE_FAILED},
    P.CAPTURED: {P.PARTIALLY_REFUNDED, P.REFUNDED},
    P.PARTIALLY_REFUNDED: {P.REFUNDED, P.CAPTURE_FAILED},
    # Captured again after a full refund (another shipment of the order).
    P.REFUNDED: {P.PARTIALLY_REFUNDED, P.CAPTURE_FAILED},
    P.CAPTURE_FAILED: {P.PARTIALLY_CAPTURED, P.CAPTURED, P.PARTIALLY_REFUNDED, P.REFUNDED, P.VOIDED},
    P.VOIDED: set(),
}
