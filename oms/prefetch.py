"""Giving an instance related objects already in memory, as `prefetch_related` would
have loaded them: `order.lines.all()` then reads them without a query. Used where a
service has just written the rows and its caller renders them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model


def prefetched(instance: Model, **related: Iterable[Model]) -> None:
    """`prefetched(order, lines=[...], payments=[...])`: each name is a reverse
    relation of the instance's model; the objects must be all of it, in order."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, objects in related.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(objects)
        queryset._prefetch_done = True
        cache[instance._meta.get_field(name).cache_name] = queryset
