"""Orders API: capture (idempotent), read, list with filters, cancel."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from oms.core.actors import actor_of
from oms.core.api.input import ApiView, FilterSet, IsoDateTimeFilter, StrictInput, text_problem
from oms.core.errors import InvalidInput, NotFound
from oms.core.permissions import TokenScopes, channels_of, check_channel, role_of
from oms.core.phones import normalise_phone
from oms.models import ApiScope, Order, Role, TimelineEntry
from oms.orders.serializers import CancelIn, OrderIn, OrderOut, OrderSummaryOut
from oms.services.cancellation import cancel_order
from oms.services.capture import Idempotency, place_order, request_hash
from oms.states import OrderStatus

ORDER_DESK = {Role.INTEGRATION, Role.HEAD_OFFICE, Role.CUSTOMER_SERVICE}


class CanHandleOrders(BasePermission):
    """Integrations, head office and customer service; store staff use their screens."""

    message = "Only integrations, head office and customer service handle orders here."

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated and role_of(request.user) in ORDER_DESK


def visible_orders(request):
    """The orders the request may see: those of its token's channels, if it has any."""
    channels = channels_of(request)
    orders = Order.objects.all()
    return orders if channels is None else orders.filter(channel__code__in=channels)


def order_queryset(request):
    return (
        visible_orders(request)
        .select_related("channel", "customer", "pickup_store")
        .prefetch_related(
            "lines__sku",
            "payments",
            Prefetch("timeline", queryset=TimelineEntry.objects.order_by("created_at", "id")),
        )
    )


class OrderFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    channel = django_filters.CharFilter(field_name="channel__code")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    customer = django_filters.CharFilter(method="by_customer", label="customer e-mail, phone or name")
    external_reference = django_filters.CharFilter()

    class Meta:
        model = Order
        fields = ["status", "channel", "delivery_method", "external_reference"]

    def by_customer(self, queryset, name, value):
        value = value.strip()
        phone = normalise_phone(value) or value
        return queryset.filter(
            Q(customer__email__iexact=value) | Q(customer__phone=phone) | Q(customer__last_name__iexact=value)
        )


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Same key and same body: the same order comes back (200). Same key, other body: 422.",
)


ORDER_EXAMPLES = [
    OpenApiExample(
        "Home delivery",
        request_only=True,
        value={
            "channel": "web",
            "external_reference": "SHOP-1001",
            "customer": {
                "email": "camille.martin@example.fr",
                "first_name": "Camille",
                "last_name": "Martin",
                "phone": "+33612345678",
            },
            "delivery": {
                "method": "home_delivery",
                "service": "standard",
                "address": {
                    "line1": "12 rue de la République",
                    "postal_code": "69002",
                    "city": "Lyon",
                    "country": "FR",
                    "latitude": 45.764,
                    "longitude": 4.8357,
                },
            },
            "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": "19.90"}],
            "payment": {"provider": "sandbox", "reference": "auth-1", "amount": "39.80", "currency": "EUR"},
        },
    ),
    OpenApiExample(
        "Click & collect",
        request_only=True,
        value={
            "channel": "app",
            "customer": {"email": "camille.martin@example.fr", "phone": "+33612345678"},
            "delivery": {"method": "click_and_collect", "pickup_store": "ST-LYON-01"},
            "lines": [{"sku": "SHIRT", "quantity": 1, "unit_price": 29.9}],
            "payment": {"provider": "sandbox", "reference": "auth-2", "amount": 29.9},
        },
    ),
]


class OrderListCreateView(StrictInput, generics.ListAPIView):
    permission_classes = [CanHandleOrders, TokenScopes]
    write_scope = ApiScope.ORDERS_WRITE
    serializer_class = OrderSummaryOut
    filterset_class = OrderFilter

    def get_queryset(self):
        return (
            visible_orders(self.request).select_related("channel", "customer").order_by("-created_at", "-id")
        )

    @extend_schema(
        request=OrderIn,
        parameters=[IDEMPOTENCY_HEADER],
        examples=ORDER_EXAMPLES,
        responses={
            201: OrderOut,
            200: OpenApiResponse(
                OrderOut,
                description="Replay (header Idempotent-Replayed: true): the same Idempotency-Key and body, "
                "or, without a key, the same body under a channel and external_reference already used.",
            ),
            400: OpenApiResponse(description="Invalid order: every problem listed."),
            403: OpenApiResponse(
                description="`insufficient_scope`, or `channel_not_allowed`: not a channel of this token."
            ),
            409: OpenApiResponse(
                description="insufficient_stock: each short line named. duplicate_external_reference: "
                "the channel already placed another order under this external_reference."
            ),
            422: OpenApiResponse(description="Idempotency-Key reused with another body."),
        },
    )
    def post(self, request):
        serializer = OrderIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_channel(request, serializer.validated_data["channel"])
        idempotency = None
        key = request.headers.get("Idempotency-Key", "").strip()
        if key:
            if len(key) > 255:
                raise InvalidInput("The Idempotency-Key header is longer than 255 characters.")
            if text_problem(key):
                raise InvalidInput(f"Idempotency-Key: {text_problem(key)}")
            idempotency = Idempotency(
                client_id=request.user.pk, key=key, request_hash=request_hash(request.data)
            )
        order, created = place_order(
            serializer.to_command(), actor=actor_of(request), idempotency=idempotency
        )
        # A new order comes back from the service with its lines, payments and
        # timeline in hand; a replay is read back like any other order.
        body = OrderOut(order if created else order_queryset(request).get(pk=order.pk)).data
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(
            body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers=headers
        )


class OrderDetailView(StrictInput, generics.RetrieveAPIView):
    permission_classes = [CanHandleOrders, TokenScopes]
    write_scope = ApiScope.ORDERS_WRITE
    serializer_class = OrderOut
    lookup_field = "number"

    def get_queryset(self):
        return order_queryset(self.request)


class OrderCancelView(ApiView):
    permission_classes = [CanHandleOrders, TokenScopes]
    write_scope = ApiScope.ORDERS_WRITE

    @extend_schema(request=CancelIn, responses={200: OrderOut, 409: OpenApiResponse(description="Too late.")})
    def post(self, request, number: str):
        serializer = CancelIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        if channels_of(request) is not None and not visible_orders(request).filter(number=number).exists():
            # Another channel's order does not exist for this token (as in the detail).
            raise NotFound(_("No order %(number)s.") % {"number": number})
        cancel_order(
            number,
            actor=actor_of(request),
            reason=serializer.validated_data["reason"],
            lines=serializer.cancel_lines(),
        )
        return Response(OrderOut(order_queryset(request).get(number=number)).data)
