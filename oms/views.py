"""The project's own pages: home, the error pages (400, 403, 404, 500) and the API
documentation. The helpers every screen uses live in `oms.core.screens`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from oms.core.screens import store_scope


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "oms/home.html", {"scope": store_scope(request)})


# --- Error pages ------------------------------------------------------------------------
# Screens get the page in the layout, in the reader's language, with a way back; a
# path under /api/ gets the API's one error shape in JSON.

# Django's get_object_or_404 says "No Sku matches the given query.", in English only.
_DJANGO_NOT_FOUND = re.compile(r"No .+ matches the given query\.")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _previous_screen(request: HttpRequest) -> str:
    """The page the reader came from, if it is one of ours and not this one."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return ""
    return referer if urlsplit(referer).path != request.path else ""


def _message(exception: Exception | None) -> str:
    """What the exception says to the reader: our own messages, already translated,
    not Django's internals (the URL patterns tried, a model's name)."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    if not isinstance(message, str) or _DJANGO_NOT_FOUND.fullmatch(message):
        return ""
    return message


def _error_page(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": code, "detail": detail}, status=status)
    context = {"detail": detail, "back": _previous_screen(request)}
    return render(request, f"{status}.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Only our own BadRequest says why (a NUL in the path…); Django's other refusals
    # (SuspiciousOperation: a forged host, a broken session) keep their reason to the log.
    detail = _message(exception) if type(exception) is BadRequest else ""
    return _error_page(request, 400, "bad_request", detail or _("The request could not be read."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 403, "permission_denied", _message(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 404, "not_found", _message(exception))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (expired, or from elsewhere)."""
    detail = _("The form has expired or came from another site. Reload the page and try again.")
    return _error_page(request, 403, "csrf_failed", detail)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request: no session, no user, no query, as
    the database may be what failed. Still in the reader's language (LocaleMiddleware
    chose it before the view ran)."""
    if _is_api(request):
        detail = _("An error on our side stopped this request. Try again in a moment.")
        return JsonResponse({"error": "server_error", "detail": detail}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render({}))


# --- API documentation ------------------------------------------------------------------


def _is_browser(request: HttpRequest) -> bool:
    return "text/html" in request.headers.get("Accept", "") and "Authorization" not in request.headers


# Mixin of the schema view: an anonymous browser is sent to the login page and back
# (`next=`), where a bare 401 in JSON told a person nothing; an API client (a token,
# or no HTML asked for) keeps its JSON 401. (Comments, not a docstring: drf-spectacular
# would show it.)
# Its errors are JSON, in the API's one shape, not YAML nor an OpenAPI media type.
class LoginFirst:
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated) and self.sends_to_login(self.request):
            return redirect_to_login(self.request.get_full_path())
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def sends_to_login(self, request) -> bool:
        return _is_browser(request)


# The documentation pages are HTML for people: anyone not logged in logs in first.
class LoginFirstPage(LoginFirst):
    def sends_to_login(self, request) -> bool:
        return "Authorization" not in request.headers


class ApiSchemaView(LoginFirst, SpectacularAPIView):
    pass


class ApiDocsView(LoginFirstPage, SpectacularSwaggerView):
    pass


class ApiRedocView(LoginFirstPage, SpectacularRedocView):
    pass
