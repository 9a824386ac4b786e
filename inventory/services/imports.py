"""Bulk imports of master data (PIM/ERP files, the demo data).

Each import is all or nothing: every row is validated first (the models' own
validators, as in `catalogue.py`) and any bad row refuses the whole import with
the list of bad rows by index. Imports are idempotent: rows are matched on their
code, and a row equal to what is stored writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.locks import retry_on_conflict
from inventory.models import Sku, StockPoint
from inventory.services.catalogue import (
    SKU_FIELDS,
    STOCK_POINT_FIELDS,
    create_stock_point,
    update_stock_point,
)
from inventory.services.protection import RuleScope, refresh_protection
from oms.core.errors import InvalidInput, item_errors

CHUNK = 1000
# Above this many SKUs changing category, re-resolve every level at once rather
# than one scope per SKU (an OR of thousands of terms is slower, and too deep for SQLite).
REFRESH_ALL_ABOVE = 100


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _refuse(errors: list[dict[str, object]], what: str) -> None:
    if errors:
        raise InvalidInput(
            _("%(n)d row(s) of the %(what)s import are invalid; nothing was imported.")
            % {"n": len({error["index"] for error in errors}), "what": what},
            errors,
        )


def _field_errors(error: ValidationError) -> dict[str | None, str]:
    return {
        None if name == NON_FIELD_ERRORS else name: " ".join(messages)
        for name, messages in error.message_dict.items()
    }


# --- SKUs -------------------------------------------------------------------------

SKU_UPDATE_FIELDS = ["ean", "name", "category", "weight_grams", "price", "is_active", "updated_at"]


@retry_on_conflict  # re-resolves protection: writes stock levels
def import_skus(rows: Sequence[Mapping[str, Any]]) -> ImportResult:
    """Create or update SKUs by code, in bulk. Fields a row leaves out take their
    default. A SKU whose category changes gets its protection stock re-resolved."""
    skus: list[Sku] = []
    errors: list[dict[str, object]] = []
    seen_codes: dict[str, int] = {}
    seen_eans: dict[str, int] = {}
    for index, values in enumerate(rows):
        unknown = set(values) - SKU_FIELDS
        if unknown:
            errors += item_errors("index", index, {name: _("Unknown field.") for name in unknown})
            continue
        sku = Sku(**values)
        if sku.ean == "":
            sku.ean = None
        problems: dict[str | None, str] = {}
        try:
            sku.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.update(_field_errors(error))
        if sku.code in seen_codes:
            problems["code"] = _("Same code as row %(index)d.") % {"index": seen_codes[sku.code]}
        if sku.ean and sku.ean in seen_eans:
            problems["ean"] = _("Same EAN as row %(index)d.") % {"index": seen_eans[sku.ean]}
        seen_codes.setdefault(sku.code, index)
        if sku.ean:
            seen_eans.setdefault(sku.ean, index)
        if problems:
            errors += item_errors("index", index, problems)
        skus.append(sku)
    _refuse(errors, _("SKU"))

    existing: dict[str, tuple] = {}
    ean_owners: dict[str, str] = {}
    codes = [sku.code for sku in skus]
    eans = [sku.ean for sku in skus if sku.ean]
    for start in range(0, len(codes), CHUNK):
        for pk, code, *values in Sku.objects.filter(code__in=codes[start : start + CHUNK]).values_list(
            "pk", "code", "ean", "name", "category", "weight_grams", "price", "is_active"
        ):
            existing[code] = (pk, *values)
    for start in range(0, len(eans), CHUNK):
        ean_owners.update(Sku.objects.filter(ean__in=eans[start : start + CHUNK]).values_list("ean", "code"))
    for index, sku in enumerate(skus):
        owner = ean_owners.get(sku.ean) if sku.ean else None
        if owner is not None and owner != sku.code:
            errors += item_errors(
                "index", index, {"ean": _("EAN already used by %(code)s.") % {"code": owner}}
            )
    _refuse(errors, _("SKU"))

    to_write: list[Sku] = []
    recategorised: list[int] = []
    created = unchanged = 0
    for sku in skus:
        stored = existing.get(sku.code)
        if stored is None:
            created += 1
            to_write.append(sku)
            continue
        pk, ean, name, category, weight, price, is_active = stored
        if (ean, name, category, weight, price, is_active) == (
            sku.ean,
            sku.name,
            sku.category,
            sku.weight_grams,
            sku.price,
            sku.is_active,
        ):
            unchanged += 1
            continue
        if category != sku.category:
            recategorised.append(pk)
        to_write.append(sku)
    now = timezone.now()
    for sku in to_write:
        sku.created_at = sku.updated_at = now
    with transaction.atomic():
        Sku.objects.bulk_create(
            to_write,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=SKU_UPDATE_FIELDS,
        )
        if len(recategorised) > REFRESH_ALL_ABOVE:
            refresh_protection(None)
        elif recategorised:
            refresh_protection([RuleScope(sku_id=pk) for pk in recategorised])
    return ImportResult(created=created, updated=len(to_write) - created, unchanged=unchanged)


# --- Stock points -------------------------------------------------------------------


def import_stock_points(rows: Sequence[Mapping[str, Any]]) -> ImportResult:
    """Create or update stock points by code (a network has hundreds, not millions:
    row by row through `catalogue`, so each change is validated and kept in history)."""
    errors: list[dict[str, object]] = []
    for index, values in enumerate(rows):
        unknown = set(values) - STOCK_POINT_FIELDS
        if unknown or not values.get("code"):
            errors += item_errors("index", index, {"code": _("A code and known fields are required.")})
    _refuse(errors, _("stock point"))
    existing = {
        point.code: point for point in StockPoint.objects.filter(code__in=[values["code"] for values in rows])
    }
    created = updated = unchanged = 0
    with transaction.atomic():
        for index, values in enumerate(rows):
            point = existing.get(values["code"])
            try:
                if point is None:
                    existing[values["code"]] = create_stock_point(**values)
                    created += 1
                    continue
                changes = {
                    name: value
                    for name, value in values.items()
                    if name != "code" and getattr(point, name) != value
                }
                if not changes:
                    unchanged += 1
                    continue
                update_stock_point(point, **changes)
                updated += 1
            except ValidationError as error:
                errors += item_errors("index", index, _field_errors(error))
        if errors:
            transaction.set_rollback(True)
    _refuse(errors, _("stock point"))
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
