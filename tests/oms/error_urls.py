"""The project's URLs plus one screen that fails, to see the 500 page."""

from django.urls import path

from oms.urls import handler400, handler403, handler404, handler500
from oms.urls import urlpatterns as project


def fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("fails/", fails), path("api/v1/fails/", fails), *project]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
