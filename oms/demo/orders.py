"""Demo orders in every state (SPEC §7), placed through the product's own services.

Each demo order is placed with an idempotency key of the demo integration, so a
second run finds the orders of the first and changes nothing. Their events are
marked as already delivered: a demo must not send a few hundred e-mails."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from inventory.errors import InsufficientStock
from inventory.models import Sku, StockLevel, StockPoint
from inventory.services.reservations import commit_reservations
from oms.core.actors import Actor
from oms.models import (
    Channel,
    Customer,
    Order,
    OutboxEvent,
    Payment,
    PaymentOperation,
    ReviewRule,
    TimelineEntry,
)
from oms.payments import ProviderResult
from oms.services.cancellation import CancelLine, cancel_order
from oms.services.capture import (
    AddressInput,
    CustomerInput,
    DeliveryInput,
    Idempotency,
    LineInput,
    PaymentInput,
    PlaceOrder,
    place_order,
)
from oms.services.holds import release_expired_holds
from oms.services.payments import record_operation_result, request_capture
from oms.services.transitions import transition_line, transition_order
from oms.states import LineStatus, OrderStatus

CHANNELS = [
    ("web", "Web shop", False, "WEB"),
    ("app", "Mobile app", True, "APP"),
    ("marketplace:zalando", "Zalando", False, "ZAL"),
    ("store", "Stores (order in store)", False, "MAG"),
    ("call_centre", "Call centre", False, "TEL"),
]
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Hugo",
    "Manon",
    "Lucas",
    "Chloé",
    "Louis",
    "Inès",
    "Jules",
    "Emma",
    "Arthur",
    "Zoé",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
]
CITIES = [  # a customer address per city: (postal code, city, latitude, longitude)
    ("75011", "Paris", 48.8590, 2.3790),
    ("69007", "Lyon", 45.7450, 4.8420),
    ("13006", "Marseille", 43.2880, 5.3800),
    ("31400", "Toulouse", 43.5880, 1.4540),
    ("33800", "Bordeaux", 44.8230, -0.5660),
    ("59800", "Lille", 50.6330, 3.0700),
    ("44000", "Nantes", 47.2180, -1.5530),
    ("67000", "Strasbourg", 48.5800, 7.7500),
]
ACTOR = Actor.system("seed_demo")
# The demo orders arrive over the last two weeks, the newest a few minutes ago.
SPREAD = timedelta(days=14)
NEWEST_AGE = timedelta(minutes=4)
# At most this long between two steps of an order (placed, in fulfilment, shipped…).
STEP_GAP = timedelta(hours=5)


@dataclass(frozen=True)
class OrderPlan:
    number: int
    channel: str
    method: str
    status: str


def plans(count: int) -> list[OrderPlan]:
    """What each demo order becomes: mostly confirmed, some in every other state."""
    rng = random.Random(7)
    ends = (
        [OrderStatus.CONFIRMED] * 40
        + [OrderStatus.IN_FULFILMENT] * 15
        + [OrderStatus.SHIPPED] * 15
        + [OrderStatus.READY_FOR_COLLECTION] * 8
        + [OrderStatus.COLLECTED] * 8
        + [OrderStatus.CANCELLED] * 6
        + ["lines_cancelled"] * 3
        + [OrderStatus.AWAITING_REVIEW] * 4
        + [OrderStatus.EXPIRED] * 3
        + [OrderStatus.PAYMENT_FAILED] * 2
    )
    result = []
    for number in range(1, count + 1):
        status = rng.choice(ends)
        method = {
            OrderStatus.READY_FOR_COLLECTION: "click_and_collect",
            OrderStatus.COLLECTED: "click_and_collect",
            OrderStatus.EXPIRED: "e_reservation",
        }.get(status) or rng.choice(["home_delivery"] * 4 + ["click_and_collect"])
        channel = "store" if method == "e_reservation" else rng.choice([c[0] for c in CHANNELS])
        result.append(OrderPlan(number, channel, method, status))
    return result


def seed_channels_and_rules() -> None:
    for code, name, preorders, prefix in CHANNELS:
        Channel.objects.update_or_create(
            code=code, defaults={"name": name, "accepts_preorders": preorders, "order_prefix": prefix}
        )
    for kind, threshold in (("amount_over", Decimal("400.00")), ("flagged_customer", None)):
        ReviewRule.objects.get_or_create(kind=kind, channel=None, defaults={"threshold": threshold})
    Customer.objects.get_or_create(
        email="suspicious.buyer@example.com",
        defaults={
            "first_name": "Alex",
            "last_name": "Dupont",
            "is_flagged": True,
            "flag_reason": "Chargebacks on two earlier orders",
        },
    )


def seed_orders(count: int = 200) -> int:
    """Place the demo orders (idempotent) and bring each to its planned state.
    Returns how many were created by this run."""
    seed_channels_and_rules()
    client = get_user_model().objects.get(username="api-demo-shop")
    stores = list(StockPoint.objects.stores().offering("click_and_collect").order_by("code")[:12])
    e_stores = list(StockPoint.objects.stores().offering("e_reservation").order_by("code")[:6])
    rng = random.Random(11)
    created_numbers: list[str] = []
    now = timezone.now()
    for plan in plans(count):
        pickup = rng.choice(e_stores if plan.method == "e_reservation" else stores)
        skus = _skus_in_stock(rng, pickup if plan.method == "e_reservation" else None)
        if not skus:
            continue
        command = _command(plan, rng, skus, pickup)
        key = Idempotency(
            client_id=client.pk, key=f"demo-order-{plan.number}", request_hash=f"demo-{plan.number}"
        )
        try:
            order, created = place_order(command, actor=Actor("api-demo-shop", client.pk), idempotency=key)
        except InsufficientStock:
            continue
        if created:
            captured = timezone.now()
            _bring_to(order, plan.status)
            _backdate(order, placed_at=placed_at(plan.number, count, now=now), captured=captured, now=now)
            created_numbers.append(order.number)
    # History, not news: nobody is e-mailed about demo orders.
    OutboxEvent.objects.filter(order_number__in=created_numbers, dispatched_at__isnull=True).update(
        dispatched_at=F("created_at")
    )
    return len(created_numbers)


def placed_at(number: int, count: int, *, now: datetime) -> datetime:
    """When demo order `number` of `count` was placed: the first two weeks ago, the
    last a few minutes ago, evenly spread with a little jitter (the same each run)."""
    share = (number - 1) / max(count - 1, 1)
    jitter = timedelta(minutes=random.Random(number).uniform(-20, 20))
    at = now - SPREAD + share * (SPREAD - NEWEST_AGE) + jitter
    return min(max(at, now - SPREAD), now - NEWEST_AGE)


def _backdate(order: Order, *, placed_at: datetime, captured: datetime, now: datetime) -> None:
    """Move an order just placed (and brought to its state) back to `placed_at`: what
    capture wrote keeps its offsets from the order's creation, each later step of
    the timeline follows the one before by up to STEP_GAP, and never after `now`.
    Payments, their operations and events move with the step they belong to."""
    order = Order.objects.only("number", "status", "hold_until", "created_at").get(pk=order.pk)
    entries = list(TimelineEntry.objects.filter(order=order).order_by("created_at", "pk"))
    later = [entry for entry in entries if entry.created_at > captured]
    gap = min(STEP_GAP, (now - placed_at) / (len(later) + 1))
    # (original time, new time) of each step, oldest first: a time is moved as the
    # last step at or before it.
    steps = [(order.created_at, placed_at)] + [
        (entry.created_at, placed_at + gap * (position + 1)) for position, entry in enumerate(later)
    ]

    def moved(original: datetime | None) -> datetime | None:
        if original is None:
            return None
        start, new_start = next(((o, n) for o, n in reversed(steps) if o <= original), steps[0])
        return new_start + min(original - start, gap / 2)

    for entry in entries:
        TimelineEntry.objects.filter(pk=entry.pk).update(created_at=moved(entry.created_at))
    last_step = moved(entries[-1].created_at) if entries else placed_at
    order_times = {"created_at": placed_at, "updated_at": last_step}
    if order.hold_until is not None and order.status == OrderStatus.EXPIRED:
        order_times["hold_until"] = min(moved(order.hold_until), last_step)
    Order.objects.filter(pk=order.pk).update(**order_times)
    for payment in Payment.objects.filter(order=order):
        Payment.objects.filter(pk=payment.pk).update(
            created_at=moved(payment.created_at), updated_at=moved(payment.updated_at)
        )
    for operation in PaymentOperation.objects.filter(payment__order=order):
        PaymentOperation.objects.filter(pk=operation.pk).update(
            created_at=moved(operation.created_at), completed_at=moved(operation.completed_at)
        )
    for event in OutboxEvent.objects.filter(order_number=order.number):
        OutboxEvent.objects.filter(pk=event.pk).update(created_at=moved(event.created_at))


def _skus_in_stock(rng: random.Random, store: StockPoint | None) -> list[Sku]:
    levels = StockLevel.objects.filter(atp__gte=3)
    if store is not None:
        levels = levels.filter(stock_point=store)
    ids = list(levels.values_list("sku_id", flat=True).order_by("sku_id").distinct()[:400])
    if not ids:
        return []
    chosen = rng.sample(ids, k=min(len(ids), rng.choice([1, 1, 1, 2, 2, 3])))
    return list(Sku.objects.filter(pk__in=chosen).order_by("code"))


def _command(plan: OrderPlan, rng: random.Random, skus: list[Sku], pickup: StockPoint) -> PlaceOrder:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{first.lower()}.{last.lower()}{plan.number % 37}@example.fr".replace("é", "e").replace("ï", "i")
    if plan.status == OrderStatus.AWAITING_REVIEW and plan.number % 2:
        email = "suspicious.buyer@example.com"
    lines = [LineInput(sku=sku.code, quantity=1, unit_price=sku.price) for sku in skus]
    if plan.status == OrderStatus.AWAITING_REVIEW and not plan.number % 2:
        lines = [LineInput(sku=skus[0].code, quantity=2, unit_price=Decimal("249.00"))]
    postal_code, city, latitude, longitude = rng.choice(CITIES)
    home = plan.method == "home_delivery"
    shipping = Decimal("4.90") if home else Decimal("0")
    total = sum((line.unit_price * line.quantity for line in lines), Decimal("0")) + shipping
    reference = f"demo-auth-{plan.number}" + (
        "-fail-capture" if plan.status == OrderStatus.PAYMENT_FAILED else ""
    )
    return PlaceOrder(
        channel=plan.channel,
        external_reference=f"DEMO-{plan.number:04d}",
        customer=CustomerInput(email=email, first_name=first, last_name=last, phone=f"06{plan.number:08d}"),
        delivery=DeliveryInput(
            method=plan.method,
            service="standard" if home else "",
            pickup_store="" if home else pickup.code,
            address=AddressInput(
                line1=f"{plan.number} rue de la Paix",
                postal_code=postal_code,
                city=city,
                country="FR",
                latitude=latitude,
                longitude=longitude,
            )
            if home
            else None,
        ),
        lines=lines,
        payment=None
        if plan.method == "e_reservation"
        else PaymentInput(provider="sandbox", reference=reference, amount=total),
        shipping_amount=shipping,
    )


def _bring_to(order, status: str) -> None:
    if (
        status in (OrderStatus.CONFIRMED, OrderStatus.AWAITING_REVIEW)
        or order.status != OrderStatus.CONFIRMED
    ):
        return
    if status == OrderStatus.CANCELLED:
        cancel_order(order.number, actor=ACTOR, reason="Customer changed their mind")
        return
    if status == "lines_cancelled":
        first = order.lines.select_related("sku").first()
        cancel_order(
            order.number, actor=ACTOR, reason="Item no longer wanted", lines=[CancelLine(first.sku.code, 1)]
        )
        return
    if status == OrderStatus.EXPIRED:
        release_expired_holds(now=order.hold_until + timedelta(minutes=1))
        return
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=ACTOR, reason="sourced")
    lines = [line for line in order.lines.all() if line.status == LineStatus.OPEN]
    for line in lines:
        transition_line(line, LineStatus.ALLOCATED)
    if status == OrderStatus.PAYMENT_FAILED:
        operation = request_capture(
            order.number, order.total_amount, actor=ACTOR, key=f"{order.number}-capture"
        )
        record_operation_result(
            operation.pk, ProviderResult(False, error="Sandbox: capture declined (card expired).")
        )
    elif status in (OrderStatus.SHIPPED, OrderStatus.COLLECTED):
        # Paid when it leaves: the whole amount captured, as a shipment or collection does.
        operation = request_capture(
            order.number, order.total_amount, actor=ACTOR, key=f"{order.number}-capture"
        )
        record_operation_result(operation.pk, ProviderResult(True, provider_reference=f"cap-{order.number}"))
        for line in lines:
            commit_reservations(
                line.reservation_reference, actor=ACTOR, reason="shipment" if status == "shipped" else "sale"
            )
            transition_line(line, LineStatus.SHIPPED if status == "shipped" else LineStatus.COLLECTED)
        if status == OrderStatus.COLLECTED:
            transition_order(order, OrderStatus.READY_FOR_COLLECTION, actor=ACTOR)
        transition_order(order, status, actor=ACTOR)
    elif status == OrderStatus.READY_FOR_COLLECTION:
        transition_order(order, status, actor=ACTOR)
