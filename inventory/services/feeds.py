"""Stock feeds from ERP/WMS/POS: absolute snapshots and deltas.

All or nothing: every row is checked first, and any bad row refuses the whole
feed with the list of bad rows by index. An absolute snapshot taken `as_of` a
time re-applies on top the movements the OMS recorded after that time, and a
snapshot older than the last one applied to a level is skipped for that level.
Every change of on hand is appended to the ledger with reason `feed`.

Quantities are bounded: a row (or the sum of one level's delta rows) changes on
hand by at most MAX_ON_HAND units, and no level goes above MAX_ON_HAND.

The rows are written by `inventory.services.stock.apply_feed_rows` (SQL on
PostgreSQL, the ORM elsewhere).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import InvalidFeed
from inventory.locks import retry_on_conflict
from inventory.models import Sku, StockPoint
from inventory.services.stock import MAX_ON_HAND, FeedResult, apply_feed_rows
from inventory.services.stock import FeedRow as _Row
from oms.core.actors import Actor
from oms.core.errors import InvalidInput, item_errors

logger = logging.getLogger(__name__)

ABSOLUTE = "absolute"
DELTA = "delta"
CHUNK = 5000


@dataclass(frozen=True)
class FeedItem:
    stock_point: str
    sku: str
    quantity: int
    index: int | None = None  # its row in the feed as sent, if not its place in `items`


__all__ = ["ABSOLUTE", "DELTA", "MAX_ON_HAND", "FeedItem", "FeedResult", "apply_feed"]


@retry_on_conflict
def apply_feed(
    mode: str,
    items: list[FeedItem],
    *,
    actor: Actor,
    as_of: datetime | None = None,
    reference: str = "",
    malformed: Sequence[dict[str, object]] = (),
) -> FeedResult:
    """Apply a feed. Raises InvalidFeed (nothing applied) listing every bad row:
    `malformed`, the errors of rows the caller could not even read (each with its
    `index`; the other items then carry theirs), and those found here."""
    if mode not in (ABSOLUTE, DELTA):
        raise InvalidInput(_("Mode must be 'absolute' or 'delta'."))
    if not items and not malformed:
        raise InvalidInput(_("A feed needs at least one item."))
    now = timezone.now()
    if as_of is not None and mode == DELTA:
        raise InvalidInput(_("as_of applies to absolute feeds only."))
    if as_of is not None and as_of > now:
        raise InvalidInput(_("as_of cannot be in the future."))
    rows, skus, points = _resolve(mode, items, malformed)
    as_of = as_of or now
    with transaction.atomic():
        return apply_feed_rows(
            mode == ABSOLUTE, rows, skus, points, as_of=as_of, actor=actor, reference=reference
        )


def _chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _resolve(
    mode: str, items: list[FeedItem], malformed: Sequence[dict[str, object]]
) -> tuple[list[_Row], dict[int, Sku], dict[int, StockPoint]]:
    sku_codes = sorted({item.sku for item in items})
    point_codes = sorted({item.stock_point for item in items})
    skus_by_code: dict[str, Sku] = {}
    for chunk in _chunks(sku_codes):
        skus_by_code.update(
            (sku.code, sku) for sku in Sku.objects.filter(code__in=chunk).only("pk", "code", "category")
        )
    points_by_code = {
        point.code: point
        for point in StockPoint.objects.filter(code__in=point_codes).only("pk", "code", "kind")
    }
    errors: list[dict[str, object]] = []
    rows: dict[tuple[int, int], _Row] = {}
    first_index: dict[tuple[int, int], int] = {}
    for position, item in enumerate(items):
        index = position if item.index is None else item.index
        problems: dict[str, str] = {}
        sku = skus_by_code.get(item.sku)
        point = points_by_code.get(item.stock_point)
        if sku is None:
            problems["sku"] = _("Unknown SKU %(code)s.") % {"code": item.sku}
        if point is None:
            problems["stock_point"] = _("Unknown stock point %(code)s.") % {"code": item.stock_point}
        if mode == ABSOLUTE and item.quantity < 0:
            problems["quantity"] = _("An absolute quantity cannot be negative.")
        elif abs(item.quantity) > MAX_ON_HAND:
            problems["quantity"] = _out_of_bounds()
        if sku is not None and point is not None:
            key = (sku.pk, point.pk)
            if key in rows and mode == ABSOLUTE:
                problems["stock_point"] = _("Same SKU and stock point as row %(index)d.") % {
                    "index": first_index[key]
                }
            elif key in rows:
                rows[key].quantity += item.quantity
                rows[key].index = index
                if abs(rows[key].quantity) > MAX_ON_HAND and "quantity" not in problems:
                    problems["quantity"] = _out_of_bounds()
            else:
                rows[key] = _Row(index, sku.pk, point.pk, item.quantity)
                first_index[key] = index
        errors += item_errors("index", index, problems)
    if errors or malformed:
        raise InvalidFeed(sorted([*malformed, *errors], key=lambda error: error["index"]))
    return (
        list(rows.values()),
        {sku.pk: sku for sku in skus_by_code.values()},
        {point.pk: point for point in points_by_code.values()},
    )


def _out_of_bounds() -> str:
    return _("A feed changes one stock level by at most %(max)d units.") % {"max": MAX_ON_HAND}
