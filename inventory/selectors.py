"""Reads of stock: availability (ATP) per channel, per stock point and by date,
and the store staff's stock lookup."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum

from inventory.allocation import ChannelPolicy
from inventory.models import (
    FutureStock,
    Reservation,
    Sku,
    StockLevel,
    StockMovement,
    StockPoint,
    StockPointKind,
)

EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class PointAtp(NamedTuple):
    stock_point: str
    atp: int


@dataclass(frozen=True)
class Incoming:
    date: date
    quantity: int


@dataclass
class SkuAvailability:
    sku: str
    channel: str
    atp: int = 0
    stock_points: list[PointAtp] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)


def availability(
    sku_codes: list[str], *, channel: str = "", with_stock_points: bool = True
) -> list[SkuAvailability]:
    """ATP of each SKU for a channel: in total and per feeding stock point (those with
    units to promise, most first), plus future stock by date. Unknown SKUs are
    reported with zero. A constant number of queries whatever the number of SKUs;
    without `with_stock_points` the database adds up the totals itself."""
    codes = list(dict.fromkeys(sku_codes))
    results = {code: SkuAvailability(sku=code, channel=channel) for code in codes}
    sku_codes_by_id = dict(Sku.objects.filter(code__in=codes).values_list("pk", "code"))
    if not sku_codes_by_id:
        return list(results.values())
    policy = ChannelPolicy.load(channel)
    points = {
        pk: (code, kind) for pk, code, kind in StockPoint.objects.active().values_list("pk", "code", "kind")
    }
    allocations = {pk: policy.allocation_for(pk, kind) for pk, (_code, kind) in points.items()}
    feeding = {pk for pk, allocation in allocations.items() if allocation is not None}
    restricted = {pk for pk in feeding if allocations[pk].is_restricted}
    # Stock points are filtered here rather than in SQL: a list of hundreds of ids
    # costs PostgreSQL more than the rows it would save.
    levels = StockLevel.objects.filter(sku_id__in=list(sku_codes_by_id), atp__gt=0)
    if not with_stock_points and not restricted and len(feeding) == len(allocations):
        levels = levels.filter(stock_point__is_active=True)
        for sku_id, total in levels.values_list("sku_id").annotate(total=Sum("atp")).order_by():
            results[sku_codes_by_id[sku_id]].atp = total
    else:
        held = _channel_holds(list(sku_codes_by_id), channel) if restricted else {}
        code_of = {pk: code for pk, (code, _kind) in points.items()}
        rows = levels.values_list("sku_id", "stock_point_id", "atp", "on_hand", "protection").order_by(
            "sku_id", "-atp", "stock_point_id"
        )
        current_sku, current, total = None, [], 0
        for sku_id, point_id, atp, on_hand, protection in rows:
            if sku_id != current_sku:
                if current_sku is not None:
                    _fill(results[sku_codes_by_id[current_sku]], total, current, with_stock_points)
                current_sku, current, total = sku_id, [], 0
            if point_id not in feeding:
                continue
            if point_id in restricted:
                atp = allocations[point_id].promisable(
                    atp=atp, on_hand=on_hand, protection=protection, held=held.get((sku_id, point_id), 0)
                )
                if atp <= 0:
                    continue
            total += atp
            current.append(PointAtp(code_of[point_id], atp))
        if current_sku is not None:
            _fill(results[sku_codes_by_id[current_sku]], total, current, with_stock_points)
    _add_incoming(results, sku_codes_by_id, feeding)
    return list(results.values())


def _fill(result: SkuAvailability, total: int, points: list[PointAtp], with_stock_points: bool) -> None:
    result.atp = total
    if with_stock_points:
        # Rows come most units first; a restricted share can reorder them.
        points.sort(key=lambda point: -point.atp)
        result.stock_points = points


def _channel_holds(sku_ids: list[int], channel: str) -> dict[tuple[int, int], int]:
    return {
        (sku_id, point_id): total
        for sku_id, point_id, total in Reservation.objects.active()
        .filter(sku_id__in=sku_ids, channel=channel)
        .values_list("sku_id", "stock_point_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }


def _add_incoming(
    results: dict[str, SkuAvailability], sku_codes_by_id: dict[int, str], feeding: set[int]
) -> None:
    incoming = (
        FutureStock.objects.filter(
            sku_id__in=list(sku_codes_by_id), is_received=False, quantity__gt=F("reserved")
        )
        .values_list("sku_id", "stock_point_id", "expected_date")
        .annotate(free=Sum(F("quantity") - F("reserved")))
        .order_by("expected_date")
    )
    by_date: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for sku_id, point_id, expected, free in incoming:
        if point_id in feeding:
            by_date[sku_id][expected] += free
    for sku_id, dates in by_date.items():
        results[sku_codes_by_id[sku_id]].incoming = [
            Incoming(day, quantity) for day, quantity in dates.items()
        ]


def future_atp(sku_code: str, on: date, *, channel: str = "") -> int:
    """Units promisable for delivery on `on`: today's ATP plus what arrives by then."""
    [result] = availability([sku_code], channel=channel)
    return result.atp + sum(item.quantity for item in result.incoming if item.date <= on)


# --- Store lookup -----------------------------------------------------------------

LOOKUP_PAGE_SIZE = 20


@dataclass(frozen=True)
class StoreAtp:
    """A SKU's stock at one stock point: what can be promised, and why it is below
    on hand (units reserved for orders, units protected for the point)."""

    stock_point: StockPoint
    atp: int
    on_hand: int
    distance_km: float | None
    reserved: int = 0
    protection: int = 0


@dataclass(frozen=True)
class IncomingStock:
    """Future stock not yet received: a purchase order or a transfer."""

    stock_point: StockPoint
    expected_date: date
    quantity: int
    reserved: int
    reference: str

    @property
    def free(self) -> int:
        """Units still free to pre-order."""
        return self.quantity - self.reserved


@dataclass(frozen=True)
class SkuLookup:
    sku: Sku
    here: StoreAtp | None
    nearest: list[StoreAtp]
    network_atp: int
    network_on_hand: int
    network_reserved: int = 0
    network_protection: int = 0
    # Warehouses, drop-ship suppliers and transit, most available first.
    other_points: list[StoreAtp] = field(default_factory=list)
    incoming: list[IncomingStock] = field(default_factory=list)


def search_skus(text: str) -> QuerySet[Sku]:
    """Every active SKU whose code or EAN is `text`, or whose name contains it, by
    code: the caller pages through them (`LOOKUP_PAGE_SIZE`)."""
    if not text.strip():
        return Sku.objects.none()
    return Sku.objects.active().matching(text).order_by("code")


def scanned_sku(text: str) -> Sku | None:
    """The active SKU whose code (any case) or EAN is exactly `text`: a scan."""
    text = text.strip()
    if not text:
        return None
    return Sku.objects.active().filter(Q(code__iexact=text) | Q(ean=text)).order_by("code").first()


def lookup_sku(sku: Sku, store: StockPoint | None, *, nearest: int | None = None) -> SkuLookup:
    """A SKU's stock at `store`, at the nearest other stores (with distance), at the
    warehouses and suppliers, incoming by date, and in the whole network. Two
    queries whatever the number of stock points."""
    nearest = nearest or settings.OMS_NEAREST_STORES
    levels = list(
        StockLevel.objects.of(sku)
        .in_active_points()
        .select_related("stock_point")
        .only(
            "atp",
            "on_hand",
            "reserved",
            "protection",
            "stock_point__code",
            "stock_point__name",
            "stock_point__kind",
            "stock_point__city",
            "stock_point__latitude",
            "stock_point__longitude",
        )
    )
    here = None
    others: list[StoreAtp] = []
    other_points: list[StoreAtp] = []
    for level in levels:
        point = level.stock_point
        distance = (
            round(distance_km(store.latitude, store.longitude, point.latitude, point.longitude), 1)
            if store is not None
            else None
        )
        entry = StoreAtp(point, level.atp, level.on_hand, distance, level.reserved, level.protection)
        if store is not None and point.pk == store.pk:
            here = entry
        elif point.kind == StockPointKind.STORE:
            others.append(entry)
        else:
            other_points.append(entry)
    others.sort(key=lambda e: (e.distance_km if e.distance_km is not None else 0, -e.atp))
    other_points.sort(key=lambda e: (-e.atp, e.stock_point.code))
    incoming = [
        IncomingStock(row.stock_point, row.expected_date, row.quantity, row.reserved, row.reference)
        for row in FutureStock.objects.filter(sku=sku, is_received=False, stock_point__is_active=True)
        .select_related("stock_point")
        .order_by("expected_date", "stock_point__code", "pk")
    ]
    return SkuLookup(
        sku=sku,
        here=here,
        nearest=others[:nearest],
        network_atp=sum(level.atp for level in levels),
        network_on_hand=sum(level.on_hand for level in levels),
        network_reserved=sum(level.reserved for level in levels),
        network_protection=sum(level.protection for level in levels),
        other_points=other_points,
        incoming=incoming,
    )


def recent_movements(
    store: StockPoint, *, sku: Sku | None = None, limit: int = 20
) -> QuerySet[StockMovement]:
    movements = StockMovement.objects.filter(stock_point=store).select_related("sku")
    if sku is not None:
        movements = movements.filter(sku=sku)
    return movements[:limit]
