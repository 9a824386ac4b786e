"""Webhook subscriptions of the calling integration: `/api/v1/webhooks/`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from oms.core.api.input import StrictInput, StrictSerializer
from oms.core.permissions import IsNetworkWriter, TokenScopes
from oms.models import ApiScope, EventType, WebhookSubscription
from oms.services.webhooks import (
    ALL_EVENTS,
    delete_subscription,
    masked,
    subscribe,
    update_subscription,
)


# The service checks URL and events (and names each bad one); the schema says the same.
@extend_schema_field(
    {"type": "string", "format": "uri", "pattern": "^https?://[^@/]+(/|$)", "maxLength": 500}
)
class WebhookUrlField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": [*EventType.values, ALL_EVENTS]},
        "minItems": 1,
    }
)
class EventsField(serializers.ListField):
    pass


class WebhookInputSerializer(StrictSerializer):
    url = WebhookUrlField(
        max_length=500,
        help_text=_("Where events are POSTed: an http(s) URL to a public address, without credentials."),
    )
    events = EventsField(
        child=serializers.CharField(max_length=40),
        help_text=_('Event types such as "order.created", or "*" for every event.'),
    )
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField())
    secret = serializers.SerializerMethodField(
        help_text=_("The signing secret, masked: it is shown once, on creation.")
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "secret", "created_at"]

    def get_secret(self, subscription: WebhookSubscription) -> str:
        return masked(subscription.secret)


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text=_("The signing secret. Keep it: it is never shown again."))


@extend_schema_view(
    create=extend_schema(request=WebhookInputSerializer, responses={201: WebhookCreatedSerializer}),
    partial_update=extend_schema(request=WebhookInputSerializer, responses={200: WebhookSerializer}),
)
class WebhookSubscriptionViewSet(
    StrictInput,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Subscribe to order events. Head office and integrations only; each caller
    sees and changes only its own subscriptions.

    **Delivery.** Each event is POSTed to the subscription's URL as JSON:
    `{"id": <event id>, "type": "order.created", "created_at": "<ISO 8601>", "data": {...}}`
    with the headers `Content-Type: application/json`, `X-OMS-Event` (the type),
    `X-OMS-Delivery` (the delivery id: the same on every retry, use it to drop
    duplicates), `X-OMS-Timestamp` (Unix seconds) and `X-OMS-Signature`.
    Any 2xx answer within 5 seconds means delivered. Anything else is retried
    with exponential backoff (30 s, 1 min, 2 min, … plus up to 10 % jitter)
    and given up after 8 attempts; a redirect is not followed (it counts as a
    failure). Delivery is at least once, not in order. While a receiver cannot
    be reached, its other deliveries wait for the same retry.

    **Destinations.** The URL is an http(s) URL without credentials whose host is,
    and resolves to, public addresses only: loopback, private, link-local (cloud
    metadata), multicast, reserved and unspecified addresses are refused (`400`),
    and checked again at each delivery; a delivery whose host now resolves inside
    the network is given up, with the reason in the delivery log.

    **Signature.** `X-OMS-Signature: sha256=<hex>` where `<hex>` is the
    HMAC-SHA256, keyed with the subscription's `secret`, of the string
    `"<X-OMS-Timestamp>.<raw request body>"`. Recompute it over the raw bytes
    received, compare in constant time, and refuse timestamps more than a few
    minutes old.

    The `secret` is returned in full only by the creation call; later reads show
    it masked.
    """

    permission_classes = [IsNetworkWriter, TokenScopes]
    write_scope = ApiScope.WEBHOOKS_WRITE
    serializer_class = WebhookSerializer

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no caller
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(owner=self.request.user).order_by("pk")

    def create(self, request: Request) -> Response:
        given = WebhookInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        subscription = subscribe(request.user.pk, **given.validated_data)
        return Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        given = WebhookInputSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        subscription = update_subscription(subscription.pk, **given.validated_data)
        return Response(WebhookSerializer(subscription).data)

    def perform_destroy(self, instance: WebhookSubscription) -> None:
        delete_subscription(instance.pk)
