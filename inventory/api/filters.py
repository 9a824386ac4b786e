"""Query filters of the unified-stock lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inventory.models import Service, Sku, StockPoint, StockPointKind
from oms.core.api.input import BooleanFilter, FilterSet


class StockPointFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=StockPointKind.choices)
    service = django_filters.ChoiceFilter(
        choices=Service.choices, method="filter_service", label=_("Offers this service")
    )
    region = django_filters.CharFilter()
    city = django_filters.CharFilter(lookup_expr="iexact")
    is_active = BooleanFilter()
    search = django_filters.CharFilter(method="filter_search", label=_("Code or name contains"))

    class Meta:
        model = StockPoint
        fields = ["kind", "service", "region", "city", "is_active", "search"]

    def filter_service(self, queryset: QuerySet[StockPoint], name: str, value: str):
        return queryset.offering(value)

    def filter_search(self, queryset: QuerySet[StockPoint], name: str, value: str):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ProductFilter(FilterSet):
    category = django_filters.CharFilter()
    ean = django_filters.CharFilter()
    is_active = BooleanFilter()
    search = django_filters.CharFilter(method="filter_search", label=_("SKU or name contains, or EAN is"))

    class Meta:
        model = Sku
        fields = ["category", "ean", "is_active", "search"]

    def filter_search(self, queryset: QuerySet[Sku], name: str, value: str):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(ean=value))
