"""Store stock screens (tablet, htmx): look up a SKU across the network, record
receipts, adjustments and counts at the store in use.

Every screen starts from `store_scope` (built on `stores_of`): a store code outside
the user's stores is a 404, and people without stores cannot record movements."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseLocation

from inventory.errors import NegativeStock, UnknownCode
from inventory.forms import AdjustForm, CountForm, LookupForm, MovementForm, ReceiveForm
from inventory.models import AdjustmentCode, Sku, StockMovement, StockPoint
from inventory.selectors import LOOKUP_PAGE_SIZE, lookup_sku, recent_movements, scanned_sku, search_skus
from inventory.services.movements import adjust_stock, count_stock, receive_stock
from oms.core.actors import Actor, actor_of
from oms.core.errors import InvalidInput
from oms.core.screens import render_screen, store_scope

RECENT_MOVEMENTS = 10


@login_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    scope = store_scope(request)
    form = LookupForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(search_skus(text), LOOKUP_PAGE_SIZE).get_page(request.GET.get("page"))
    # A scan opens its SKU straight away, and so does the only match.
    match = scanned_sku(text) or (page[0] if page.paginator.count == 1 else None)
    if match is not None:
        url = reverse("inventory:sku", args=[match.code])
        if request.htmx:
            return HttpResponseLocation(url, target="#results")
        return redirect(url)
    context = {"scope": scope, "form": form, "text": text, "page": page, "skus": list(page)}
    return render_screen(request, "inventory/lookup.html", "inventory/_results.html", context)


@login_required
@require_GET
def sku_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = store_scope(request)
    sku = get_object_or_404(Sku, code=code)
    context = {
        "scope": scope,
        "form": LookupForm(),
        "stock": lookup_sku(sku, scope.current),
        "movements": (
            list(recent_movements(scope.current, sku=sku, limit=RECENT_MOVEMENTS))
            if scope.current is not None
            else []
        ),
        "adjustment_codes": AdjustmentCode.choices,
    }
    return render_screen(request, "inventory/sku_detail.html", "inventory/_sku.html", context)


# --- Movements at the store in use ---------------------------------------------

Recorder = Callable[[MovementForm, StockPoint, Actor], StockMovement | None]


def record_receipt(form: ReceiveForm, store: StockPoint, actor: Actor) -> StockMovement:
    data = form.cleaned_data
    return receive_stock(
        data["sku"].code,
        store.code,
        data["quantity"],
        actor=actor,
        reference=data["reference"],
        note=data["note"],
    )


def record_adjustment(form: AdjustForm, store: StockPoint, actor: Actor) -> StockMovement:
    data = form.cleaned_data
    return adjust_stock(
        data["sku"].code, store.code, form.change, code=data["code"], actor=actor, note=data["note"]
    )


def record_count(form: CountForm, store: StockPoint, actor: Actor) -> StockMovement | None:
    data = form.cleaned_data
    return count_stock(data["sku"].code, store.code, data["counted"], actor=actor, note=data["note"])


def movement_screen(
    request: HttpRequest, *, kind: str, form_class: type[MovementForm], record: Recorder
) -> HttpResponse:
    """GET shows the form (SKU pre-filled from `?sku=`); POST validates it and calls
    the service at the store in use. A refusal answers 422 with its reason."""
    scope = store_scope(request)
    if scope.current is None:
        raise PermissionDenied(_("You have no store to record stock movements for."))
    context: dict[str, object] = {"scope": scope, "kind": kind, "adjustment_codes": AdjustmentCode.choices}
    if request.method == "GET":
        context["form"] = form_class(initial={"sku": request.GET.get("sku", "")})
        return _movement_response(request, context)
    form = form_class(request.POST)
    if not form.is_valid():
        context["form"] = form
        return _movement_response(request, context, status=422)
    try:
        movement = record(form, scope.current, actor_of(request))
    except (NegativeStock, UnknownCode, InvalidInput) as refusal:
        context.update(form=form, refusal=str(refusal))
        return _movement_response(request, context, status=422)
    context.update(
        form=form_class(),
        done=True,
        movement=movement,
        sku=form.cleaned_data["sku"],
        counted=form.cleaned_data.get("counted"),
    )
    return _movement_response(request, context)


def _movement_response(
    request: HttpRequest, context: dict[str, object], *, status: int = 200
) -> HttpResponse:
    return render_screen(
        request, "inventory/movement.html", "inventory/_movement.html", context, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    return movement_screen(request, kind="receive", form_class=ReceiveForm, record=record_receipt)


@login_required
@require_http_methods(["GET", "POST"])
def adjust(request: HttpRequest) -> HttpResponse:
    return movement_screen(request, kind="adjust", form_class=AdjustForm, record=record_adjustment)


@login_required
@require_http_methods(["GET", "POST"])
def count(request: HttpRequest) -> HttpResponse:
    return movement_screen(request, kind="count", form_class=CountForm, record=record_count)
