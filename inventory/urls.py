from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("lookup/", views.lookup, name="lookup"),
    path("sku/<str:code>/", views.sku_detail, name="sku"),
    path("receive/", views.receive, name="receive"),
    path("adjust/", views.adjust, name="adjust"),
    path("count/", views.count, name="count"),
]
