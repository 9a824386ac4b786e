"""Reservations: units held for an owner (`reference`, e.g. an order line's key).

The gate is one conditional UPDATE on the stock level, judged by its row count:
PostgreSQL re-checks the WHERE on the newest row version after waiting for a
concurrent writer, so the check and the write are one step and no unit is ever
promised twice. When the channel only gets a share of a stock point, the level
row is locked first and the channel's own holds are counted under that lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from inventory.allocation import ChannelPolicy
from inventory.errors import InsufficientStock, ReservationConflict, ShortLine, UnknownCode
from inventory.locks import retry_on_conflict
from inventory.models import (
    MovementReason,
    Reservation,
    Sku,
    StockLevel,
    StockMovement,
    StockPoint,
)
from inventory.services.stock import commit_holds, hold_at_level, release_holds
from oms.core.actors import Actor
from oms.core.errors import InvalidInput


@dataclass(frozen=True)
class ReservationLine:
    sku: str
    stock_point: str
    quantity: int


@retry_on_conflict
def reserve_stock(
    sku_code: str,
    stock_point_code: str,
    quantity: int,
    *,
    reference: str,
    channel: str = "",
    expires_at: datetime | None = None,
) -> Reservation:
    """Hold `quantity` units of a SKU at a stock point. See `reserve_lines`."""
    line = ReservationLine(sku_code, stock_point_code, quantity)
    return reserve_lines([line], reference=reference, channel=channel, expires_at=expires_at)[0]


@retry_on_conflict
def reserve_lines(
    lines: list[ReservationLine],
    *,
    reference: str,
    channel: str = "",
    expires_at: datetime | None = None,
) -> list[Reservation]:
    """Hold every line, or none: if any line is short, InsufficientStock names every
    short line and nothing is held. Idempotent per reference: calling again with the
    same lines returns the existing holds. Levels are touched in primary-key order so
    that two multi-line reservations cannot deadlock."""
    if not reference:
        raise InvalidInput(_("A reservation needs a reference."))
    merged: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(_("Quantities must be positive."))
        key = (line.sku, line.stock_point)
        merged[key] = merged.get(key, 0) + line.quantity
    skus = dict(Sku.objects.filter(code__in=[sku for sku, _p in merged]).values_list("code", "pk"))
    points = {point.code: point for point in StockPoint.objects.filter(code__in=[p for _s, p in merged])}
    for sku, point in merged:
        if sku not in skus:
            raise UnknownCode("sku", sku)
        if point not in points:
            raise UnknownCode("stock_point", point)

    with transaction.atomic():
        existing = list(Reservation.objects.active().for_reference(reference).order_by("pk"))
        if existing:
            return _same_reservations(existing, merged, skus, points)
        level_rows = StockLevel.objects.filter(
            sku_id__in=list(skus.values()), stock_point_id__in=[p.pk for p in points.values()]
        ).values_list("sku_id", "stock_point_id", "pk")
        level_ids = {(sku_id, point_id): pk for sku_id, point_id, pk in level_rows}
        policy = ChannelPolicy.load(channel)
        ordered = sorted(
            merged.items(),
            key=lambda item: level_ids.get((skus[item[0][0]], points[item[0][1]].pk), 0),
        )
        short: list[ShortLine] = []
        for (sku, point_code), quantity in ordered:
            point = points[point_code]
            level_id = level_ids.get((skus[sku], point.pk))
            available = _hold(level_id, quantity, policy, point, channel)
            if available is not None:
                short.append(ShortLine(sku, quantity, available, point_code))
        if short:
            raise InsufficientStock(short)
        return Reservation.objects.bulk_create(
            [
                Reservation(
                    reference=reference,
                    sku_id=skus[sku],
                    stock_point=points[point_code],
                    channel=channel,
                    quantity=quantity,
                    expires_at=expires_at,
                )
                for (sku, point_code), quantity in merged.items()
            ]
        )


def _hold(
    level_id: int | None, quantity: int, policy: ChannelPolicy, point: StockPoint, channel: str
) -> int | None:
    """Raise `reserved` by `quantity`. Returns None when held, else the units that
    were available (for the refusal)."""
    if level_id is None:
        return 0
    allocation = policy.allocation_for(point.pk, point.kind)
    if allocation is None:
        return 0
    return hold_at_level(level_id, quantity, allocation, channel)


def _same_reservations(
    existing: list[Reservation], merged: dict[tuple[str, str], int], skus: dict[str, int], points: dict
) -> list[Reservation]:
    wanted = {(skus[sku], points[point].pk): quantity for (sku, point), quantity in merged.items()}
    held = {(r.sku_id, r.stock_point_id): r.quantity for r in existing}
    if wanted != held:
        raise ReservationConflict(
            _("Reference %(reference)s already holds other stock.") % {"reference": existing[0].reference}
        )
    return existing


@dataclass(frozen=True)
class Release:
    """Units of a reference to give back: all of them, those of one SKU, or
    `quantity` units of one SKU."""

    reference: str
    sku_code: str | None = None
    quantity: int | None = None


@retry_on_conflict
def release_reservations(reference: str, *, sku_code: str | None = None, quantity: int | None = None) -> int:
    """Give back held units of a reference (see `Release`). Returns the units
    released. Releasing what is no longer held releases nothing (idempotent)."""
    return sum(release_many([Release(reference, sku_code, quantity)]))


@retry_on_conflict
def release_many(releases: list[Release]) -> list[int]:
    """Give back the units of several references at once (the lines of an order):
    their stock levels are locked together, in primary-key order, so that a release
    never deadlocks with an order taking the same SKUs in another order. Returns
    the units released for each release, in order."""
    for release in releases:
        if release.quantity is not None and (release.sku_code is None or release.quantity <= 0):
            raise InvalidInput(_("A partial release names a SKU and a positive quantity."))
    with transaction.atomic():
        condition = Q(pk__in=[])
        for release in releases:
            if release.sku_code is None:
                condition |= Q(reference=release.reference)
            else:
                condition |= Q(
                    reference=release.reference,
                    sku_id__in=Sku.objects.filter(code=release.sku_code).values("pk"),
                )
        # The holds alone are locked: a join would lock the SKU rows too.
        holds = list(
            Reservation.objects.select_for_update(of=("self",)).active().filter(condition).order_by("pk")
        )
        sku_codes = dict(Sku.objects.filter(pk__in={hold.sku_id for hold in holds}).values_list("pk", "code"))
        takes: list[tuple[Reservation, int]] = []
        released: list[int] = []
        for release in releases:
            released.append(0)
            remaining = release.quantity
            for hold in holds:
                if hold.reference != release.reference:
                    continue
                if release.sku_code is not None and sku_codes[hold.sku_id] != release.sku_code:
                    continue
                take = hold.quantity if remaining is None else min(remaining, hold.quantity)
                if take == 0:
                    break
                takes.append((hold, take))
                released[-1] += take
                if remaining is not None:
                    remaining -= take
        release_holds(takes)
        return released


@retry_on_conflict
def commit_reservations(
    reference: str, *, actor: Actor, reason: str = MovementReason.SALE, note: str = ""
) -> list[StockMovement]:
    """The held units left the stock point (sold, shipped): on hand and reserved both
    go down and the ledger records it. Idempotent: committed holds are not active."""
    with transaction.atomic():
        # Pre-order holds on incoming stock have nothing on hand to commit yet.
        holds = list(
            Reservation.objects.select_for_update(of=("self",))
            .active()
            .for_reference(reference)
            .filter(future_stock__isnull=True)
            .order_by("pk")
        )
        return commit_holds(holds, reason=reason, actor=actor, reference=reference, note=note)
