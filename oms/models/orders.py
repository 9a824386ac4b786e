"""Channels, customers, orders and their lines, payments and the order timeline.

Statuses change only through `oms.services.transitions`, which checks the tables
in `oms.states` and writes the timeline entry in the same transaction."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.models import CODE_VALIDATOR, Sku, StockPoint, validate_channel
from oms.core.countries import validate_country_code
from oms.states import DeliveryMethod, LineStatus, OrderStatus, PaymentStatus

# Channels are data, but the usual ones (the demo's) have a name in each language.
CHANNEL_NAMES = {
    "web": _("Web shop"),
    "app": _("Mobile app"),
    "store": _("Stores (order in store)"),
    "call_centre": _("Call centre"),
}


class Channel(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[validate_channel])
    name = models.CharField(_("name"), max_length=100)
    accepts_preorders = models.BooleanField(
        _("accepts pre-orders"), default=False, help_text=_("Orders may wait for incoming stock.")
    )
    order_prefix = models.CharField(
        _("order number prefix"), max_length=8, default="", blank=True, validators=[CODE_VALIDATOR]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The channel's name in the reader's language when it is a known one."""
        return str(CHANNEL_NAMES[self.code]) if self.code in CHANNEL_NAMES else self.name


class Customer(models.Model):
    """One person across channels, found again by e-mail or phone."""

    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    is_flagged = models.BooleanField(_("flagged"), default=False, help_text=_("Orders go to review."))
    flag_reason = models.CharField(_("why flagged"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone


class OrderQuerySet(models.QuerySet):
    def awaiting_review(self) -> OrderQuerySet:
        return self.filter(status=OrderStatus.AWAITING_REVIEW)

    def with_details(self) -> OrderQuerySet:
        return self.select_related("channel", "customer", "pickup_store").prefetch_related(
            "lines__sku", "payments", "timeline"
        )


class Order(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="orders")
    external_reference = models.CharField(_("channel reference"), max_length=128, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, db_index=True)
    delivery_method = models.CharField(_("delivery method"), max_length=24, choices=DeliveryMethod.choices)
    delivery_service = models.CharField(_("delivery service"), max_length=64, blank=True)
    pickup_store = models.ForeignKey(
        StockPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="pickup_orders"
    )
    ship_name = models.CharField(_("recipient"), max_length=200, blank=True)
    ship_line1 = models.CharField(_("address"), max_length=200, blank=True)
    ship_line2 = models.CharField(_("address (cont.)"), max_length=200, blank=True)
    ship_postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    ship_city = models.CharField(_("city"), max_length=100, blank=True)
    ship_country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country_code]
    )
    ship_latitude = models.FloatField(null=True, blank=True)
    ship_longitude = models.FloatField(null=True, blank=True)
    billing_postal_code = models.CharField(_("billing postal code"), max_length=16, blank=True)
    billing_country = models.CharField(
        _("billing country"), max_length=2, blank=True, validators=[validate_country_code]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total_amount = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    shipping_amount = models.DecimalField(
        _("shipping"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    promised_date = models.DateField(_("promised for"), null=True, blank=True)
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True, db_index=True)
    # [{"code": <ReviewReason>, ...its data}], as `oms.timeline.review_reason()` builds them.
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    # The fingerprint of the capture request: the same order sent again (same channel,
    # same external reference, same body) gives this order back; another body is refused.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["channel", "external_reference"], name="order_channel_ref")]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_gte_0"),
            # One order per reference of the channel's own system (when it sends one).
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference=""),
                name="order_channel_external_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField(_("line"))
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    cancelled_quantity = models.PositiveIntegerField(_("cancelled"), default=0)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=LineStatus.choices)
    is_preorder = models.BooleanField(_("pre-order"), default=False)
    promised_date = models.DateField(_("promised for"), null=True, blank=True)

    class Meta:
        ordering = ["order", "line_number"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_number_unique"),
            models.CheckConstraint(
                condition=Q(cancelled_quantity__lte=F("quantity")), name="order_line_cancelled_lte_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.cancelled_quantity

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.open_quantity

    @property
    def reservation_reference(self) -> str:
        """The key of this line's stock holds in `inventory.Reservation`."""
        return reservation_reference(self.order.number, self.line_number)


def reservation_reference(order_number: str, line_number: int) -> str:
    return f"{order_number}/{line_number}"


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(_("provider"), max_length=32)
    reference = models.CharField(_("authorisation reference"), max_length=128)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    authorised_amount = models.DecimalField(_("authorised"), max_digits=12, decimal_places=2)
    captured_amount = models.DecimalField(
        _("captured"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    refunded_amount = models.DecimalField(
        _("refunded"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(captured_amount__lte=F("authorised_amount")),
                name="payment_captured_lte_authorised",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("captured_amount")), name="payment_refunded_lte_captured"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference}"

    @property
    def capturable(self) -> Decimal:
        return self.authorised_amount - self.captured_amount

    @property
    def refundable(self) -> Decimal:
        return self.captured_amount - self.refunded_amount


class PaymentOperation(models.Model):
    """One call to the payment provider (capture, refund, void, partial void), kept with its outcome,
    who asked for it and why. `key` makes the call idempotent at the provider."""

    class Kind(models.TextChoices):
        AUTHORISE = "authorise", _("Authorisation")
        CAPTURE = "capture", _("Capture")
        REFUND = "refund", _("Refund")
        VOID = "void", _("Void")
        PARTIAL_VOID = "partial_void", _("Partial void")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="operations")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    provider_reference = models.CharField(_("provider reference"), max_length=128, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # Who asked and why travel with the row, not only with the task: an operation
    # re-run by the beat job after its task was lost keeps both.
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payment operation")
        verbose_name_plural = _("payment operations")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.outcome})"


class TimelineKind(models.TextChoices):
    """What a timeline entry records. Each kind has one factory and one reader in
    `oms.timeline`."""

    ORDER_CREATED = "order_created", _("Order created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    STOCK_RESERVED = "stock_reserved", _("Stock reserved")
    PREORDERED = "preordered", _("Pre-ordered")
    HELD_FOR_REVIEW = "held_for_review", _("Held for review")
    REVIEW_RELEASED = "review_released", _("Released from review")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    LINES_CANCELLED = "lines_cancelled", _("Lines cancelled")
    HOLD_EXPIRED = "hold_expired", _("E-reservation expired")
    STOCK_RELEASED = "stock_released", _("Stock released")
    PAYMENT_AUTHORISED = "payment_authorised", _("Payment authorised")
    PAYMENT_CAPTURE = "payment_capture", _("Capture")
    PAYMENT_REFUND = "payment_refund", _("Refund")
    PAYMENT_VOID = "payment_void", _("Void")
    PAYMENT_PARTIAL_VOID = "payment_partial_void", _("Partial void")
    NOTE = "note", _("Note")


class StatusReason(models.TextChoices):
    """Why an order changed status (or released stock). Its data (the customer's
    words, the provider's error) is stored beside it, never inside it."""

    SOURCED = "sourced", _("stock points chosen for every line")
    REVIEW_RELEASED = "review_released", _("released after review")
    E_RESERVATION_EXPIRED = "e_reservation_expired", _("not collected before the deadline")
    ORDER_CANCELLED = "order_cancelled", _("cancelled on request")
    CAPTURE_FAILED = "capture_failed", _("the payment could not be captured")
    CAPTURE_RETRIED = "capture_retried", _("payment captured after a retry")


class ReviewReason(models.TextChoices):
    """Why an order waits for review: the kind of the rule it matched. Stored as
    {"code": ..., "threshold": "400.00"} (the threshold for amount_over only)."""

    AMOUNT_OVER = "amount_over", _("Amount over a threshold")
    ADDRESS_MISMATCH = "address_mismatch", _("Billing and shipping addresses differ")
    FLAGGED_CUSTOMER = "flagged_customer", _("Flagged customer")


class TimelineEntry(models.Model):
    """Everything that happened to an order, in order. Created only by the factory
    functions of `oms.timeline`."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=40, choices=TimelineKind.choices)
    actor = models.CharField(_("actor"), max_length=150)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class IdempotencyKey(models.Model):
    """An order creation request, by the key its client sent: the same key with the
    same body returns the same order; with another body it is refused."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")]

    def __str__(self) -> str:
        return self.key


class ReviewRule(models.Model):
    """Orders matching an active rule wait for customer service before sourcing."""

    Kind = ReviewReason

    kind = models.CharField(_("kind"), max_length=20, choices=ReviewReason.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2, null=True, blank=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, help_text=_("Empty: every channel.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("review rule")
        verbose_name_plural = _("review rules")

    def __str__(self) -> str:
        if self.kind == self.Kind.AMOUNT_OVER:
            return f"{self.get_kind_display()} ({self.threshold})"
        return self.get_kind_display()
