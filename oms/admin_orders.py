"""Head office's admin of the order domain: sales channels and review rules
(changed through `oms.services.master_data`), customers (only their flag can be
changed) and orders, read-only with their lines, payments and timeline: orders
change through the order screens and the API, never here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from oms.models import Channel, Customer, Order, OrderLine, Payment, ReviewRule
from oms.orders.selectors import describe_entry
from oms.services.master_data import (
    check_review_rule,
    delete_review_rule,
    flag_customer,
    save_channel,
    save_review_rule,
)


class ChannelFilter(admin.RelatedFieldListFilter):
    """The channel filter, titled in the reader's language (the foreign keys to
    Channel carry no translated name)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("channel")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Channels -----------------------------------------------------------------------


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order_prefix", "accepts_preorders", "is_active", "order_count"]
    list_filter = ["is_active", "accepts_preorders"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Channel]:
        return super().get_queryset(request).annotate(order_count=Count("orders"))

    @admin.display(description=_("orders"), ordering="order_count")
    def order_count(self, channel: Channel) -> int:
        return channel.order_count

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # orders keep their channel: deactivate it instead

    def save_model(self, request, obj, form, change):
        save_channel(obj)


# --- Review rules -------------------------------------------------------------------


class ReviewRuleForm(forms.ModelForm):
    class Meta:
        model = ReviewRule
        fields = ["kind", "threshold", "channel", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned and "threshold" in cleaned:
            try:
                check_review_rule(ReviewRule(kind=cleaned["kind"], threshold=cleaned["threshold"]))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    form = ReviewRuleForm
    list_display = ["__str__", "kind", "threshold", "channel_label", "is_active"]
    list_filter = ["kind", "is_active", ("channel", ChannelFilter)]
    list_select_related = ["channel"]

    @admin.display(description=_("channel"), ordering="channel__code")
    def channel_label(self, rule: ReviewRule) -> str:
        return str(rule.channel) if rule.channel_id else _("every channel")

    def save_model(self, request, obj, form, change):
        save_review_rule(obj)

    def delete_model(self, request, obj):
        delete_review_rule(obj)

    def delete_queryset(self, request, queryset: QuerySet):
        for rule in list(queryset):
            delete_review_rule(rule)


# --- Customers ----------------------------------------------------------------------


class CustomerOrderInline(ReadOnlyInline):
    model = Order
    fields = ["order_link", "channel", "status", "total_amount", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at"]
    verbose_name_plural = _("orders")

    @admin.display(description=_("number"))
    def order_link(self, order: Order) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:oms_order_change", args=[order.pk]), order.number
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("channel")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Customers are created by order capture; head office only flags them (their
    orders then go to review)."""

    list_display = ["__str__", "email", "phone", "language", "is_flagged", "order_count", "created_at"]
    list_filter = ["is_flagged", "language"]
    search_fields = ["email", "phone", "last_name", "first_name", "orders__number"]
    fields = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "language",
        "is_flagged",
        "flag_reason",
        "created_at",
    ]
    readonly_fields = ["first_name", "last_name", "email", "phone", "language", "created_at"]
    inlines = [CustomerOrderInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return super().get_queryset(request).annotate(order_count=Count("orders"))

    @admin.display(description=_("orders"), ordering="order_count")
    def order_count(self, customer: Customer) -> int:
        return customer.order_count

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        flag_customer(
            Customer.objects.get(pk=obj.pk),
            is_flagged=form.cleaned_data["is_flagged"],
            reason=form.cleaned_data["flag_reason"],
        )


# --- Orders -------------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["line_number", "sku", "quantity", "cancelled_quantity", "unit_price", "status", "is_preorder"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["provider", "reference", "authorised_amount", "captured_amount", "refunded_amount", "status"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: head office looks orders up here; customer service acts on them
    in the order screens (the link on each order)."""

    list_display = [
        "number",
        "customer_name",
        "status",
        "total_amount",
        "created_at",
    ]
    list_filter = ["status", ("channel", ChannelFilter), "delivery_method", "created_at"]
    list_select_related = ["channel", "customer"]
    search_fields = [
        "number",
        "external_reference",
        "customer__email",
        "customer__last_name",
        "ship_postal_code",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [OrderLineInline, PaymentInline]
    fieldsets = [
        (None, {"fields": ["screen_link", "number", "channel", "external_reference", "customer", "status"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "delivery_method",
                    "delivery_service",
                    "pickup_store",
                    "ship_name",
                    ("ship_postal_code", "ship_city", "ship_country"),
                    "promised_date",
                    "hold_until",
                ]
            },
        ),
        (_("Amounts"), {"fields": ["currency", "total_amount", "shipping_amount"]}),
        (_("Timeline"), {"fields": ["timeline"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [
            field
            for fieldset in self.fieldsets
            for row in fieldset[1]["fields"]
            for field in (row if isinstance(row, tuple) else (row,))
        ]

    @admin.display(description=_("customer"), ordering="customer__last_name")
    def customer_name(self, order: Order) -> str:
        return str(order.customer)

    @admin.display(description=_("order screen"))
    def screen_link(self, order: Order) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("orders:detail", args=[order.number]),
            _("Open in the order screens"),
        )

    @admin.display(description=_("timeline"))
    def timeline(self, order: Order) -> SafeString:
        items = [describe_entry(entry) for entry in order.timeline.order_by("created_at", "id")]
        return render_to_string("admin/oms/_timeline.html", {"items": items})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
