"""What every screen uses: who may open it (`role_required`), the store a person
is working in (always from `stores_of`), and rendering a page or its htmx partial."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from inventory.models import StockPoint
from oms.core.permissions import role_of, stores_of

SESSION_STORE = "oms.store"

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Only people with one of `roles` open the screen: anonymous people are sent
    to the login page, others get a 403 before the view runs (so nothing changes)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if role_of(request.user) not in roles:
                raise PermissionDenied(_("This screen is not for your role."))
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator


@dataclass(frozen=True)
class StoreScope:
    """The stores a person may act on, and the one the screens are working in
    (None for people without stores, such as customer service)."""

    stores: list[StockPoint]
    current: StockPoint | None


def store_scope(request: HttpRequest) -> StoreScope:
    """The store in use: the `store` code sent with the request (query string or
    form), else the one remembered in the session, else the first of `stores_of`.
    A code sent that is not among the user's stores is a 404, so nothing can be
    read or written there. A store picked with `?store=` is remembered."""
    stores = list(stores_of(request.user))
    by_code = {store.code: store for store in stores}
    asked = request.POST.get("store") or request.GET.get("store")
    if asked:
        if asked not in by_code:
            raise Http404(_("No store %(code)s among yours.") % {"code": asked})
        if request.method == "GET":
            request.session[SESSION_STORE] = asked
        return StoreScope(stores, by_code[asked])
    remembered = by_code.get(request.session.get(SESSION_STORE, ""))
    return StoreScope(stores, remembered or (stores[0] if stores else None))


def render_screen(
    request: HttpRequest,
    page: str,
    partial: str,
    context: dict[str, object],
    *,
    status: int = 200,
) -> HttpResponse:
    """The partial for an htmx request, the full page otherwise (and for htmx's
    history restore, which needs a whole page)."""
    wants_partial = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, partial if wants_partial else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
