"""Head office's admin for stock master data. Every save goes through a service;
levels, movements and reservations are read-only here (feeds, movements and
orders change them). Rules keep their history (who, when, what)."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from inventory.admin_forms import StockPointAdminForm
from inventory.admin_imports import (
    SkuResource,
    StockFeedImportResource,
    StockLevelExportResource,
    StockPointResource,
)
from inventory.models import (
    ChannelAllocation,
    FutureStock,
    ProtectionRule,
    Reservation,
    Sku,
    StockLevel,
    StockMovement,
    StockPoint,
)
from inventory.services.allocations import delete_channel_allocation, save_channel_allocation
from inventory.services.catalogue import create_sku, create_stock_point, update_sku, update_stock_point
from inventory.services.incoming import receive_future_stock, save_future_stock
from inventory.services.protection import delete_protection_rule, save_protection_rule
from oms.core.actors import actor_of
from oms.core.errors import Conflict


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CsvImportExport(ImportExportMixin):
    """CSV in and out through django-import-export; the rows are written by the
    resource's service, all or nothing, without a separate confirmation step (the
    service checks every row before writing any)."""

    import_formats = [CSV]
    export_formats = [CSV]
    skip_import_confirm = True
    write_permissions: tuple[str, ...] = ()

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(self.write_permissions)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


def _changed(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data}


@admin.register(StockPoint)
class StockPointAdmin(CsvImportExport, SimpleHistoryAdmin):
    resource_classes = [StockPointResource]
    write_permissions = ("inventory.add_stockpoint", "inventory.change_stockpoint")
    list_display = ["code", "name", "kind", "city", "region", "daily_capacity", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["code", "name", "city", "postal_code"]
    readonly_fields = ["created_at", "updated_at"]
    form = StockPointAdminForm
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "region", "is_active"]}),
        (
            _("Address"),
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    ("postal_code", "city", "country"),
                    ("latitude", "longitude"),
                ]
            },
        ),
        (
            _("Services and hours"),
            {"fields": ["services", "opening_hours", "closures"], "classes": ["stock-point-hours"]},
        ),
        (_("Sourcing"), {"fields": ["daily_capacity", "processing_time_hours", "priority"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            update_stock_point(StockPoint.objects.get(pk=obj.pk), **_changed(form))
        else:
            obj.pk = create_stock_point(**form.cleaned_data).pk


@admin.register(Sku)
class SkuAdmin(CsvImportExport, admin.ModelAdmin):
    resource_classes = [SkuResource]
    write_permissions = ("inventory.add_sku", "inventory.change_sku")
    list_display = ["code", "ean", "name", "category", "price", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "ean", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            update_sku(Sku.objects.get(pk=obj.pk), **_changed(form))
        else:
            obj.pk = create_sku(**form.cleaned_data).pk


class StockImportForm(ImportForm):
    mode = forms.ChoiceField(
        label=_("the file gives"),
        choices=[
            ("absolute", _("the counted on hand (absolute)")),
            ("delta", _("changes of on hand (delta)")),
        ],
        initial="absolute",
    )


@admin.register(StockLevel)
class StockLevelAdmin(CsvImportExport, ReadOnlyAdmin):
    """Stock comes in as a feed (columns stock_point, sku, quantity): every change of
    on hand goes to the ledger. Exports list the levels as they stand."""

    import_form_class = StockImportForm
    write_permissions = ("inventory.change_stocklevel", "inventory.add_stockmovement")
    skip_admin_log = True  # the ledger records every change

    def get_import_resource_classes(self, request):
        return [StockFeedImportResource]

    def get_export_resource_classes(self, request):
        return [StockLevelExportResource]

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        if form is not None and form.is_bound and form.is_valid():
            kwargs["mode"] = form.cleaned_data["mode"]
        return kwargs

    list_display = ["sku", "stock_point", "on_hand", "reserved", "protection", "atp", "counted_at"]
    list_select_related = ["sku", "stock_point"]
    list_filter = ["stock_point__kind"]
    search_fields = ["sku__code", "sku__ean", "stock_point__code"]
    show_full_result_count = False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "sku",
        "stock_point",
        "reason",
        "quantity",
        "on_hand_after",
        "actor",
        "reference",
    ]
    list_select_related = ["sku", "stock_point"]
    list_filter = ["reason"]
    search_fields = ["sku__code", "stock_point__code", "reference", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "sku", "stock_point", "channel", "quantity", "status", "expires_at"]
    list_select_related = ["sku", "stock_point"]
    list_filter = ["status", "channel"]
    search_fields = ["reference", "sku__code"]


@admin.register(ProtectionRule)
class ProtectionRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "stock_point_kind",
        "stock_point",
        "category",
        "sku",
        "units",
        "percent",
        "is_override",
    ]
    list_filter = ["stock_point_kind", "category"]
    autocomplete_fields = ["stock_point", "sku"]
    search_fields = ["stock_point__code", "sku__code", "category"]

    @admin.display(boolean=True, description=_("per-level override"))
    def is_override(self, rule: ProtectionRule) -> bool:
        return bool(rule.stock_point_id and rule.sku_id)

    def save_model(self, request, obj, form, change):
        save_protection_rule(obj)

    def delete_model(self, request, obj):
        delete_protection_rule(obj)

    def delete_queryset(self, request, queryset: QuerySet):
        for rule in list(queryset):
            delete_protection_rule(rule)


@admin.register(ChannelAllocation)
class ChannelAllocationAdmin(SimpleHistoryAdmin):
    list_display = ["channel", "stock_point_kind", "stock_point", "is_excluded", "share_percent", "max_units"]
    list_filter = ["channel", "stock_point_kind", "is_excluded"]
    autocomplete_fields = ["stock_point"]

    def save_model(self, request, obj, form, change):
        save_channel_allocation(obj)

    def delete_model(self, request, obj):
        delete_channel_allocation(obj)

    def delete_queryset(self, request, queryset: QuerySet):
        for rule in list(queryset):
            delete_channel_allocation(rule)


@admin.register(FutureStock)
class FutureStockAdmin(SimpleHistoryAdmin):
    list_display = ["sku", "stock_point", "quantity", "reserved", "expected_date", "reference", "is_received"]
    list_select_related = ["sku", "stock_point"]
    list_filter = ["is_received", "stock_point__kind"]
    autocomplete_fields = ["sku", "stock_point"]
    search_fields = ["sku__code", "reference"]
    date_hierarchy = "expected_date"
    # What is held and whether it arrived change only through pre-orders and receipt.
    readonly_fields = ["reserved", "is_received"]
    actions = ["receive"]

    def save_model(self, request, obj, form, change):
        save_future_stock(obj)

    @admin.action(
        description=_("Receive: the units become on hand, pre-orders stay held"), permissions=["change"]
    )
    def receive(self, request, queryset: QuerySet[FutureStock]) -> None:
        received = 0
        for incoming_id in list(queryset.filter(is_received=False).values_list("pk", flat=True)):
            try:
                receive_future_stock(incoming_id, actor=actor_of(request))
            except Conflict:  # received meanwhile by someone else
                continue
            received += 1
        self.message_user(request, _("%(n)d deliveries received.") % {"n": received})
