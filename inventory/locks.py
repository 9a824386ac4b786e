"""Named row locks on stock. Always in primary-key order, always evaluated with
list(): a lazy locking queryset takes no lock, and a consistent order means two
transactions touching the same rows cannot deadlock. Call inside transaction.atomic."""

from __future__ import annotations

from inventory.models import FutureStock, StockLevel


def lock_levels(level_ids: list[int]) -> dict[int, StockLevel]:
    levels = list(StockLevel.objects.select_for_update().filter(pk__in=list(level_ids)).order_by("pk"))
    return {level.pk: level for level in levels}


def lock_levels_by_key(sku_ids: list[int], stock_point_ids: list[int]) -> dict[tuple[int, int], StockLevel]:
    """Lock the levels of every (sku, stock point) pair among the given ids."""
    levels = list(
        StockLevel.objects.select_for_update()
        .filter(sku_id__in=list(sku_ids), stock_point_id__in=list(stock_point_ids))
        .order_by("pk")
    )
    return {(level.sku_id, level.stock_point_id): level for level in levels}


def lock_future_stock(sku_id: int, stock_point_ids: list[int]) -> list[FutureStock]:
    return list(
        FutureStock.objects.select_for_update()
        .filter(sku_id=sku_id, stock_point_id__in=list(stock_point_ids), is_received=False)
        .order_by("pk")
    )
