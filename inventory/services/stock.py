"""The one module that changes stock quantities: `on_hand`, `reserved` (of stock
levels and of future stock) and the protection copied onto levels. Holding,
releasing and committing reservations, moving on hand, applying feed rows,
receiving future stock and resolving protection all write here; every other
module calls these functions (tests/inventory/test_stock_writes.py fails if
another module writes those columns).

The caller owns the transaction (each function must run inside
transaction.atomic, from an entry point wrapped in `retry_on_conflict`). Locks are
taken through `inventory.locks`: stock levels in primary-key order, then future
stock. Quantities are bounded (MAX_ON_HAND) so that no sum overflows a column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.allocation import Allocation
from inventory.errors import InvalidFeed
from inventory.locks import lock_feed_levels, lock_levels, lock_levels_of, lock_levels_where
from inventory.models import (
    FutureStock,
    MovementReason,
    ProtectionRule,
    Reservation,
    ReservationStatus,
    Sku,
    StockLevel,
    StockMovement,
    StockPoint,
)
from inventory.protection_policy import ProtectionPolicy
from oms.core.actors import Actor

# The most units a stock level can hold, and the largest change of one movement or
# feed row: sums of two stay well inside a 32-bit integer.
MAX_ON_HAND = 1_000_000_000

LEVEL = StockLevel._meta.db_table
MOVEMENT = StockMovement._meta.db_table

# Feed movements say which kind of feed made them: a later absolute snapshot
# replays the deltas recorded after its as_of, not older snapshots' corrections.
ABSOLUTE_CODE = "absolute"
DELTA_CODE = "delta"


# --- Levels ----------------------------------------------------------------------


def ensure_level(sku: Sku, stock_point: StockPoint) -> int:
    """The id of the level of (sku, stock point), created empty (with its protection
    resolved) if missing. Safe under concurrency: a racing creation is absorbed."""
    level_id = (
        StockLevel.objects.filter(sku=sku, stock_point=stock_point).values_list("pk", flat=True).first()
    )
    if level_id is not None:
        return level_id
    units, percent = ProtectionPolicy.load().for_level(stock_point, sku)
    StockLevel.objects.bulk_create(
        [StockLevel(sku=sku, stock_point=stock_point, protection_units=units, protection_percent=percent)],
        ignore_conflicts=True,
    )
    return StockLevel.objects.get(sku=sku, stock_point=stock_point).pk


# --- Holds -----------------------------------------------------------------------


def hold_at_level(level_id: int, quantity: int, allocation: Allocation, channel: str) -> int | None:
    """The gate. Raises the level's `reserved` by `quantity` if the channel may promise
    that many there; returns None when held, else the units that were available.
    The caller creates the Reservation row in the same transaction."""
    if not allocation.is_restricted:
        updated = StockLevel.objects.filter(pk=level_id, atp__gte=quantity).update(
            reserved=F("reserved") + quantity
        )
        if updated == 1:
            return None
        return StockLevel.objects.values_list("atp", flat=True).get(pk=level_id)
    level = lock_levels([level_id])[level_id]
    held = (
        Reservation.objects.active()
        .filter(sku_id=level.sku_id, stock_point_id=level.stock_point_id, channel=channel)
        .aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    available = allocation.promisable(
        atp=level.atp, on_hand=level.on_hand, protection=level.protection, held=held
    )
    if quantity > available:
        return available
    StockLevel.objects.filter(pk=level_id).update(reserved=F("reserved") + quantity)
    return None


def unhold_at_level(level_id: int, quantity: int) -> None:
    """Undo a hold taken in this transaction (a plan that could not be completed)."""
    StockLevel.objects.filter(pk=level_id).update(reserved=Greatest(F("reserved") - quantity, 0))


def hold_future_stock(future_id: int, quantity: int) -> bool:
    """Hold `quantity` incoming units (a pre-order) if that many are still free."""
    updated = FutureStock.objects.filter(
        pk=future_id, is_received=False, quantity__gte=F("reserved") + quantity
    ).update(reserved=F("reserved") + quantity)
    return updated == 1


def release_holds(releases: list[tuple[Reservation, int]]) -> int:
    """Give back `take` units of each (locked, active) hold; a hold given back whole
    is closed. Levels are locked first, in primary-key order, then future stock.
    Returns the units released."""
    releases = [(hold, take) for hold, take in releases if take > 0]
    levels = lock_levels_of(
        (hold.sku_id, hold.stock_point_id) for hold, _take in releases if hold.future_stock_id is None
    )
    for hold, take in sorted(releases, key=lambda item: _lock_key(item[0], levels)):
        if hold.future_stock_id is not None:
            FutureStock.objects.filter(pk=hold.future_stock_id).update(
                reserved=Greatest(F("reserved") - take, 0)
            )
        else:
            level = levels[(hold.sku_id, hold.stock_point_id)]
            StockLevel.objects.filter(pk=level.pk).update(reserved=Greatest(F("reserved") - take, 0))
        if take == hold.quantity:
            hold.status = ReservationStatus.RELEASED
            hold.closed_at = timezone.now()
            hold.save(update_fields=["status", "closed_at"])
        else:
            Reservation.objects.filter(pk=hold.pk).update(quantity=F("quantity") - take)
    return sum(take for _hold, take in releases)


def _lock_key(hold: Reservation, levels: dict[tuple[int, int], StockLevel]) -> tuple[int, int]:
    if hold.future_stock_id is not None:
        return (1, hold.future_stock_id)
    return (0, levels[(hold.sku_id, hold.stock_point_id)].pk)


def commit_holds(
    holds: list[Reservation], *, reason: str, actor: Actor, reference: str, note: str = ""
) -> list[StockMovement]:
    """The held units left their stock point: on hand and reserved both go down, the
    ledger records it and the holds are closed. Pre-order holds are not passed here."""
    levels = lock_levels_of((hold.sku_id, hold.stock_point_id) for hold in holds)
    movements: list[StockMovement] = []
    for hold in sorted(holds, key=lambda hold: _lock_key(hold, levels)):
        level = levels[(hold.sku_id, hold.stock_point_id)]
        taken = min(hold.quantity, level.on_hand)
        StockLevel.objects.filter(pk=level.pk).update(
            on_hand=F("on_hand") - taken, reserved=Greatest(F("reserved") - hold.quantity, 0)
        )
        level.on_hand -= taken
        hold.status = ReservationStatus.COMMITTED
        hold.closed_at = timezone.now()
        hold.save(update_fields=["status", "closed_at"])
        if taken:
            movements.append(
                _movement(level, -taken, reason=reason, actor=actor, reference=reference, note=note)
            )
    return movements


# --- On hand ---------------------------------------------------------------------


def move_on_hand(level_id: int, quantity: int) -> tuple[bool, int]:
    """Change on hand by `quantity` unless it would go below zero or above
    MAX_ON_HAND. Returns (changed, on hand now)."""
    updated = StockLevel.objects.filter(
        pk=level_id, on_hand__gte=-quantity, on_hand__lte=MAX_ON_HAND - quantity
    ).update(on_hand=F("on_hand") + quantity)
    return updated == 1, StockLevel.objects.values_list("on_hand", flat=True).get(pk=level_id)


def set_on_hand(level: StockLevel, counted: int) -> None:
    """Set the (locked) level's on hand to what was counted."""
    StockLevel.objects.filter(pk=level.pk).update(on_hand=counted)
    level.on_hand = counted


def receive_incoming(future_id: int, *, actor: Actor) -> StockMovement | None:
    """Incoming units arrived: they become on hand, and the pre-orders held on them
    become holds on the stock level, in the same transaction, so that the units are
    promised once. Returns None if they were received already."""
    sku_id, point_id = FutureStock.objects.values_list("sku_id", "stock_point_id").get(pk=future_id)
    level_id = ensure_level(Sku(pk=sku_id), StockPoint(pk=point_id))
    holds = Reservation.objects.active().filter(future_stock_id=future_id)
    # The lock order of every stock writer: holds, then levels, then future stock.
    list(holds.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    level = lock_levels([level_id])[level_id]
    incoming = FutureStock.objects.select_for_update(of=("self",)).get(pk=future_id)
    if incoming.is_received:
        return None
    moved = holds.aggregate(total=Sum("quantity"))["total"] or 0
    holds.update(future_stock=None)
    StockLevel.objects.filter(pk=level_id).update(
        on_hand=F("on_hand") + incoming.quantity, reserved=F("reserved") + moved
    )
    FutureStock.objects.filter(pk=future_id).update(is_received=True, reserved=0)
    level.on_hand += incoming.quantity
    return _movement(
        level, incoming.quantity, reason=MovementReason.RECEIPT, actor=actor, reference=incoming.reference
    )


def _movement(
    level: StockLevel,
    quantity: int,
    *,
    reason: str,
    actor: Actor,
    reference: str = "",
    note: str = "",
    code="",
) -> StockMovement:
    return StockMovement.objects.create(
        sku_id=level.sku_id,
        stock_point_id=level.stock_point_id,
        quantity=quantity,
        on_hand_after=level.on_hand,
        reason=reason,
        code=code,
        reference=reference,
        note=note,
        actor=actor.label,
        user_id=actor.user_id,
    )


# --- Protection ------------------------------------------------------------------


def resolve_protection(scope_filter: Q, rules: list[ProtectionRule], rule_filter) -> int:
    """Reset the protection of the levels in scope, then apply every rule from the
    least to the most specific (`rule_filter(rule)` is the Q of its levels), so the
    most specific matching rule wins. Returns the levels reset."""
    touched = lock_levels_where(scope_filter)
    if not touched:
        return 0
    StockLevel.objects.filter(scope_filter).update(protection_units=0, protection_percent=0)
    for rule in sorted(rules, key=lambda rule: rule.specificity):
        StockLevel.objects.filter(scope_filter).filter(rule_filter(rule)).update(
            protection_units=rule.units, protection_percent=rule.percent
        )
    return touched


# --- Feed rows -------------------------------------------------------------------


@dataclass
class FeedRow:
    index: int
    sku_id: int
    stock_point_id: int
    quantity: int


@dataclass(frozen=True)
class FeedResult:
    applied: int
    changed: int
    created: int
    skipped_stale: int


# CI runs the feed tests through both paths on PostgreSQL (tests set this False).
FEED_SQL_ON_POSTGRES = True


def apply_feed_rows(
    absolute: bool,
    rows: list[FeedRow],
    skus: dict[int, Sku],
    points: dict[int, StockPoint],
    *,
    as_of: datetime,
    actor: Actor,
    reference: str,
) -> FeedResult:
    """Write checked feed rows: on PostgreSQL through a temporary table (COPY) and a
    few set-based statements, elsewhere (SQLite, one writer at a time) through the
    ORM. Raises InvalidFeed (nothing applied) for rows that would take on hand
    below zero or above MAX_ON_HAND."""
    if connection.vendor == "postgresql" and FEED_SQL_ON_POSTGRES:
        return _feed_postgres(absolute, rows, skus, points, as_of=as_of, actor=actor, reference=reference)
    return _feed_orm(absolute, rows, skus, points, as_of=as_of, actor=actor, reference=reference)


def _out_of_range(pairs: Iterable[tuple[int, int, int]]) -> list[dict[str, object]]:
    """Rows (index, on hand, change) whose result is out of range, as feed errors."""
    errors = []
    for index, on_hand, quantity in pairs:
        if on_hand + quantity < 0:
            detail = _("Would take on hand below zero (on hand is %(on_hand)d).") % {"on_hand": on_hand}
        elif on_hand + quantity > MAX_ON_HAND:
            detail = _("Would take on hand above %(max)d (on hand is %(on_hand)d).") % {
                "max": MAX_ON_HAND,
                "on_hand": on_hand,
            }
        else:
            continue
        errors.append({"index": index, "field": "quantity", "detail": detail})
    return errors


def _feed_orm(
    absolute: bool,
    rows: list[FeedRow],
    skus: dict[int, Sku],
    points: dict[int, StockPoint],
    *,
    as_of: datetime,
    actor: Actor,
    reference: str,
) -> FeedResult:
    keys = [(row.sku_id, row.stock_point_id) for row in rows]
    level_ids = _level_ids(keys)
    missing = [row for row in rows if (row.sku_id, row.stock_point_id) not in level_ids]
    policy = ProtectionPolicy.load() if missing else None
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
    StockLevel.objects.bulk_create(new_levels, batch_size=500, ignore_conflicts=True)
    if new_levels:
        level_ids.update(_level_ids([(row.sku_id, row.stock_point_id) for row in missing]))
    levels: dict[tuple[int, int], StockLevel] = {}
    for chunk in _chunks(sorted(level_ids.values()), 500):  # primary-key order across chunks
        levels.update(((level.sku_id, level.stock_point_id), level) for level in lock_levels(chunk).values())

    replay: dict[tuple[int, int], int] = {}
    if absolute:
        for chunk in _chunks(keys, 500):
            totals = (
                _replayed_movements()
                .filter(_pairs(chunk), created_at__gt=as_of)
                .values_list("sku_id", "stock_point_id")
                .annotate(total=Sum("quantity"))
                .order_by()
            )
            replay.update(((sku_id, point_id), total) for sku_id, point_id, total in totals)
    else:
        errors = _out_of_range(
            (row.index, levels[(row.sku_id, row.stock_point_id)].on_hand, row.quantity) for row in rows
        )
        if errors:
            raise InvalidFeed(errors)

    changed_levels: list[StockLevel] = []
    movements: list[StockMovement] = []
    applied = skipped = 0
    for row in rows:
        level = levels[(row.sku_id, row.stock_point_id)]
        if absolute:
            if level.counted_at is not None and level.counted_at > as_of:
                skipped += 1
                continue
            new_on_hand = min(
                max(row.quantity + replay.get((row.sku_id, row.stock_point_id), 0), 0), MAX_ON_HAND
            )
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
                    code=ABSOLUTE_CODE if absolute else DELTA_CODE,
                    reference=reference,
                    actor=actor.label,
                    user_id=actor.user_id,
                )
            )
    _update_levels(changed_levels)
    StockMovement.objects.bulk_create(movements, batch_size=500)
    return FeedResult(applied=applied, changed=len(movements), created=len(new_levels), skipped_stale=skipped)


def _replayed_movements():
    """Movements an absolute snapshot cannot contain when recorded after its as_of:
    all of them but the corrections made by other absolute snapshots (older rows,
    with no code, came from snapshots: deltas carry the code `delta`)."""
    return StockMovement.objects.exclude(Q(reason=MovementReason.FEED) & ~Q(code=DELTA_CODE))


def _level_ids(keys: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    ids: dict[tuple[int, int], int] = {}
    for chunk in _chunks(keys, 500):
        rows = StockLevel.objects.filter(_pairs(chunk)).values_list("sku_id", "stock_point_id", "pk")
        ids.update(((sku_id, point_id), pk) for sku_id, point_id, pk in rows)
    return ids


def _pairs(keys: list[tuple[int, int]]) -> Q:
    condition = Q(pk__in=[])
    for sku_id, point_id in keys:
        condition |= Q(sku_id=sku_id, stock_point_id=point_id)
    return condition


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


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


def _feed_postgres(
    absolute: bool,
    rows: list[FeedRow],
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
            "CREATE TEMP TABLE feed_rows (idx int, sku_id bigint, stock_point_id bigint, quantity bigint)"
            " ON COMMIT DROP"
        )
        with cursor.copy("COPY feed_rows (idx, sku_id, stock_point_id, quantity) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.index, row.sku_id, row.stock_point_id, row.quantity))
        cursor.execute("ANALYZE feed_rows")
        created = _create_missing_levels_postgres(cursor, skus, points)
        lock_feed_levels(cursor)
        if not absolute:
            cursor.execute(
                f"SELECT f.idx, l.on_hand, f.quantity FROM feed_rows f JOIN {LEVEL} l"
                " ON f.sku_id = l.sku_id AND f.stock_point_id = l.stock_point_id"
                " WHERE l.on_hand + f.quantity < 0 OR l.on_hand + f.quantity > %s ORDER BY f.idx",
                [MAX_ON_HAND],
            )
            bad = cursor.fetchall()
            if bad:
                raise InvalidFeed(_out_of_range(bad))
            new_on_hand = "o.on_hand + f.quantity"
            stale_filter = "TRUE"
            counted_at = "o.counted_at"
            replay_join = ""
        else:
            new_on_hand = "LEAST(GREATEST(f.quantity + COALESCE(r.total, 0), 0), %(max)s)"
            stale_filter = "(o.counted_at IS NULL OR o.counted_at <= %(as_of)s)"
            counted_at = "%(as_of)s"
            replay_join = (
                f" LEFT JOIN (SELECT m.sku_id, m.stock_point_id, SUM(m.quantity) AS total"
                f" FROM {MOVEMENT} m JOIN feed_rows f2"
                " ON f2.sku_id = m.sku_id AND f2.stock_point_id = m.stock_point_id"
                " WHERE m.created_at > %(as_of)s AND (m.reason <> 'feed' OR m.code = %(delta)s)"
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
                       %(code)s, %(reference)s, '', %(actor)s, %(user_id)s, now()
                FROM changed WHERE new_on_hand <> old_on_hand
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM logged)
            """,
            {
                "as_of": as_of,
                "reference": reference,
                "actor": actor.label,
                "user_id": actor.user_id,
                "max": MAX_ON_HAND,
                "delta": DELTA_CODE,
                "code": ABSOLUTE_CODE if absolute else DELTA_CODE,
            },
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
