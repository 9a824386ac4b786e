"""Reads of orders for the customer-service screens: search, the detail of one
order (lines with their allocations, payments, the whole timeline told in words),
the review queue, and which actions an order's state allows. Each read is a fixed
number of queries, whatever the number of rows, lines or timeline entries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from inventory.models import Reservation, ReservationStatus
from oms import timeline
from oms.core.phones import normalise_phone
from oms.models import Channel, Order, OrderLine, Payment, PaymentOperation, TimelineEntry
from oms.payments.rules import payment_choices
from oms.states import CANCELLABLE, LINE_CANCELLABLE, OrderStatus
from oms.timeline import status_label

# A phone number has at least this many digits: "1001" is not a phone.
MIN_PHONE_DIGITS = 6


# --- Search -------------------------------------------------------------------------


def search_orders(text: str = "", *, status: str = "", channel: str = "") -> QuerySet[Order]:
    """Orders matching `text`, newest first: the order number (whole or its start,
    any case), the customer's e-mail (any case), phone (in any format), last name
    or "first last" name, or the channel's reference. No text: every order.
    `status` and `channel` (a code) narrow the result."""
    orders = Order.objects.select_related("channel", "customer").order_by("-created_at", "-id")
    text = " ".join(text.split())
    if text:
        orders = orders.filter(_matching(text))
    if status:
        orders = orders.filter(status=status)
    if channel:
        orders = orders.filter(channel__code=channel)
    return orders


def _matching(text: str) -> Q:
    match = Q(external_reference__iexact=text)
    if "@" in text:
        return match | Q(customer__email__iexact=text)
    match |= Q(number__istartswith=text) | Q(customer__last_name__iexact=text)
    digits = sum(ch.isdigit() for ch in text)
    phone = (
        normalise_phone(text) if digits >= MIN_PHONE_DIGITS and not any(ch.isalpha() for ch in text) else ""
    )
    if phone:
        match |= Q(customer__phone=phone)
    if " " in text:
        first, rest = text.split(" ", 1)  # "Anne Le Goff"
        head, last_word = text.rsplit(" ", 1)  # "Le Goff Anne"
        match |= Q(customer__first_name__iexact=first, customer__last_name__iexact=rest)
        match |= Q(customer__first_name__iexact=last_word, customer__last_name__iexact=head)
    return match


def channel_choices() -> list[tuple[str, str]]:
    """(code, name) of every channel, for the search filter."""
    return [(channel.code, channel.label) for channel in Channel.objects.order_by("code")]


# --- Review queue ----------------------------------------------------------------------


def review_queue() -> QuerySet[Order]:
    """Orders waiting for customer service's review, oldest first."""
    return Order.objects.awaiting_review().select_related("channel", "customer").order_by("created_at", "id")


def review_queue_count() -> int:
    return Order.objects.awaiting_review().count()


@dataclass(frozen=True)
class ReviewItem:
    order: Order
    reasons: list[str]

    @property
    def is_awaiting_review(self) -> bool:
        return self.order.status == OrderStatus.AWAITING_REVIEW


def review_items(orders: Iterable[Order]) -> list[ReviewItem]:
    """Orders of the queue with their review reasons in words."""
    return [
        ReviewItem(order, [describe_review_reason(code) for code in order.review_reasons]) for order in orders
    ]


def review_item(number: str) -> ReviewItem | None:
    """One order as the review queue shows it, whatever its status now."""
    order = Order.objects.select_related("channel", "customer").filter(number=number).first()
    return None if order is None else review_items([order])[0]


def describe_review_reason(reason: dict[str, object] | str) -> str:
    """A stored review reason in words: {"code": "amount_over", "threshold": "500.00"}
    → "Amount over 500.00"."""
    return timeline.review_reason_text(reason)


# --- One order ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineAllocation:
    stock_point: str
    quantity: int
    status: str
    preorder: bool


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    allocations: list[LineAllocation]

    @property
    def is_cancellable(self) -> bool:
        return self.line.status in LINE_CANCELLABLE and self.line.open_quantity > 0


@dataclass(frozen=True)
class OrderActions:
    """What the order's state allows (oms.states), for the buttons on screen. The
    services check again when asked."""

    cancel_order: bool  # outside review (where the review's own cancel is offered)
    cancel_lines: bool
    review: bool
    add_note: bool = True
    refund: Decimal = Decimal("0.00")  # the most a refund may take now; 0: not offered
    retry_capture: Decimal = Decimal("0.00")  # after a failed capture: what a retry takes
    to_capture: Decimal = Decimal("0.00")  # what may still be captured (follows cancellations)

    def offers(self, action: str) -> bool:
        """Whether the screen offers `action` (the names of the order screen's forms)."""
        return {
            "cancel": self.cancel_order,
            "cancel-lines": self.cancel_lines,
            "note": self.add_note,
            "release": self.review,
            "review-cancel": self.review,
            "refund": self.refund > 0,
            "retry-capture": self.retry_capture > 0,
        }.get(action, False)


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    title: str
    actor: str
    at: datetime
    tone: str = "info"  # info, ok, warn, bad, note: the colour of its marker
    details: list[str] = field(default_factory=list)
    before: str = ""  # a status change: the statuses' codes and labels
    after: str = ""
    before_label: str = ""
    after_label: str = ""


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    lines: list[LineView]
    payments: list[Payment]
    timeline: list[TimelineItem]
    review_reasons: list[str]
    actions: OrderActions


def allocations_of(order: Order) -> dict[int, list[dict]]:
    """Where each line's units are held, by line number (one query); the order
    screen and the order API both show them."""
    holds = (
        Reservation.objects.filter(reference__startswith=f"{order.number}/")
        .exclude(status=ReservationStatus.RELEASED)
        .values_list("reference", "stock_point__code", "quantity", "status", "future_stock_id")
        .order_by("pk")
    )
    result: dict[int, list[dict]] = defaultdict(list)
    for reference, point, quantity, status, future_id in holds:
        line_number = int(reference.rsplit("/", 1)[1])
        result[line_number].append(
            {"stock_point": point, "quantity": quantity, "status": status, "preorder": future_id is not None}
        )
    return result


def order_detail(number: str) -> OrderDetail | None:
    """Everything the order screen shows, in six queries; None if no such order."""
    order = (
        Order.objects.select_related("channel", "customer", "pickup_store")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("line_number")),
            Prefetch(
                "payments",
                queryset=Payment.objects.order_by("pk").prefetch_related(
                    Prefetch("operations", queryset=PaymentOperation.objects.order_by("created_at", "id"))
                ),
            ),
            Prefetch("timeline", queryset=TimelineEntry.objects.order_by("-created_at", "-id")),
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        return None
    held = allocations_of(order)
    lines = [
        LineView(line, [LineAllocation(**hold) for hold in held.get(line.line_number, [])])
        for line in order.lines.all()
    ]
    return OrderDetail(
        order=order,
        lines=lines,
        payments=list(order.payments.all()),
        timeline=[describe_entry(entry) for entry in order.timeline.all()],
        review_reasons=[describe_review_reason(code) for code in order.review_reasons],
        actions=actions_for(order, lines),
    )


def actions_for(order: Order, lines: list[LineView]) -> OrderActions:
    cancellable = order.status in CANCELLABLE and any(line.is_cancellable for line in lines)
    in_review = order.status == OrderStatus.AWAITING_REVIEW
    payment = next(iter(order.payments.all()), None)
    money = payment_choices(payment, list(payment.operations.all())) if payment is not None else None
    return OrderActions(
        cancel_order=cancellable and not in_review,
        cancel_lines=cancellable,
        review=in_review,
        refund=money.refundable if money else Decimal("0.00"),
        retry_capture=money.capture_to_retry if money else Decimal("0.00"),
        to_capture=money.to_capture if money else Decimal("0.00"),
    )


# --- The timeline in words ------------------------------------------------------------


SYSTEM_PARTS = {
    "payments": pgettext_lazy("system actor", "payments"),
    "shipping": pgettext_lazy("system actor", "shipping"),
    "e-reservation-expiry": pgettext_lazy("system actor", "e-reservation expiry"),
    "seed_demo": pgettext_lazy("system actor", "demo data"),
}


def actor_label(label: str) -> str:
    """ "system:payments" → "System (payments)", in the reader's language when the
    part is known; people and integrations by name."""
    if label.startswith("system:"):
        part = label.removeprefix("system:")
        return _("System (%(what)s)") % {"what": SYSTEM_PARTS.get(part, part)}
    return label


def describe_entry(entry: TimelineEntry) -> TimelineItem:
    """One timeline entry told in words by its kind's reader (`oms.timeline`)."""
    told = timeline.tell(entry.kind, entry.data or {})
    return TimelineItem(
        kind=entry.kind,
        title=told.title,
        actor=actor_label(entry.actor),
        at=entry.created_at,
        tone=told.tone,
        details=told.details,
        before=told.before,
        after=told.after,
        before_label=status_label(told.before) if told.before else "",
        after_label=status_label(told.after) if told.after else "",
    )
