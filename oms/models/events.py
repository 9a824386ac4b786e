"""The event outbox and what it feeds: webhook subscriptions with their delivery
log, and customer notifications. An event row is written in the same transaction
as the change it reports; workers deliver it afterwards."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ORDER_CREATED = "order.created", "order.created"
    ORDER_HELD_FOR_REVIEW = "order.held_for_review", "order.held_for_review"
    ORDER_CONFIRMED = "order.confirmed", "order.confirmed"
    ORDER_CANCELLED = "order.cancelled", "order.cancelled"
    ORDER_LINES_CANCELLED = "order.lines_cancelled", "order.lines_cancelled"
    ORDER_EXPIRED = "order.expired", "order.expired"
    ORDER_SOURCED = "order.sourced", "order.sourced"
    ORDER_READY_FOR_COLLECTION = "order.ready_for_collection", "order.ready_for_collection"
    ORDER_COLLECTED = "order.collected", "order.collected"
    FULFILMENT_READY = "fulfilment.ready", "fulfilment.ready"
    SHIPMENT_SHIPPED = "shipment.shipped", "shipment.shipped"
    PAYMENT_CAPTURED = "payment.captured", "payment.captured"
    PAYMENT_FAILED = "payment.failed", "payment.failed"
    REFUND_ISSUED = "refund.issued", "refund.issued"
    RETURN_RECEIVED = "return.received", "return.received"


class OutboxEvent(models.Model):
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices, db_index=True)
    order_number = models.CharField(_("order"), max_length=32, blank=True, db_index=True)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(
        _("fanned out at"), null=True, blank=True, help_text=_("When deliveries were created for it.")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} {self.order_number}"


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=80, default=new_signing_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="webhook_deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    queued_until = models.DateTimeField(
        _("queued until"), null=True, blank=True, help_text=_("A message for it is in the queue until then.")
    )
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} ({self.status})"


class Notification(models.Model):
    """An e-mail to a customer about their order."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="notifications")
    template = models.CharField(_("template"), max_length=40)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    queued_until = models.DateTimeField(
        _("queued until"), null=True, blank=True, help_text=_("A message for it is in the queue until then.")
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["event", "template"], name="notification_once")]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"


class JobLease(models.Model):
    """Who runs a beat job now, until when: one sweep at a time across workers
    (a lease, so that a worker killed mid-run does not hold it for ever)."""

    name = models.CharField(max_length=60, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")

    def __str__(self) -> str:
        return self.name
