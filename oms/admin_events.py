"""Admin for the outbox and what it feeds: events, webhook subscriptions, the
webhook delivery log and customer notifications. Logs are read-only; "retry now"
goes through the delivery service."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from oms.models import Notification, OutboxEvent, WebhookDelivery, WebhookSubscription
from oms.services.event_delivery import retry_deliveries_now, retry_notifications_now
from oms.services.webhooks import masked


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "event_type", "order_number", "created_at", "dispatched_at"]
    list_filter = ["event_type", ("dispatched_at", admin.EmptyFieldListFilter)]
    search_fields = ["order_number"]
    date_hierarchy = "created_at"


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    """Subscriptions are managed through the API (by their owner); here they are
    shown, with the secret masked."""

    list_display = ["id", "url", "owner", "event_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    fields = ["owner", "url", "events", "is_active", "masked_secret", "created_at"]

    @admin.display(description=_("events"))
    def event_list(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.events)

    @admin.display(description=_("signing secret"))
    def masked_secret(self, subscription: WebhookSubscription) -> str:
        return masked(subscription.secret)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log."""

    list_display = [
        "id",
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event__event_type"]
    list_select_related = ["event", "subscription"]
    search_fields = ["event__order_number", "subscription__url"]
    actions = ["retry_now"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Read-only rows, but the "retry now" action needs the change permission.
        return obj is None and request.user.has_perm("oms.change_webhookdelivery")

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = retry_deliveries_now(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d delivery queued.", "%(count)d deliveries queued.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "template",
        "to",
        "language",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "template", "language"]
    list_select_related = ["event"]
    search_fields = ["to", "event__order_number"]
    actions = ["retry_now"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and request.user.has_perm("oms.change_notification")

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = retry_notifications_now(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d notification queued.", "%(count)d notifications queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )
