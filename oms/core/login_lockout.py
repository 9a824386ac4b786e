"""Locking out repeated failed sign-ins (django-axes), per username and address.

Axes counts the failures of `django.contrib.auth.authenticate()` calls that carry a
request (the sign-in page and the admin's); the lockout answers 429 with
`Retry-After` and a page in our layout, in the reader's language."""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its username and address are locked out.

    Without a request there is no client to lock out (a shell, a management
    command, the test client's `login()`): axes' own backend raises there, this
    one lets the next backend decide, as if axes were not installed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the locked-out page, 429, with Retry-After."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    if cool_off:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
