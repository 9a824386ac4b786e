from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from oms.api import webhooks
from oms.core.api.errors import no_such_endpoint
from oms.orders import api as orders

router = SimpleRouter(trailing_slash=True)
router.register("webhooks", webhooks.WebhookSubscriptionViewSet, basename="webhook")


urlpatterns = [
    path("orders/", orders.OrderListCreateView.as_view(), name="order-list"),
    path("orders/<str:number>/", orders.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<str:number>/cancel/", orders.OrderCancelView.as_view(), name="order-cancel"),
    *router.urls,
    # Last of /api/v1/ (oms.urls includes this module after inventory.api.urls). Only
    # paths ending in "/", so that Django still redirects a missing trailing slash.
    re_path(r"^.*/$", no_such_endpoint),
]
