"""The home screen. The helpers every screen uses live in `oms.core.screens`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oms.core.screens import store_scope


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "oms/home.html", {"scope": store_scope(request)})
