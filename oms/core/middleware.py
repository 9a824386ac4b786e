"""Middleware of the screens."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

from oms.core.api.input import text_problem


class StorableTextMiddleware:
    """A screen's path and query string hold only text a database can store: a NUL
    character (`/orders/%00/`, `?q=%00`) reached PostgreSQL, which answered 500. Such
    a request is refused before any view runs with the 400 page, so nothing changes.
    Form fields need no check: Django's form fields refuse NUL themselves. The API
    refuses the same text itself, after authentication, with its JSON 400
    (oms.core.api.input)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/"):
            problem = text_problem(request.path) or next(
                filter(
                    None,
                    (text_problem(text) for key, values in request.GET.lists() for text in (key, *values)),
                ),
                None,
            )
            if problem:
                raise BadRequest(problem)
        return self.get_response(request)
