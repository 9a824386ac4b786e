"""Reserving for an order line anywhere in the network a channel sells from.

At capture the OMS holds units at concrete stock points (sourcing may move them
later): first a single stock point that can serve the whole line (the preferred
ones first, e.g. the collection store, then by priority and depth of stock), else
the line is split over several. When the channel takes pre-orders and stock is
short, the line is held on incoming stock instead, with its expected date."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils.translation import gettext as _

from inventory.allocation import FULL, Allocation, ChannelPolicy
from inventory.errors import InsufficientStock, ShortLine, UnknownCode
from inventory.locks import lock_levels, retry_on_conflict
from inventory.models import FutureStock, Reservation, Sku, StockLevel
from inventory.services.stock import hold_at_level, hold_future_stock
from oms.core.errors import InvalidInput


@dataclass(frozen=True)
class NetworkLine:
    reference: str
    sku: str
    quantity: int


@dataclass
class LineHolds:
    line: NetworkLine
    reservations: list[Reservation] = field(default_factory=list)
    promised_date: date | None = None

    @property
    def is_preorder(self) -> bool:
        return self.promised_date is not None


@dataclass(frozen=True)
class _Candidate:
    level_id: int
    stock_point_id: int
    atp: int
    allocation: Allocation


class _Short(Exception):
    def __init__(self, available: int) -> None:
        self.available = available


@retry_on_conflict
def reserve_in_network(
    lines: list[NetworkLine],
    *,
    channel: str,
    prefer: list[int] | None = None,
    only: list[int] | None = None,
    allow_future: bool = False,
    expires_at: datetime | None = None,
    sku_ids: dict[str, int] | None = None,
) -> list[LineHolds]:
    """Hold every line or none. `prefer`: stock point ids tried first; `only`: the
    stock points allowed at all; `sku_ids`: the ids of the lines' SKUs when the
    caller has them already. InsufficientStock names every short line with the
    units the channel could promise. The levels are planned first and locked (or
    held) in primary-key order, the order of every stock writer, so that orders,
    cancels and feeds on the same SKUs do not deadlock; a plan upset by a concurrent
    order may take a lock out of order, and the entry point then retries. On refusal
    the caller's atomic block must let the exception through (it is marked for
    rollback)."""
    if not lines:
        raise InvalidInput(_("An order needs at least one line."))
    skus = sku_ids
    if skus is None or any(line.sku not in skus for line in lines):
        skus = dict(Sku.objects.filter(code__in=[line.sku for line in lines]).values_list("code", "pk"))
    for line in lines:
        if line.sku not in skus:
            raise UnknownCode("sku", line.sku)
        if line.quantity <= 0:
            raise InvalidInput(_("Quantities must be positive."))
    policy = ChannelPolicy.load(channel)
    prefer = list(prefer or [])
    ordered = sorted(lines, key=lambda line: (skus[line.sku], line.reference))
    results: dict[str, LineHolds] = {}
    short: list[ShortLine] = []
    # No savepoint of its own: a refusal propagates, and the enclosing atomic block
    # (the caller's, e.g. the order's) rolls back every hold with it.
    with transaction.atomic(savepoint=False):
        pending = _hold_whole_lines(ordered, skus, policy, channel, prefer, only, expires_at, results)
        candidates = {
            line.reference: _candidates(skus[line.sku], policy, prefer, only) for line, _tried in pending
        }
        # The remaining lines may try any of their candidates (a channel's share, a
        # split, a level taken meanwhile): lock them all at once, in primary-key
        # order, so that the holds below wait on no one and cannot deadlock.
        lock_levels(
            candidate.level_id
            for line, tried in pending
            for candidate in candidates[line.reference]
            if candidate.level_id not in tried
        )
        for line, tried in pending:
            holds = LineHolds(line)
            # A short line's partial holds must be undone before trying incoming stock:
            # a savepoint then. Without pre-orders a short line fails the whole call,
            # and the caller's transaction rolls everything back.
            savepoint = transaction.atomic() if allow_future else contextlib.nullcontext()
            try:
                with savepoint:
                    holds.reservations = _hold_from_stock(
                        line, skus[line.sku], candidates[line.reference], tried, channel, expires_at
                    )
            except _Short as refused:
                future = (
                    _hold_from_future(line, skus[line.sku], policy, channel, only, expires_at)
                    if allow_future
                    else None
                )
                if future is None:
                    short.append(ShortLine(line.sku, line.quantity, refused.available))
                    continue
                holds.reservations, holds.promised_date = [future[0]], future[1]
            results[line.reference] = holds
        if short:
            raise InsufficientStock(short)
        # The holds of every line in one INSERT, once the gates have all passed.
        Reservation.objects.bulk_create([r for line in ordered for r in results[line.reference].reservations])
    return [results[line.reference] for line in lines]


def _hold_whole_lines(
    lines: list[NetworkLine],
    skus: dict[str, int],
    policy: ChannelPolicy,
    channel: str,
    prefer: list[int],
    only: list[int] | None,
    expires_at: datetime | None,
    results: dict[str, LineHolds],
) -> list[tuple[NetworkLine, list[int]]]:
    """When every stock point feeds the channel whole, the database picks the best
    level for each whole line, and the gates then run in primary-key order of the
    levels, the order every stock writer locks in. Returns the lines left to
    serve otherwise, each with the levels tried already."""
    if policy.rules:
        return [(line, []) for line in lines]
    picks = []
    pending: list[tuple[NetworkLine, list[int]]] = []
    for line in lines:
        best = _best_whole_line_level(skus[line.sku], line.quantity, prefer, only, [])
        if best is None:
            pending.append((line, []))
        else:
            picks.append((best, line))
    for (level_id, point_id), line in sorted(picks, key=lambda pick: (pick[0][0], pick[1].reference)):
        if hold_at_level(level_id, line.quantity, FULL, channel) is None:
            reservation = _reservation(line, skus[line.sku], point_id, line.quantity, channel, expires_at)
            results[line.reference] = LineHolds(line, [reservation])
        else:  # taken meanwhile by a concurrent order
            pending.append((line, [level_id]))
    return sorted(pending, key=lambda item: (skus[item[0].sku], item[0].reference))


@dataclass(frozen=True)
class Ranking:
    """The one ranking of stock levels for a line, written once (in SQL) for the
    best whole-line level and for the ranked candidates: the preferred stock points
    first, in the order given (e.g. the collection store), then by priority (lower
    first), then the most units to promise, then the oldest level."""

    prefer: tuple[int, ...] = ()

    def rank(self, levels: QuerySet[StockLevel]) -> QuerySet[StockLevel]:
        order = ["stock_point__priority", "-atp", "pk"]
        if not self.prefer:
            return levels.order_by(*order)
        preferred = Case(
            *[When(stock_point_id=point_id, then=Value(index)) for index, point_id in enumerate(self.prefer)],
            default=Value(len(self.prefer)),
        )
        return levels.annotate(preferred=preferred).order_by("preferred", *order)

    def why(self, *, stock_point_id: int, priority: int, atp: int) -> str:
        """Why a level ranks where it does, in the reader's language."""
        if stock_point_id in self.prefer:
            return _(
                "Preferred stock point for this order, then priority %(priority)d, %(atp)d available."
            ) % {
                "priority": priority,
                "atp": atp,
            }
        return _("Priority %(priority)d, then %(atp)d available.") % {"priority": priority, "atp": atp}


def _candidates(
    sku_id: int, policy: ChannelPolicy, prefer: list[int], only: list[int] | None
) -> list[_Candidate]:
    levels = StockLevel.objects.filter(sku_id=sku_id, stock_point__is_active=True, atp__gt=0)
    if only is not None:
        levels = levels.filter(stock_point_id__in=list(only))
    rows = Ranking(tuple(prefer)).rank(levels).values_list("pk", "stock_point_id", "stock_point__kind", "atp")
    candidates = []
    for level_id, point_id, kind, atp in rows:
        allocation = policy.allocation_for(point_id, kind)
        if allocation is not None:
            candidates.append(_Candidate(level_id, point_id, atp, allocation))
    return candidates


def _hold_from_stock(
    line: NetworkLine,
    sku_id: int,
    candidates: list[_Candidate],
    tried: list[int],
    channel: str,
    expires_at: datetime | None,
) -> list[Reservation]:
    usable = [candidate for candidate in candidates if candidate.level_id not in tried]
    taken: list[tuple[_Candidate, int]] = []
    # One stock point for the whole line if any can serve it: one parcel.
    for candidate in usable:
        if (
            candidate.atp >= line.quantity
            and hold_at_level(candidate.level_id, line.quantity, candidate.allocation, channel) is None
        ):
            taken = [(candidate, line.quantity)]
            break
    else:
        remaining = line.quantity
        for candidate in usable:
            want = min(remaining, candidate.atp)
            while want > 0:
                available = hold_at_level(candidate.level_id, want, candidate.allocation, channel)
                if available is None:
                    taken.append((candidate, want))
                    remaining -= want
                    break
                want = min(remaining, available)
            if remaining == 0:
                break
        if remaining:
            raise _Short(line.quantity - remaining)
    return [
        _reservation(line, sku_id, candidate.stock_point_id, quantity, channel, expires_at)
        for candidate, quantity in taken
    ]


def _reservation(
    line: NetworkLine, sku_id: int, point_id: int, quantity: int, channel: str, expires_at: datetime | None
) -> Reservation:
    """A hold, not saved: the caller writes every line's holds in one INSERT."""
    return Reservation(
        reference=line.reference,
        sku_id=sku_id,
        stock_point_id=point_id,
        channel=channel,
        quantity=quantity,
        expires_at=expires_at,
    )


def _best_whole_line_level(
    sku_id: int, quantity: int, prefer: list[int], only: list[int] | None, tried: list[int]
) -> tuple[int, int] | None:
    """(level id, stock point id) of the best-ranked level with `quantity` to
    promise; one row instead of every level of the SKU in the network."""
    levels = StockLevel.objects.filter(sku_id=sku_id, stock_point__is_active=True, atp__gte=quantity)
    if only is not None:
        levels = levels.filter(stock_point_id__in=list(only))
    if tried:
        levels = levels.exclude(pk__in=tried)
    return Ranking(tuple(prefer)).rank(levels).values_list("pk", "stock_point_id").first()


def _hold_from_future(
    line: NetworkLine,
    sku_id: int,
    policy: ChannelPolicy,
    channel: str,
    only: list[int] | None,
    expires_at: datetime | None,
) -> tuple[Reservation, date] | None:
    """Hold the whole line on the earliest incoming delivery that can take it."""
    incoming = FutureStock.objects.filter(sku_id=sku_id, is_received=False, stock_point__is_active=True)
    if only is not None:
        incoming = incoming.filter(stock_point_id__in=list(only))
    rows = incoming.filter(quantity__gte=F("reserved") + line.quantity).values_list(
        "pk", "stock_point_id", "stock_point__kind", "expected_date"
    )
    for future_id, point_id, kind, expected in rows.order_by("expected_date", "pk"):
        if policy.allocation_for(point_id, kind) is None:
            continue
        if hold_future_stock(future_id, line.quantity):
            reservation = Reservation(  # written by the caller, with the other lines' holds
                reference=line.reference,
                sku_id=sku_id,
                stock_point_id=point_id,
                future_stock_id=future_id,
                channel=channel,
                quantity=line.quantity,
                expires_at=expires_at,
            )
            return reservation, expected
    return None
