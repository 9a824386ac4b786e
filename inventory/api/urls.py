"""Unified-stock API, mounted under /api/v1/ by oms.urls."""

from django.urls import path

from inventory.api import views

app_name = "inventory-api"

urlpatterns = [
    path("stock-points/", views.StockPointListView.as_view(), name="stock-point-list"),
    path("stock-points/<str:code>/", views.StockPointDetailView.as_view(), name="stock-point-detail"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/<str:sku>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("stock/feed/", views.StockFeedView.as_view(), name="stock-feed"),
    path("availability/", views.AvailabilityView.as_view(), name="availability"),
]
