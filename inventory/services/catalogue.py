"""Master data arriving from the PIM/ERP or head office: stock points and SKUs.

Values are validated by the models (`full_clean`), so the API, the admin and
imports refuse the same bad input with the same messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from inventory.locks import retry_on_conflict
from inventory.models import Sku, StockPoint
from inventory.services.protection import RuleScope, refresh_protection
from oms.core.errors import Conflict

# What a stock point import or change may set, in the order of a CSV's columns.
STOCK_POINT_COLUMNS = (
    "code",
    "name",
    "kind",
    "region",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "latitude",
    "longitude",
    "services",
    "opening_hours",
    "closures",
    "daily_capacity",
    "processing_time_hours",
    "priority",
    "is_active",
)
STOCK_POINT_FIELDS = frozenset(STOCK_POINT_COLUMNS)
SKU_FIELDS = {"code", "ean", "name", "category", "weight_grams", "price", "is_active"}


def _assign(instance, values: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(instance, name, value)


def _save_new(instance, kind: str) -> None:
    """Insert a validated new row; a racing insert of the same code is a conflict,
    not a crash."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict(
            _("A %(kind)s with code %(code)s already exists.") % {"kind": kind, "code": instance.code}
        ) from None


def create_stock_point(**values: Any) -> StockPoint:
    point = StockPoint()
    _assign(point, values, STOCK_POINT_FIELDS)
    point.full_clean()
    _save_new(point, "stock point")
    return point


@retry_on_conflict  # re-resolves protection: writes stock levels
def update_stock_point(point: StockPoint, **values: Any) -> StockPoint:
    """Change a stock point. A change of kind re-resolves its protection stock."""
    kind_before = point.kind
    _assign(point, values, STOCK_POINT_FIELDS - {"code"})
    point.full_clean()
    with transaction.atomic():
        point.save()
        if point.kind != kind_before:
            refresh_protection([RuleScope(stock_point_id=point.pk)])
    return point


def create_sku(**values: Any) -> Sku:
    sku = Sku()
    _assign(sku, values, SKU_FIELDS)
    if sku.ean == "":
        sku.ean = None
    sku.full_clean()
    _save_new(sku, "SKU")
    return sku


@retry_on_conflict  # re-resolves protection: writes stock levels
def update_sku(sku: Sku, **values: Any) -> Sku:
    """Change a SKU. A change of category re-resolves its protection stock."""
    category_before = sku.category
    _assign(sku, values, SKU_FIELDS - {"code"})
    if sku.ean == "":
        sku.ean = None
    sku.full_clean()
    with transaction.atomic():
        sku.save()
        if sku.category != category_before:
            refresh_protection([RuleScope(sku_id=sku.pk)])
    return sku
