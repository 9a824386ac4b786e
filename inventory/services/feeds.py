"""Stock feeds from ERP/WMS/POS: absolute snapshots and deltas.

All or nothing: every row is checked first, and any bad row refuses the whole
feed with the list of bad rows by index. An absolute snapshot taken `as_of` a
time re-applies on top the movements the OMS recorded after that time, and a
snapshot older than the last one applied to a level is skipped for that level.
Every change of on hand is appended to the ledger with reason `feed`.

On PostgreSQL the rows go through a temporary table (COPY) and a few set-based
statements; elsewhere (SQLite, one writer at a time) through the ORM.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import InvalidFeed
from inventory.models import MovementReason, Sku, StockLevel, StockMovement, StockPoint
from inventory.services.protection import ProtectionPolicy
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


@dataclass(frozen=True)
class FeedResult:
    applied: int
    changed: int
    created: int
    skipped_stale: int


@dataclass
class _Row:
    index: int
    sku_id: int
    stock_point_id: int
    quantity: int


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
        if connection.vendor == "postgresql":
            return _write_postgres(mode, rows, skus, points, as_of=as_of, actor=actor, reference=reference)
        return _write_orm(mode, rows, skus, points, as_of=as_of, actor=actor, reference=reference)


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
        if sku is not None and point is not None:
            key = (sku.pk, point.pk)
            if key in rows and mode == ABSOLUTE:
                problems["stock_point"] = _("Same SKU and stock point as row %(index)d.") % {
                    "index": first_index[key]
                }
            elif key in rows:
                rows[key].quantity += item.quantity
                rows[key].index = index
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


def _negative_rows(pairs: Iterable[tuple[_Row, int]]) -> list[dict[str, object]]:
    return [
        {
            "index": row.index,
            "field": "quantity",
            "detail": _("Would take on hand below zero (on hand is %(on_hand)d).") % {"on_hand": on_hand},
        }
        for row, on_hand in pairs
        if on_hand + row.quantity < 0
    ]


# --- ORM (SQLite) -------------------------------------------------------------


def _write_orm(
    mode: str,
    rows: list[_Row],
    skus: dict[int, Sku],
    points: dict[int, StockPoint],
    *,
    as_of: datetime,
    actor: Actor,
    reference: str,
) -> FeedResult:
    policy = ProtectionPolicy.load()
    point_ids = list(points)
    levels: dict[tuple[int, int], StockLevel] = {}
    for chunk in _chunks(sorted({row.sku_id for row in rows}), 500):
        for level in StockLevel.objects.select_for_update().filter(
            sku_id__in=chunk, stock_point_id__in=point_ids
        ):
            levels[(level.sku_id, level.stock_point_id)] = level
    missing = [row for row in rows if (row.sku_id, row.stock_point_id) not in levels]
    new_levels = []
    for row in missing:
        units, percent = policy.for_level(points[row.stock_point_id], skus[row.sku_id])
        new_levels.append(
            StockLevel(
                sku_id=row.sku_id,
                stock_point_id=row.stock_point_id,
                protection_units=units,
                protection_percent=percent,
            )
        )
    StockLevel.objects.bulk_create(new_levels, batch_size=500)
    for level in new_levels:
        level.on_hand = 0
        levels[(level.sku_id, level.stock_point_id)] = level

    replay: dict[tuple[int, int], int] = {}
    if mode == ABSOLUTE:
        for chunk in _chunks(sorted({row.sku_id for row in rows}), 500):
            totals = (
                StockMovement.objects.recorded_by_oms()
                .filter(created_at__gt=as_of, sku_id__in=chunk, stock_point_id__in=point_ids)
                .values_list("sku_id", "stock_point_id")
                .annotate(total=Sum("quantity"))
            )
            replay.update(((sku_id, point_id), total) for sku_id, point_id, total in totals)
    else:
        errors = _negative_rows((row, levels[(row.sku_id, row.stock_point_id)].on_hand) for row in rows)
        if errors:
            raise InvalidFeed(errors)

    changed_levels: list[StockLevel] = []
    movements: list[StockMovement] = []
    applied = skipped = 0
    for row in rows:
        level = levels[(row.sku_id, row.stock_point_id)]
        if mode == ABSOLUTE:
            if level.counted_at is not None and level.counted_at > as_of:
                skipped += 1
                continue
            new_on_hand = max(row.quantity + replay.get((row.sku_id, row.stock_point_id), 0), 0)
            level.counted_at = as_of
        else:
            new_on_hand = level.on_hand + row.quantity
        applied += 1
        change = new_on_hand - level.on_hand
        level.on_hand = new_on_hand
        changed_levels.append(level)
        if change:
            movements.append(
                StockMovement(
                    sku_id=row.sku_id,
                    stock_point_id=row.stock_point_id,
                    quantity=change,
                    on_hand_after=new_on_hand,
                    reason=MovementReason.FEED,
                    reference=reference,
                    actor=actor.label,
                    user_id=actor.user_id,
                )
            )
    _update_levels(changed_levels)
    StockMovement.objects.bulk_create(movements, batch_size=500)
    return FeedResult(applied=applied, changed=len(movements), created=len(new_levels), skipped_stale=skipped)


def _update_levels(levels: list[StockLevel]) -> None:
    """One prepared UPDATE per level (executemany): Django's bulk_update builds a CASE
    over every row, which costs a hundred times more than the writes themselves."""
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {LEVEL} SET on_hand = %s, counted_at = %s, updated_at = %s WHERE id = %s",
            [(level.on_hand, adapt(level.counted_at), now, level.pk) for level in levels],
        )


# --- PostgreSQL -----------------------------------------------------------------

LEVEL = StockLevel._meta.db_table
MOVEMENT = StockMovement._meta.db_table


def _write_postgres(
    mode: str,
    rows: list[_Row],
    skus: dict[int, Sku],
    points: dict[int, StockPoint],
    *,
    as_of: datetime,
    actor: Actor,
    reference: str,
) -> FeedResult:
    with connection.cursor() as cursor:
        # ON COMMIT DROP ends it with the transaction; the DROP covers a feed applied
        # inside a caller's larger transaction (a savepoint).
        cursor.execute("DROP TABLE IF EXISTS feed_rows")
        cursor.execute(
            "CREATE TEMP TABLE feed_rows (idx int, sku_id bigint, stock_point_id bigint, quantity int)"
            " ON COMMIT DROP"
        )
        with cursor.copy("COPY feed_rows (idx, sku_id, stock_point_id, quantity) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.index, row.sku_id, row.stock_point_id, row.quantity))
        cursor.execute("ANALYZE feed_rows")
        created = _create_missing_levels_postgres(cursor, skus, points)
        # Lock every level of the feed, in primary-key order.
        cursor.execute(
            f"SELECT count(*) FROM (SELECT l.id FROM {LEVEL} l JOIN feed_rows f"
            " ON f.sku_id = l.sku_id AND f.stock_point_id = l.stock_point_id"
            " ORDER BY l.id FOR UPDATE OF l) locked"
        )
        if mode == DELTA:
            cursor.execute(
                f"SELECT f.idx, l.on_hand, f.quantity FROM feed_rows f JOIN {LEVEL} l"
                " ON f.sku_id = l.sku_id AND f.stock_point_id = l.stock_point_id"
                " WHERE l.on_hand + f.quantity < 0 ORDER BY f.idx"
            )
            bad = cursor.fetchall()
            if bad:
                raise InvalidFeed(
                    _negative_rows((_Row(index, 0, 0, quantity), on_hand) for index, on_hand, quantity in bad)
                )
            new_on_hand = "o.on_hand + f.quantity"
            stale_filter = "TRUE"
            counted_at = "o.counted_at"
            replay_join = ""
        else:
            new_on_hand = "GREATEST(f.quantity + COALESCE(r.total, 0), 0)"
            stale_filter = "(o.counted_at IS NULL OR o.counted_at <= %(as_of)s)"
            counted_at = "%(as_of)s"
            replay_join = (
                f" LEFT JOIN (SELECT m.sku_id, m.stock_point_id, SUM(m.quantity) AS total"
                f" FROM {MOVEMENT} m JOIN feed_rows f2"
                " ON f2.sku_id = m.sku_id AND f2.stock_point_id = m.stock_point_id"
                " WHERE m.created_at > %(as_of)s AND m.reason <> 'feed'"
                " GROUP BY m.sku_id, m.stock_point_id) r"
                " ON r.sku_id = f.sku_id AND r.stock_point_id = f.stock_point_id"
            )
        cursor.execute(
            f"""
            WITH changed AS (
                UPDATE {LEVEL} l
                SET on_hand = {new_on_hand}, counted_at = {counted_at}, updated_at = now()
                FROM feed_rows f
                JOIN {LEVEL} o ON o.sku_id = f.sku_id AND o.stock_point_id = f.stock_point_id
                {replay_join}
                WHERE l.id = o.id AND {stale_filter}
                RETURNING l.sku_id, l.stock_point_id, o.on_hand AS old_on_hand, l.on_hand AS new_on_hand
            ), logged AS (
                INSERT INTO {MOVEMENT} (sku_id, stock_point_id, quantity, on_hand_after, reason,
                                        code, reference, note, actor, user_id, created_at)
                SELECT sku_id, stock_point_id, new_on_hand - old_on_hand, new_on_hand, 'feed',
                       '', %(reference)s, '', %(actor)s, %(user_id)s, now()
                FROM changed WHERE new_on_hand <> old_on_hand
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM logged)
            """,
            {"as_of": as_of, "reference": reference, "actor": actor.label, "user_id": actor.user_id},
        )
        applied, changed = cursor.fetchone()
    return FeedResult(applied=applied, changed=changed, created=created, skipped_stale=len(rows) - applied)


def _create_missing_levels_postgres(cursor, skus: dict[int, Sku], points: dict[int, StockPoint]) -> int:
    cursor.execute(
        f"INSERT INTO {LEVEL} (sku_id, stock_point_id, on_hand, reserved, protection_units,"
        " protection_percent, updated_at)"
        " SELECT f.sku_id, f.stock_point_id, 0, 0, 0, 0, now() FROM feed_rows f"
        f" WHERE NOT EXISTS (SELECT 1 FROM {LEVEL} l"
        " WHERE l.sku_id = f.sku_id AND l.stock_point_id = f.stock_point_id)"
        " ORDER BY f.sku_id, f.stock_point_id"
        " ON CONFLICT (sku_id, stock_point_id) DO NOTHING RETURNING id, sku_id, stock_point_id"
    )
    created = cursor.fetchall()
    if not created:
        return 0
    policy = ProtectionPolicy.load()
    protected = []
    for level_id, sku_id, point_id in created:
        units, percent = policy.for_level(points[point_id], skus[sku_id])
        if units or percent:
            protected.append((level_id, units, percent))
    if protected:
        ids, units, percents = zip(*protected, strict=True)
        cursor.execute(
            f"UPDATE {LEVEL} l SET protection_units = p.units, protection_percent = p.percent"
            " FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS p(id, units, percent)"
            " WHERE l.id = p.id",
            [list(ids), list(units), list(percents)],
        )
    return len(created)
