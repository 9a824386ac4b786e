"""Recording movements: receipts, adjustments, counts, transfers. Each changes on
hand with one conditional UPDATE (`inventory.services.stock`) and appends one row
to the ledger, in one transaction, retried on a lock conflict."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.errors import NegativeStock, ReasonDoesNotFit, UnknownCode
from inventory.locks import lock_levels, retry_on_conflict
from inventory.models import AdjustmentCode, MovementReason, Sku, StockMovement, StockPoint
from inventory.services.stock import MAX_ON_HAND, ensure_level, move_on_hand, set_on_hand
from oms.core.actors import Actor
from oms.core.errors import InvalidInput


def get_sku(code: str) -> Sku:
    try:
        return Sku.objects.get(code=code)
    except Sku.DoesNotExist:
        raise UnknownCode("sku", code) from None


def get_stock_point(code: str) -> StockPoint:
    try:
        return StockPoint.objects.get(code=code)
    except StockPoint.DoesNotExist:
        raise UnknownCode("stock_point", code) from None


__all__ = ["adjust_stock", "count_stock", "ensure_level", "receive_stock", "record_movement"]


@retry_on_conflict
def record_movement(
    sku_code: str,
    stock_point_code: str,
    quantity: int,
    *,
    reason: str,
    actor: Actor,
    code: str = "",
    reference: str = "",
    note: str = "",
) -> StockMovement:
    """Change on hand by `quantity` (signed) and append it to the ledger.
    Refuses (NegativeStock) a change that would take on hand below zero or above
    MAX_ON_HAND."""
    if quantity == 0:
        raise InvalidInput(_("A movement must change the quantity."))
    if abs(quantity) > MAX_ON_HAND:
        raise InvalidInput(_("A movement changes on hand by at most %(max)d units.") % {"max": MAX_ON_HAND})
    if reason not in MovementReason.values or reason == MovementReason.FEED:
        raise InvalidInput(_("Unknown movement reason %(reason)s.") % {"reason": reason})
    sku = get_sku(sku_code)
    point = get_stock_point(stock_point_code)
    with transaction.atomic():
        level_id = ensure_level(sku, point)
        updated, on_hand = move_on_hand(level_id, quantity)
        if not updated:
            raise NegativeStock(sku.code, point.code, on_hand, quantity)
        return StockMovement.objects.create(
            sku=sku,
            stock_point=point,
            quantity=quantity,
            on_hand_after=on_hand,
            reason=reason,
            code=code,
            reference=reference,
            note=note,
            actor=actor.label,
            user_id=actor.user_id,
        )


def receive_stock(
    sku_code: str, stock_point_code: str, quantity: int, *, actor: Actor, reference: str = "", note: str = ""
) -> StockMovement:
    """A delivery received at a stock point (a positive quantity)."""
    if quantity <= 0:
        raise InvalidInput(_("A receipt needs a positive quantity."))
    return record_movement(
        sku_code,
        stock_point_code,
        quantity,
        reason=MovementReason.RECEIPT,
        actor=actor,
        reference=reference,
        note=note,
    )


def adjustment_refusal(code: str, change: int) -> ReasonDoesNotFit | None:
    """Why `code` cannot explain a change of `change` units, or None if it can."""
    fitting = AdjustmentCode.fitting(change)
    if code in fitting:
        return None
    return ReasonDoesNotFit(
        str(AdjustmentCode(code).label), change=change, fitting=[str(reason.label) for reason in fitting]
    )


def adjust_stock(
    sku_code: str, stock_point_code: str, quantity: int, *, code: str, actor: Actor, note: str = ""
) -> StockMovement:
    """A manual correction with a reason code that fits its direction (found when
    adding; damaged, theft… when removing)."""
    if code not in AdjustmentCode.values:
        raise InvalidInput(_("Unknown adjustment reason %(code)s.") % {"code": code})
    refusal = adjustment_refusal(code, quantity)
    if refusal is not None:
        raise refusal
    return record_movement(
        sku_code,
        stock_point_code,
        quantity,
        reason=MovementReason.ADJUSTMENT,
        actor=actor,
        code=code,
        note=note,
    )


@retry_on_conflict
def count_stock(
    sku_code: str, stock_point_code: str, counted: int, *, actor: Actor, note: str = ""
) -> StockMovement | None:
    """Set on hand to what was counted on the shelf; the difference goes to the
    ledger. Returns None when the count matched (nothing to record)."""
    if not 0 <= counted <= MAX_ON_HAND:
        raise InvalidInput(_("A count is between 0 and %(max)d.") % {"max": MAX_ON_HAND})
    sku = get_sku(sku_code)
    point = get_stock_point(stock_point_code)
    with transaction.atomic():
        level_id = ensure_level(sku, point)
        level = lock_levels([level_id])[level_id]
        difference = counted - level.on_hand
        if difference == 0:
            return None
        set_on_hand(level, counted)
        return StockMovement.objects.create(
            sku=sku,
            stock_point=point,
            quantity=difference,
            on_hand_after=counted,
            reason=MovementReason.COUNT,
            note=note,
            actor=actor.label,
            user_id=actor.user_id,
        )
