from django.contrib import admin
from django.urls import include, path

from oms import views

api_v1 = [
    path("", include("inventory.api.urls")),
    path("", include("oms.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("stock/", include("inventory.urls")),
    path("orders/", include("oms.orders.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", views.ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", views.ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", views.ApiRedocView.as_view(url_name="schema"), name="api-redoc"),
]

# The error pages: in the layout and the reader's language for screens, JSON under /api/.
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
