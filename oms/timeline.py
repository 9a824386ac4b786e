"""The order timeline's vocabulary: for each kind of entry (`TimelineKind`), the one
factory that records it and, beside it, the one reader that tells it in a sentence
in the reader's language. Nothing else creates timeline rows.

Factories are called inside the transaction of the change they record. Inside
`batched()`, entries are kept and written together, in order, in one INSERT.
Readers take the entry's stored data only (translated when read, never when
written), so an entry reads in French for one user and in English for another.

A new kind (fulfilment, returns) is a `TimelineKind` member, a factory decorated
with `@records(kind)` and a reader decorated with `@reads(kind)`;
`tests/oms/test_timeline.py` fails while one of the three is missing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oms.core.actors import Actor
from oms.models import CHANNEL_NAMES, Order, ReviewReason, StatusReason, TimelineEntry, TimelineKind
from oms.payments.base import provider_message
from oms.states import OrderStatus

K = TimelineKind
Data = Mapping[str, Any]

_batch: ContextVar[list[TimelineEntry] | None] = ContextVar("timeline_batch", default=None)


@dataclass(frozen=True)
class Told:
    """An entry in words: a title, the colour of its marker (info, ok, warn, bad,
    note), sentences of detail and, for a status change, the statuses' codes."""

    title: str
    tone: str = "info"
    details: list[str] = field(default_factory=list)
    before: str = ""
    after: str = ""


Reader = Callable[[Data], Told]
FACTORIES: dict[str, Callable[..., TimelineEntry]] = {}
READERS: dict[str, Reader] = {}


def records(*kinds: TimelineKind) -> Callable:
    """Marks the factory of `kinds`."""

    def register(factory: Callable[..., TimelineEntry]) -> Callable[..., TimelineEntry]:
        for kind in kinds:
            FACTORIES[kind] = factory
        return factory

    return register


def reads(*kinds: TimelineKind) -> Callable[[Reader], Reader]:
    """Marks the reader of `kinds`."""

    def register(reader: Reader) -> Reader:
        for kind in kinds:
            READERS[kind] = reader
        return reader

    return register


def tell(kind: str, data: Data) -> Told:
    """The entry in the active language. A kind this code does not know (a row
    written by a newer version) lists its details as they are."""
    reader = READERS.get(kind)
    if reader is None:
        return Told(
            title=kind.replace("_", " ").capitalize(),
            details=[f"{key}: {value}" for key, value in data.items()],
        )
    return reader(data)


def _entry(order: Order, kind: TimelineKind, actor: Actor, **data: object) -> TimelineEntry:
    entry = TimelineEntry(order=order, kind=kind, actor=actor.label, data=data)
    batch = _batch.get()
    if batch is None:
        entry.save(force_insert=True)
    else:
        batch.append(entry)
    return entry


@contextmanager
def batched() -> Iterator[list[TimelineEntry]]:
    """The entries recorded in the block are inserted together when it ends (one
    statement instead of one per entry); if the block raises, none is written."""
    entries: list[TimelineEntry] = []
    token = _batch.set(entries)
    try:
        yield entries
    finally:
        _batch.reset(token)
    TimelineEntry.objects.bulk_create(entries)


# --- How values read -----------------------------------------------------------------


def money(amount: Decimal) -> str:
    """An amount as stored: "64.80"."""
    return f"{amount:.2f}"


def amount_text(value: object) -> str:
    """A stored amount ("64.80") in the reader's language: 64,80 in French."""
    try:
        return number_format(Decimal(str(value)), decimal_pos=2)
    except (InvalidOperation, ValueError):
        return str(value or "")


def moment_text(value: object) -> str:
    """A stored ISO moment in the reader's language and time zone."""
    moment = parse_datetime(str(value)) if value else None
    return date_format(localtime(moment), "DATETIME_FORMAT") if moment else str(value or "")


def day_text(value: object) -> str:
    day = parse_date(str(value)) if value else None
    return date_format(day, "DATE_FORMAT") if day else str(value or "")


def channel_text(code: object) -> str:
    code = str(code or "")
    if code in CHANNEL_NAMES:
        return str(CHANNEL_NAMES[code])
    if code.startswith("marketplace:"):
        return code.removeprefix("marketplace:").replace("_", " ").title()
    return code


def status_label(code: str) -> str:
    return str(OrderStatus(code).label) if code in OrderStatus.values else code


def review_reason(code: str, **data: object) -> dict[str, object]:
    """A review reason as stored: its code and its data, apart."""
    return {"code": ReviewReason(code).value, **data}


def review_reason_text(reason: Data | str) -> str:
    """A stored review reason in words: {"code": "amount_over", "threshold":
    "500.00"} → "Amount over 500.00" (500,00 in French)."""
    if isinstance(reason, str):  # a row older than the data migration
        reason = {"code": reason}
    code = str(reason.get("code", ""))
    if code == ReviewReason.AMOUNT_OVER:
        return _("Amount over %(threshold)s") % {"threshold": amount_text(reason.get("threshold"))}
    return str(ReviewReason(code).label) if code in ReviewReason.values else code


def _because(reason: object) -> list[str]:
    return [_("Reason: %(reason)s") % {"reason": reason}] if reason else []


# --- The kinds: factory, then reader ----------------------------------------------------


@records(K.ORDER_CREATED)
def order_created(order: Order, *, actor: Actor, channel: str, lines: int) -> TimelineEntry:
    return _entry(order, K.ORDER_CREATED, actor, channel=channel, lines=lines)


@reads(K.ORDER_CREATED)
def _read_order_created(data: Data) -> Told:
    count = int(data.get("lines") or 0)
    sentence = ngettext("Channel %(channel)s, %(n)d line.", "Channel %(channel)s, %(n)d lines.", count)
    return Told(
        _("Order created"), "ok", [sentence % {"channel": channel_text(data.get("channel")), "n": count}]
    )


@records(K.STATUS_CHANGED)
def status_changed(
    order: Order, *, actor: Actor, before: str, after: str, reason: str = "", **details: object
) -> TimelineEntry:
    """`reason`: a `StatusReason` (or none); `details`: its data, such as the
    customer's `note` for a cancellation or the provider's `error`."""
    reason = StatusReason(reason).value if reason else ""
    return _entry(order, K.STATUS_CHANGED, actor, before=before, after=after, reason=reason, **details)


def status_reason_text(data: Data) -> str:
    code = str(data.get("reason") or "")
    if not code:
        return str(data.get("note") or "")
    label = str(StatusReason(code).label) if code in StatusReason.values else code
    extra = data.get("note") or provider_message(data.get("error"))
    return _("%(reason)s: %(detail)s") % {"reason": label, "detail": extra} if extra else label


@reads(K.STATUS_CHANGED)
def _read_status_changed(data: Data) -> Told:
    before, after = str(data.get("before", "")), str(data.get("after", ""))
    tone = {"cancelled": "bad", "expired": "bad", "payment_failed": "bad"}.get(after, "info")
    return Told(_("Status changed"), tone, _because(status_reason_text(data)), before=before, after=after)


@records(K.STOCK_RESERVED)
def stock_reserved(order: Order, *, actor: Actor, holds: list[dict[str, object]]) -> TimelineEntry:
    return _entry(order, K.STOCK_RESERVED, actor, holds=holds)


@reads(K.STOCK_RESERVED)
def _read_stock_reserved(data: Data) -> Told:
    details = [
        (_("%(sku)s × %(n)s on incoming stock") if hold.get("preorder") else _("%(sku)s × %(n)s"))
        % {"sku": hold.get("sku", ""), "n": hold.get("quantity", "")}
        for hold in data.get("holds", [])
    ]
    return Told(_("Stock reserved"), details=details)


@records(K.PREORDERED)
def preordered(order: Order, *, actor: Actor, sku: str, quantity: int, promised: str) -> TimelineEntry:
    return _entry(order, K.PREORDERED, actor, sku=sku, quantity=quantity, promised_date=promised)


@reads(K.PREORDERED)
def _read_preordered(data: Data) -> Told:
    sentence = _("%(sku)s × %(n)s, promised for %(date)s") % {
        "sku": data.get("sku", ""),
        "n": data.get("quantity", ""),
        "date": day_text(data.get("promised_date")),
    }
    return Told(_("Pre-ordered"), "warn", [sentence])


@records(K.HELD_FOR_REVIEW)
def held_for_review(order: Order, *, actor: Actor, reasons: list[dict[str, object]]) -> TimelineEntry:
    """`reasons`: as `review_reason()` builds them."""
    return _entry(order, K.HELD_FOR_REVIEW, actor, reasons=reasons)


@reads(K.HELD_FOR_REVIEW)
def _read_held_for_review(data: Data) -> Told:
    return Told(_("Held for review"), "warn", [review_reason_text(r) for r in data.get("reasons", [])])


@records(K.REVIEW_RELEASED)
def review_released(order: Order, *, actor: Actor, note: str) -> TimelineEntry:
    return _entry(order, K.REVIEW_RELEASED, actor, note=note)


@reads(K.REVIEW_RELEASED)
def _read_review_released(data: Data) -> Told:
    return Told(_("Released from review"), "ok", [_("Note: %(note)s") % {"note": data.get("note", "")}])


@records(K.ORDER_CANCELLED)
def order_cancelled(order: Order, *, actor: Actor, reason: str) -> TimelineEntry:
    """`reason`: the words of whoever cancelled."""
    return _entry(order, K.ORDER_CANCELLED, actor, reason=reason)


@reads(K.ORDER_CANCELLED)
def _read_order_cancelled(data: Data) -> Told:
    return Told(_("Order cancelled"), "bad", _because(data.get("reason")))


@records(K.LINES_CANCELLED)
def lines_cancelled(
    order: Order, *, actor: Actor, lines: list[dict[str, object]], reason: str
) -> TimelineEntry:
    return _entry(order, K.LINES_CANCELLED, actor, lines=lines, reason=reason)


@reads(K.LINES_CANCELLED)
def _read_lines_cancelled(data: Data) -> Told:
    details = [
        _("%(sku)s: %(n)s unit(s) cancelled, %(released)s released from stock")
        % {"sku": line.get("sku", ""), "n": line.get("quantity", ""), "released": line.get("released", 0)}
        for line in data.get("lines", [])
    ]
    return Told(_("Lines cancelled"), "bad", details + _because(data.get("reason")))


@records(K.HOLD_EXPIRED)
def hold_expired(order: Order, *, actor: Actor, held_until: str) -> TimelineEntry:
    return _entry(order, K.HOLD_EXPIRED, actor, held_until=held_until)


@reads(K.HOLD_EXPIRED)
def _read_hold_expired(data: Data) -> Told:
    details = [_("Held until %(when)s") % {"when": moment_text(data.get("held_until"))}]
    return Told(_("E-reservation expired"), "bad", details)


@records(K.STOCK_RELEASED)
def stock_released(order: Order, *, actor: Actor, units: int, reason: str) -> TimelineEntry:
    """`reason`: a `StatusReason`."""
    return _entry(order, K.STOCK_RELEASED, actor, units=units, reason=StatusReason(reason).value)


@reads(K.STOCK_RELEASED)
def _read_stock_released(data: Data) -> Told:
    details = [_("%(n)s unit(s) back in stock") % {"n": data.get("units", 0)}]
    return Told(_("Stock released"), details=details + _because(status_reason_text(data)))


@records(K.PAYMENT_AUTHORISED)
def payment_authorised(
    order: Order, *, actor: Actor, provider: str, reference: str, amount: Decimal
) -> TimelineEntry:
    return _entry(
        order, K.PAYMENT_AUTHORISED, actor, provider=provider, reference=reference, amount=money(amount)
    )


@reads(K.PAYMENT_AUTHORISED)
def _read_payment_authorised(data: Data) -> Told:
    sentence = _("%(amount)s authorised by %(provider)s (reference %(reference)s)") % {
        "amount": amount_text(data.get("amount")),
        "provider": data.get("provider", ""),
        "reference": data.get("reference", ""),
    }
    return Told(_("Payment authorised"), "ok", [sentence])


PAYMENT_OPERATION_KINDS = {
    "capture": K.PAYMENT_CAPTURE,
    "refund": K.PAYMENT_REFUND,
    "void": K.PAYMENT_VOID,
    "partial_void": K.PAYMENT_PARTIAL_VOID,
}


@records(K.PAYMENT_CAPTURE, K.PAYMENT_REFUND, K.PAYMENT_VOID, K.PAYMENT_PARTIAL_VOID)
def payment_operation(
    order: Order, *, actor: Actor, kind: str, amount: Decimal, outcome: str, error: str = ""
) -> TimelineEntry:
    """A capture, refund, void or partial void (`kind`, a `PaymentOperation.Kind`) and its
    outcome (succeeded, failed)."""
    return _entry(
        order, PAYMENT_OPERATION_KINDS[kind], actor, amount=money(amount), outcome=outcome, error=error
    )


def _payment_titles() -> dict[tuple[str, str], str]:
    return {
        (K.PAYMENT_CAPTURE, "pending"): _("Capture requested"),
        (K.PAYMENT_CAPTURE, "succeeded"): _("Payment captured"),
        (K.PAYMENT_CAPTURE, "failed"): _("Capture failed"),
        (K.PAYMENT_REFUND, "pending"): _("Refund requested"),
        (K.PAYMENT_REFUND, "succeeded"): _("Refund issued"),
        (K.PAYMENT_REFUND, "failed"): _("Refund failed"),
        (K.PAYMENT_VOID, "pending"): _("Void of the authorisation requested"),
        (K.PAYMENT_VOID, "succeeded"): _("Authorisation voided"),
        (K.PAYMENT_VOID, "failed"): _("Void failed"),
        (K.PAYMENT_PARTIAL_VOID, "pending"): _("Partial void of the authorisation requested"),
        (K.PAYMENT_PARTIAL_VOID, "succeeded"): _("Authorisation reduced"),
        (K.PAYMENT_PARTIAL_VOID, "failed"): _("Partial void failed"),
    }


def _payment_reader(kind: TimelineKind) -> Reader:
    def read(data: Data) -> Told:
        outcome = str(data.get("outcome", ""))
        details = [_("Amount: %(amount)s") % {"amount": amount_text(data.get("amount"))}]
        if data.get("error"):
            details.append(_("Error: %(error)s") % {"error": provider_message(data["error"])})
        title = _payment_titles().get((kind, outcome), f"{kind} ({outcome})")
        tone = {"pending": "info", "succeeded": "ok", "failed": "bad"}.get(outcome, "info")
        return Told(title, tone, details)

    return read


for _kind in PAYMENT_OPERATION_KINDS.values():
    READERS[_kind] = _payment_reader(_kind)


@records(K.NOTE)
def note_added(order: Order, *, actor: Actor, text: str) -> TimelineEntry:
    return _entry(order, K.NOTE, actor, text=text)


@reads(K.NOTE)
def _read_note(data: Data) -> Told:
    return Told(_("Note"), "note", [str(data.get("text", ""))])
