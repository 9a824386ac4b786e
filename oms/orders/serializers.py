"""Order API shapes (SPEC §5). Input serializers only check shapes and types;
every business rule lives in oms.services.capture."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms.core.api.input import MoneyField, StrictSerializer
from oms.core.countries import CountryCodeField
from oms.models import ReviewReason
from oms.orders.selectors import allocations_of
from oms.services.cancellation import CancelLine
from oms.services.capture import (
    MAX_LINE_QUANTITY,
    MAX_LINES,
    MAX_SHIPPING,
    MAX_UNIT_PRICE,
    AddressInput,
    CustomerInput,
    DeliveryInput,
    LineInput,
    PaymentInput,
    PlaceOrder,
)
from oms.services.payments import amount_to_capture
from oms.states import DeliveryMethod

MONEY = {"max_digits": 12, "decimal_places": 2}


class AddressIn(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = CountryCodeField(any_case=True, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(
        min_value=-90, max_value=90, required=False, allow_null=True, default=None
    )
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True, default=None
    )


class CustomerIn(StrictSerializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["en", "fr"], required=False, allow_blank=True, default="")


class DeliveryIn(StrictSerializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    service = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    pickup_store = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    address = AddressIn(required=False, allow_null=True, default=None)


class LineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    unit_price = MoneyField(max_value=MAX_UNIT_PRICE)


class PaymentIn(StrictSerializer):
    provider = serializers.CharField(max_length=32)
    reference = serializers.CharField(max_length=128)
    amount = MoneyField()
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="EUR")


class OrderIn(StrictSerializer):
    channel = serializers.CharField(max_length=64)
    external_reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    customer = CustomerIn()
    delivery = DeliveryIn()
    lines = LineIn(many=True, allow_empty=False, max_length=MAX_LINES)
    payment = PaymentIn(required=False, allow_null=True, default=None)
    billing_address = AddressIn(required=False, allow_null=True, default=None)
    shipping_amount = MoneyField(max_value=MAX_SHIPPING, required=False, default=Decimal("0"))
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="EUR")
    notes = serializers.ListField(
        child=serializers.CharField(max_length=1000), required=False, default=list, max_length=20
    )

    def to_command(self) -> PlaceOrder:
        data = self.validated_data
        delivery = data["delivery"]
        address = delivery.get("address")
        billing = data.get("billing_address")
        payment = data.get("payment")
        return PlaceOrder(
            channel=data["channel"],
            external_reference=data["external_reference"],
            customer=CustomerInput(**data["customer"]),
            delivery=DeliveryInput(
                method=delivery["method"],
                service=delivery["service"],
                pickup_store=delivery["pickup_store"],
                address=AddressInput(**address) if address else None,
            ),
            lines=[LineInput(**line) for line in data["lines"]],
            payment=PaymentInput(**payment) if payment else None,
            billing_address=AddressInput(**billing) if billing else None,
            shipping_amount=data["shipping_amount"],
            currency=data["currency"],
            notes=data["notes"],
        )


class CancelLineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_LINE_QUANTITY, required=False, allow_null=True, default=None
    )


class CancelIn(StrictSerializer):
    # A ListField, not `many=True`: that would let each line be null too.
    lines = serializers.ListField(
        child=CancelLineIn(), required=False, allow_empty=False, default=None, allow_null=True
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def cancel_lines(self) -> list[CancelLine] | None:
        lines = self.validated_data["lines"]
        return None if lines is None else [CancelLine(**line) for line in lines]


# --- Output ---------------------------------------------------------------------


class AllocationOut(serializers.Serializer):
    stock_point = serializers.CharField()
    quantity = serializers.IntegerField()
    status = serializers.CharField()
    preorder = serializers.BooleanField()


class LineOut(serializers.Serializer):
    line = serializers.IntegerField(source="line_number")
    sku = serializers.CharField(source="sku.code")
    name = serializers.CharField(source="sku.name")
    quantity = serializers.IntegerField()
    cancelled_quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    status = serializers.CharField()
    is_preorder = serializers.BooleanField()
    promised_date = serializers.DateField(allow_null=True)
    allocations = serializers.SerializerMethodField()

    def get_allocations(self, line) -> list[dict]:
        allocations = self.context.get("allocations", {})
        return AllocationOut(allocations.get(line.line_number, []), many=True).data


class PaymentOut(serializers.Serializer):
    provider = serializers.CharField()
    reference = serializers.CharField()
    currency = serializers.CharField()
    status = serializers.CharField()
    authorised_amount = serializers.DecimalField(**MONEY)
    captured_amount = serializers.DecimalField(**MONEY)
    refunded_amount = serializers.DecimalField(**MONEY)
    amount_to_capture = serializers.SerializerMethodField(
        help_text=_("What may still be captured: follows the order's total after each cancellation.")
    )

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_amount_to_capture(self, payment) -> str:
        return f"{amount_to_capture(payment):.2f}"


class TimelineOut(serializers.Serializer):
    kind = serializers.CharField()
    actor = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")
    data = serializers.DictField()


class CustomerOut(serializers.Serializer):
    email = serializers.EmailField()
    phone = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class DeliveryOut(serializers.Serializer):
    method = serializers.CharField(source="delivery_method")
    service = serializers.CharField(source="delivery_service")
    pickup_store = serializers.SerializerMethodField()
    hold_until = serializers.DateTimeField(allow_null=True)
    address = serializers.SerializerMethodField()

    def get_pickup_store(self, order) -> str | None:
        return order.pickup_store.code if order.pickup_store_id else None

    def get_address(self, order) -> dict | None:
        if not order.ship_line1:
            return None
        return {
            "name": order.ship_name,
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "postal_code": order.ship_postal_code,
            "city": order.ship_city,
            "country": order.ship_country,
            "latitude": order.ship_latitude,
            "longitude": order.ship_longitude,
        }


class OrderSummaryOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    channel = serializers.CharField(source="channel.code")
    external_reference = serializers.CharField()
    customer = CustomerOut()
    delivery_method = serializers.CharField()
    total = serializers.DecimalField(source="total_amount", **MONEY)
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewReasonOut(serializers.Serializer):
    code = serializers.ChoiceField(choices=ReviewReason.choices)
    threshold = serializers.CharField(required=False, help_text=_("For amount_over: the rule's threshold."))


class OrderOut(OrderSummaryOut):
    delivery = DeliveryOut(source="*")
    shipping_amount = serializers.DecimalField(**MONEY)
    promised_date = serializers.DateField(allow_null=True)
    review_reasons = ReviewReasonOut(many=True)
    lines = serializers.SerializerMethodField()
    payments = PaymentOut(many=True)
    fulfilments = serializers.SerializerMethodField(
        help_text=_("Parts of the order assigned to stock points.")
    )
    shipments = serializers.SerializerMethodField()
    returns = serializers.SerializerMethodField()
    timeline = TimelineOut(many=True)

    def get_lines(self, order) -> list[dict]:
        return LineOut(order.lines.all(), many=True, context={"allocations": allocations_of(order)}).data

    def get_fulfilments(self, order) -> list[dict]:
        return []

    def get_shipments(self, order) -> list[dict]:
        return []

    def get_returns(self, order) -> list[dict]:
        return []
