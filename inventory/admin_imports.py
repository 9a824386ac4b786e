"""CSV import and export of SKUs, stock points and stock levels in the admin,
through django-import-export. The library reads the file and renders the
results; the rows are written by our services only (`import_skus`,
`import_stock_points`, the feed's `apply_feed`, which writes the ledger), each all
or nothing: a bad row refuses the whole file and every bad row is listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from inventory.models import Sku, StockLevel, StockPoint
from inventory.services.catalogue import STOCK_POINT_COLUMNS
from inventory.services.feeds import ABSOLUTE, FeedItem, apply_feed
from inventory.services.imports import import_skus, import_stock_points
from oms.core.actors import Actor
from oms.core.errors import DomainError, InvalidInput


def _errors_by_index(error: InvalidInput) -> dict[int, ValidationError]:
    """A service's per-row errors (`{"index", "field"?, "detail"}` items, the one
    error shape) as one ValidationError per row index."""
    by_index: dict[int, dict[str, list[str]]] = {}
    for item in error.errors:
        index = int(item.get("index", item.get("line", 0)) or 0)
        name = str(item.get("field") or NON_FIELD_ERRORS)
        by_index.setdefault(index, {}).setdefault(name, []).append(str(item.get("detail", "")))
    return {index: ValidationError(messages) for index, messages in by_index.items()}


class ServiceImportResource(resources.ModelResource):
    """Reads each row with the resource's widgets, then hands every row at once to
    `write(rows, *, user)`, which each resource defines as one call of its service.
    The library's own row-by-row saving is never used."""

    key = "code"
    write: Callable[..., None]

    def column_widgets(self) -> dict[str, widgets.Widget]:
        return {field.column_name: field.widget for field in self.get_import_fields()}

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs) -> Result:
        result = Result()
        headers = list(dataset.headers or [])
        result.diff_headers = headers
        result.add_dataset_headers(headers)
        known = self.column_widgets()
        rows: list[dict[str, Any]] = []
        raw_rows: list[dict[str, Any]] = []
        for number, values in enumerate(dataset.dict, start=1):
            raw_rows.append(values)
            row: dict[str, Any] = {}
            problems: dict[str, list[str]] = {}
            for column, value in values.items():
                if column not in known:
                    problems.setdefault(column, []).append(_("Unknown column."))
                    continue
                try:
                    cleaned = known[column].clean(value, row=values)
                except (ValueError, TypeError, ArithmeticError):
                    problems.setdefault(column, []).append(
                        _("%(value)s is not valid here.") % {"value": value}
                    )
                    continue
                if cleaned is not None and cleaned != "" or column in self.blank_allowed:
                    row[column] = "" if cleaned is None else cleaned
            if problems:
                result.append_invalid_row(number, values, ValidationError(problems))
            rows.append(row)
        if not result.invalid_rows:
            try:
                existing = self.existing_keys(rows)
                if not dry_run:
                    self.write(rows, user=kwargs.get("user"))
            except InvalidInput as error:
                for index, problem in sorted(_errors_by_index(error).items()):
                    values = raw_rows[index] if 0 <= index < len(raw_rows) else {}
                    result.append_invalid_row(index + 1, values, problem)
                if not result.invalid_rows:
                    result.append_base_error(self.get_error_result_class()(error))
            except DomainError as error:
                result.append_base_error(self.get_error_result_class()(error))
            else:
                self.report_rows(result, rows, existing)
        result.total_rows = len(rows)
        return result

    blank_allowed: tuple[str, ...] = ()

    def existing_keys(self, rows: list[dict[str, Any]]) -> set[str]:
        model = self._meta.model
        keys = [row.get(self.key) for row in rows if row.get(self.key)]
        return set(model.objects.filter(**{f"{self.key}__in": keys}).values_list(self.key, flat=True))

    def report_rows(self, result: Result, rows: list[dict[str, Any]], existing: set[str]) -> None:
        model = self._meta.model
        instances = model.objects.in_bulk([row[self.key] for row in rows], field_name=self.key)
        for row in rows:
            row_result = RowResult()
            row_result.import_type = (
                RowResult.IMPORT_TYPE_UPDATE if row[self.key] in existing else RowResult.IMPORT_TYPE_NEW
            )
            row_result.row_values = row
            row_result.diff = [str(row.get(column, "")) for column in result.diff_headers]
            row_result.instance = instances.get(row[self.key])
            row_result.add_instance_info(row_result.instance)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)


class SkuResource(ServiceImportResource):
    blank_allowed = ("ean", "category")

    class Meta:
        model = Sku
        fields = ["code", "ean", "name", "category", "weight_grams", "price", "is_active"]
        export_order = fields
        import_id_fields = ["code"]
        name = "SKUs"

    def write(self, rows, *, user) -> None:
        import_skus(rows)


class StockPointResource(ServiceImportResource):
    blank_allowed = ("region", "address_line1", "address_line2", "postal_code", "city")
    services = fields.Field(
        attribute="services", column_name="services", widget=widgets.SimpleArrayWidget(separator=";")
    )

    class Meta:
        model = StockPoint
        fields = list(STOCK_POINT_COLUMNS)
        export_order = fields
        import_id_fields = ["code"]
        name = "stock points"

    def write(self, rows, *, user) -> None:
        import_stock_points(rows)


class StockLevelExportResource(resources.ModelResource):
    """Stock levels as they stand: one row per SKU and stock point."""

    stock_point = fields.Field(attribute="stock_point__code", column_name="stock_point")
    sku = fields.Field(attribute="sku__code", column_name="sku")

    class Meta:
        model = StockLevel
        fields = ["stock_point", "sku", "on_hand", "reserved", "protection", "atp", "counted_at"]
        export_order = fields
        name = "stock levels"


class StockFeedImportResource(ServiceImportResource):
    """A stock file (`stock_point,sku,quantity`) applied as a feed: absolute (the
    counted on hand) or delta (a change), each change of on hand in the ledger."""

    stock_point = fields.Field(
        attribute="stock_point", column_name="stock_point", widget=widgets.CharWidget()
    )
    sku = fields.Field(attribute="sku", column_name="sku", widget=widgets.CharWidget())
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=widgets.IntegerWidget())

    class Meta:
        model = StockLevel
        fields = ["stock_point", "sku", "quantity"]
        name = "stock feed"

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs) -> Result:
        self.mode = kwargs.get("mode") or ABSOLUTE
        self.reference = kwargs.get("file_name") or ""
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def existing_keys(self, rows) -> set[str]:
        return set()

    def write(self, rows, *, user) -> None:
        missing = [
            {"index": index, "errors": {name: _("This column is required.")}}
            for index, row in enumerate(rows)
            for name in ("stock_point", "sku", "quantity")
            if name not in row
        ]
        if missing:
            raise InvalidInput(_("Every row needs a stock point, a SKU and a quantity."), missing)
        actor = Actor.of_user(user) if user is not None else Actor.system("admin import")
        items = [
            FeedItem(stock_point=row["stock_point"], sku=row["sku"], quantity=row["quantity"]) for row in rows
        ]
        self.outcome = apply_feed(self.mode, items, actor=actor, reference=f"admin:{self.reference}"[:128])

    def report_rows(self, result, rows, existing) -> None:
        for row in rows:
            row_result = RowResult()
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
            row_result.row_values = row
            row_result.diff = [str(row.get(column, "")) for column in result.diff_headers]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
