"""Customer-service order screens (desktop first, fine on a 1024×768 tablet): find
any order, read it whole (lines and where they are held, payments, the timeline),
act on it as its state allows, and work the review queue.

Customer service and head office only: anyone else gets a 403 before a view runs.
Each action is a POST that validates a form and calls one service; it answers
with the refreshed order (or queue item), or 422 and the reason it was refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oms.core.actors import actor_of
from oms.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from oms.core.screens import render_screen, role_required
from oms.models import Role
from oms.orders.forms import (
    CancelLinesForm,
    CancelOrderForm,
    NoteForm,
    OrderSearchForm,
    RefundForm,
    RetryCaptureForm,
    ReviewForm,
)
from oms.orders.selectors import (
    channel_choices,
    order_detail,
    review_item,
    review_items,
    review_queue,
    review_queue_count,
    search_orders,
    status_label,
)
from oms.services.cancellation import cancel_order
from oms.services.notes import add_note
from oms.services.payments import request_refund, retry_capture
from oms.services.review import release_from_review

desk_only = role_required(Role.CUSTOMER_SERVICE, Role.HEAD_OFFICE)

PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 30
QUEUE = "queue"  # the `screen` posted by the review queue's forms
# Where each action's form goes in the order screen's context.
FORM_NAMES = {
    "cancel": "cancel_form",
    "cancel-lines": "lines_form",
    "note": "note_form",
    "release": "review_form",
    "review-cancel": "review_form",
    "refund": "refund_form",
    "retry-capture": "retry_form",
}


@dataclass(frozen=True)
class ActionResult:
    """What an action did (or why it was refused), shown beside its form."""

    number: str
    action: str
    ok: bool
    message: str
    details: list[str] = field(default_factory=list)


# --- Reading ---------------------------------------------------------------------------


@desk_only
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = OrderSearchForm(request.GET, channels=channel_choices())
    criteria = form.criteria()
    page = Paginator(search_orders(**criteria), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "searched": any(criteria.values()), "text": criteria["text"]}
    return render_screen(request, "orders/search.html", "orders/_results.html", context)


@desk_only
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return order_screen(request, number)


@desk_only
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    page = Paginator(review_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_screen(request, "orders/review.html", "orders/_review_list.html", _queue_context(page))


@desk_only
@require_GET
def review_badge(request: HttpRequest) -> HttpResponse:
    """The number of orders awaiting review, for the menu (loaded by htmx)."""
    return render(request, "orders/_review_badge.html", {"review_count": review_queue_count()})


# --- Acting ------------------------------------------------------------------------------


@desk_only
@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="cancel",
        form=CancelOrderForm(request.POST),
        perform=lambda form: cancel_order(
            number, actor=actor_of(request), reason=form.cleaned_data["reason"]
        ),
        done=_("Order cancelled: its stock is released."),
    )


@desk_only
@require_POST
def cancel_lines(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="cancel-lines",
        form=CancelLinesForm(request.POST),
        perform=lambda form: cancel_order(
            number, actor=actor_of(request), reason=form.cleaned_data["reason"], lines=form.cancel_lines()
        ),
        done=_("Units cancelled: their stock is released."),
    )


@desk_only
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="note",
        form=NoteForm(request.POST),
        perform=lambda form: add_note(number, actor=actor_of(request), text=form.cleaned_data["text"]),
        done=_("Note added."),
    )


@desk_only
@require_POST
def release(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="release",
        form=ReviewForm(request.POST),
        perform=lambda form: release_from_review(
            number, actor=actor_of(request), note=form.cleaned_data["note"]
        ),
        done=_("Released: the order goes on to fulfilment."),
    )


@desk_only
@require_POST
def review_cancel(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="review-cancel",
        form=ReviewForm(request.POST),
        perform=lambda form: cancel_order(number, actor=actor_of(request), reason=form.cleaned_data["note"]),
        done=_("Order cancelled after review: its stock is released."),
    )


@desk_only
@require_POST
def refund(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="refund",
        form=RefundForm(request.POST),
        perform=lambda form: request_refund(
            number,
            form.cleaned_data["amount"],
            actor=actor_of(request),
            key=_desk_key(number, form),
            reason=form.cleaned_data["reason"],
        ),
        done=_("Refund asked of the payment provider: it goes back to the original payment method."),
    )


@desk_only
@require_POST
def retry_payment_capture(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        action="retry-capture",
        form=RetryCaptureForm(request.POST),
        perform=lambda form: retry_capture(number, actor=actor_of(request), key=_desk_key(number, form)),
        done=_("Capture asked again of the payment provider."),
    )


def _desk_key(number: str, form: forms.Form) -> str:
    """The payment operation's idempotency key: the token drawn when the form was
    shown, so the same form sent twice asks the provider once."""
    return f"{number}/desk/{form.cleaned_data['token']}"


def act(
    request: HttpRequest,
    number: str,
    *,
    action: str,
    form: forms.Form,
    perform: Callable[[forms.Form], object],
    done: str,
) -> HttpResponse:
    """Validate `form` and `perform` the action with it; answer on the screen the
    form was sent from (the order, or the review queue), 422 if refused."""
    screen = request.POST.get("screen", "")
    if not form.is_valid():
        outcome = ActionResult(number, action, False, _("Not done: check the form."), form.non_field_errors())
        return _answer(request, number, screen, outcome, form, status=422)
    try:
        perform(form)
    except NotFound:
        raise Http404(_("No order %(number)s.") % {"number": number}) from None
    except (Conflict, InvalidInput) as refusal:
        outcome = ActionResult(number, action, False, *_explain(refusal, form))
        return _answer(request, number, screen, outcome, form, status=422)
    if not request.htmx:
        return redirect(
            reverse("orders:review") if screen == QUEUE else reverse("orders:detail", args=[number])
        )
    return _answer(request, number, screen, ActionResult(number, action, True, done), None)


def _answer(
    request: HttpRequest,
    number: str,
    screen: str,
    outcome: ActionResult,
    form: forms.Form | None,
    *,
    status: int = 200,
) -> HttpResponse:
    if screen != QUEUE:
        bound = {FORM_NAMES[outcome.action]: form} if form is not None else {}
        return order_screen(request, number, outcome=outcome, bound_forms=bound, status=status)
    item = review_item(number)
    if item is None:
        raise Http404(_("No order %(number)s.") % {"number": number})
    if request.htmx:
        context = {"item": item, "outcome": outcome, "form": form, "review_count": review_queue_count()}
        return render(request, "orders/_review_item.html", context, status=status)
    page = Paginator(review_queue(), QUEUE_PAGE_SIZE).get_page(1)
    return render(request, "orders/review.html", _queue_context(page, outcome=outcome), status=status)


def order_screen(
    request: HttpRequest,
    number: str,
    *,
    outcome: ActionResult | None = None,
    bound_forms: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = order_detail(number)
    if detail is None:
        raise Http404(_("No order %(number)s.") % {"number": number})
    context: dict[str, object] = {
        "detail": detail,
        "order": detail.order,
        "outcome": outcome,
        # An outcome shows beside its form, or at the top when the form is gone.
        "outcome_on_top": outcome is not None and not detail.actions.offers(outcome.action),
        "cancel_form": CancelOrderForm(),
        "lines_form": CancelLinesForm(),
        "note_form": NoteForm(),
        "review_form": ReviewForm(),
        "refund_form": RefundForm(initial={"amount": detail.actions.refund}),
        "retry_form": RetryCaptureForm(),
        **(bound_forms or {}),
    }
    if outcome is not None and request.htmx:
        context["review_count"] = review_queue_count()  # the action may have changed the queue
    return render_screen(request, "orders/detail.html", "orders/_order.html", context, status=status)


def _queue_context(page, *, outcome: ActionResult | None = None) -> dict[str, object]:
    return {"page": page, "items": review_items(page.object_list), "outcome": outcome}


def _explain(refusal: Conflict | InvalidInput, form: forms.Form) -> tuple[str, list[str]]:
    """The refusal in words, with the line each per-line error is about."""
    if isinstance(refusal, IllegalTransition):
        labels = {key: status_label(value) for key, value in refusal.payload().items()}
        if labels["current"] == labels["wanted"]:
            message = _("Already done: the order is “%(current)s”.") % labels
        else:
            message = _("Refused: the order is “%(current)s” and cannot become “%(wanted)s”.") % labels
        return message, [_("The screen now shows the order as it is.")]
    if isinstance(refusal, InvalidInput):
        asked = form.cancel_lines() if isinstance(form, CancelLinesForm) else []
        details = []
        for error in refusal.errors:
            index = error.get("line")
            about = asked[index].sku if isinstance(index, int) and index < len(asked) else ""
            details.append(f"{about}: {error['detail']}" if about else str(error["detail"]))
        return str(refusal), details
    return str(refusal), []
