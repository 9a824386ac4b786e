"""Order capture: from any channel, idempotent, validated line by line, reserving
stock atomically. The order, its holds, its payment authorisation, its timeline
and its events are written in one transaction: all of them or none."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Service, Sku, StockPoint
from inventory.services.network import LineHolds, NetworkLine, reserve_in_network
from oms import timeline
from oms.core.actors import Actor
from oms.core.errors import IdempotencyMismatch, InvalidInput
from oms.core.phones import normalise_phone
from oms.models import (
    Channel,
    Customer,
    EventType,
    IdempotencyKey,
    Order,
    OrderLine,
    Payment,
    reservation_reference,
)
from oms.payloads import order_event_payload
from oms.prefetch import prefetched
from oms.services.outbox import record_events
from oms.services.review import review_reasons
from oms.states import DeliveryMethod, LineStatus, OrderStatus, PaymentStatus


@dataclass(frozen=True)
class CustomerInput:
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    language: str = ""


@dataclass(frozen=True)
class AddressInput:
    line1: str = ""
    line2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    name: str = ""


@dataclass(frozen=True)
class DeliveryInput:
    method: str
    service: str = ""
    pickup_store: str = ""
    address: AddressInput | None = None


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class PaymentInput:
    provider: str
    reference: str
    amount: Decimal
    currency: str = "EUR"


@dataclass(frozen=True)
class PlaceOrder:
    channel: str
    customer: CustomerInput
    delivery: DeliveryInput
    lines: list[LineInput]
    payment: PaymentInput | None = None
    external_reference: str = ""
    billing_address: AddressInput | None = None
    shipping_amount: Decimal = Decimal("0")
    currency: str = "EUR"
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Idempotency:
    client_id: int
    key: str
    request_hash: str


def request_hash(body: object) -> str:
    """A stable fingerprint of a request body (key order does not matter)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def place_order(
    command: PlaceOrder, *, actor: Actor, idempotency: Idempotency | None = None
) -> tuple[Order, bool]:
    """Capture an order. Returns (order, created). With `idempotency`, the same key
    and body give back the order made the first time (created False), even when
    the retries race each other; the same key with another body raises
    IdempotencyMismatch. Raises InvalidInput (per line) or InsufficientStock."""
    for attempt in range(3):
        try:
            return _place_order(command, actor=actor, idempotency=idempotency)
        except OperationalError as error:  # a deadlock between two multi-line orders
            if attempt == 2 or getattr(getattr(error, "__cause__", None), "sqlstate", "") not in {
                "40P01",
                "40001",
            }:
                raise
    raise AssertionError("unreachable")


def _place_order(command: PlaceOrder, *, actor: Actor, idempotency: Idempotency | None) -> tuple[Order, bool]:
    channel, skus, pickup_store = _validate(command)
    with transaction.atomic():
        if idempotency is not None:
            existing = _claim_key(idempotency)
            if existing is not None:
                return existing, False
        customer = _unify_customer(command.customer)
        order = _new_order(command, channel, customer, pickup_store)
        reasons = review_reasons(order, customer, command.billing_address)
        order.review_reasons = reasons
        order.status = OrderStatus.AWAITING_REVIEW if reasons else OrderStatus.CONFIRMED
        _insert_order(order, channel)
        lines = _create_lines(order, command, skus)
        payment = _record_payment(order, command.payment)
        if idempotency is not None:
            IdempotencyKey.objects.filter(client_id=idempotency.client_id, key=idempotency.key).update(
                order=order
            )
        # Stock last: the hot stock levels stay locked from the reservation to the
        # commit, so as little as possible happens in between.
        with timeline.batched() as entries:
            timeline.order_created(order, actor=actor, channel=channel.code, lines=len(lines))
            holds = _reserve(order, lines, channel, pickup_store)
            timeline.stock_reserved(order, actor=actor, holds=[_hold_entry(held) for held in holds])
            _record_preorders(order, lines, holds, actor)
            if payment is not None:
                timeline.payment_authorised(
                    order,
                    actor=actor,
                    provider=payment.provider,
                    reference=payment.reference,
                    amount=payment.authorised_amount,
                )
            for note in command.notes:
                timeline.note_added(order, actor=actor, text=note)
            if reasons:
                timeline.held_for_review(order, actor=actor, reasons=reasons)
        payload = order_event_payload(order, lines=lines)
        if reasons:
            second = (EventType.ORDER_HELD_FOR_REVIEW, {**payload, "reasons": reasons})
        else:
            second = (EventType.ORDER_CONFIRMED, payload)
        record_events([(EventType.ORDER_CREATED, payload), second], order=order)
    # The caller (the API) renders the order it has in hand rather than reading it back.
    prefetched(order, lines=lines, payments=[payment] if payment else [], timeline=entries)
    return order, True


def _hold_entry(held: LineHolds) -> dict[str, object]:
    return {
        "line": held.line.reference,
        "sku": held.line.sku,
        "stock_points": [r.stock_point_id for r in held.reservations],
        "quantity": held.line.quantity,
        "preorder": held.is_preorder,
    }


def _claim_key(idempotency: Idempotency) -> Order | None:
    """Insert the key, or wait for whoever holds it and return their order. A
    concurrent insert of the same key blocks on the unique index until the first
    transaction ends; if it rolled back (refused order), this one goes ahead."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                client_id=idempotency.client_id, key=idempotency.key, request_hash=idempotency.request_hash
            )
            return None
    except IntegrityError:
        pass
    claimed = IdempotencyKey.objects.select_related("order").get(
        client_id=idempotency.client_id, key=idempotency.key
    )
    if claimed.request_hash != idempotency.request_hash:
        raise IdempotencyMismatch()
    return claimed.order


def _validate(command: PlaceOrder) -> tuple[Channel, dict[str, Sku], StockPoint | None]:
    errors: list[dict[str, object]] = []
    channel = Channel.objects.filter(code=command.channel, is_active=True).first()
    if channel is None:
        errors.append(
            {"field": "channel", "detail": _("Unknown channel %(code)s.") % {"code": command.channel}}
        )
    if not command.lines:
        errors.append({"field": "lines", "detail": _("An order needs at least one line.")})
    skus = {sku.code: sku for sku in Sku.objects.filter(code__in=[line.sku for line in command.lines])}
    seen: set[str] = set()
    for index, line in enumerate(command.lines):
        problems: dict[str, str] = {}
        sku = skus.get(line.sku)
        if sku is None:
            problems["sku"] = _("Unknown SKU %(code)s.") % {"code": line.sku}
        elif not sku.is_active:
            problems["sku"] = _("SKU %(code)s is no longer sold.") % {"code": line.sku}
        elif line.sku in seen:
            problems["sku"] = _("SKU %(code)s appears on two lines.") % {"code": line.sku}
        seen.add(line.sku)
        if line.quantity <= 0:
            problems["quantity"] = _("The quantity must be at least 1.")
        if line.unit_price < 0:
            problems["unit_price"] = _("The unit price cannot be negative.")
        if problems:
            errors.append({"line": index, "errors": problems})
    pickup_store = _validate_delivery(command, errors)
    if not command.customer.email and not command.customer.phone:
        errors.append({"field": "customer", "detail": _("Give the customer's e-mail or phone.")})
    _validate_payment(command, errors)
    if errors:
        raise InvalidInput(_("The order is invalid; nothing was created."), errors)
    return channel, skus, pickup_store


def _validate_delivery(command: PlaceOrder, errors: list[dict[str, object]]) -> StockPoint | None:
    delivery = command.delivery
    if delivery.method not in DeliveryMethod.values:
        errors.append(
            {
                "field": "delivery.method",
                "detail": _("Unknown delivery method %(m)s.") % {"m": delivery.method},
            }
        )
        return None
    if delivery.method == DeliveryMethod.HOME_DELIVERY:
        address = delivery.address
        if address is None or not (
            address.line1 and address.postal_code and address.city and address.country
        ):
            errors.append(
                {
                    "field": "delivery.address",
                    "detail": _("Home delivery needs an address (line1, postal code, city, country)."),
                }
            )
        return None
    service_needed = {
        DeliveryMethod.CLICK_AND_COLLECT: Service.CLICK_AND_COLLECT,
        DeliveryMethod.SHIP_TO_STORE: Service.SHIP_TO_STORE,
        DeliveryMethod.E_RESERVATION: Service.E_RESERVATION,
    }[delivery.method]
    store = StockPoint.objects.filter(code=delivery.pickup_store, is_active=True).first()
    if store is None:
        errors.append(
            {
                "field": "delivery.pickup_store",
                "detail": _("Unknown store %(code)s.") % {"code": delivery.pickup_store},
            }
        )
        return None
    if not store.offers(service_needed):
        errors.append(
            {
                "field": "delivery.pickup_store",
                "detail": _("Store %(code)s does not offer %(service)s.")
                % {"code": store.code, "service": Service(service_needed).label},
            }
        )
    return store


def _validate_payment(command: PlaceOrder, errors: list[dict[str, object]]) -> None:
    from oms.payments import provider_names

    payment = command.payment
    if command.delivery.method == DeliveryMethod.E_RESERVATION:
        if payment is not None:
            errors.append({"field": "payment", "detail": _("An e-reservation is paid in store, not online.")})
        return
    if payment is None:
        errors.append({"field": "payment", "detail": _("This order needs a payment authorisation.")})
        return
    if payment.provider not in provider_names():
        errors.append(
            {
                "field": "payment.provider",
                "detail": _("Unknown payment provider %(p)s.") % {"p": payment.provider},
            }
        )
    if not payment.reference:
        errors.append({"field": "payment.reference", "detail": _("The authorisation reference is missing.")})
    total = (
        sum((line.unit_price * line.quantity for line in command.lines), Decimal("0"))
        + command.shipping_amount
    )
    if payment.amount != total:
        errors.append(
            {
                "field": "payment.amount",
                "detail": _("The authorised amount %(amount)s differs from the order total %(total)s.")
                % {"amount": payment.amount, "total": total},
            }
        )
    if payment.currency != command.currency:
        errors.append(
            {"field": "payment.currency", "detail": _("The payment currency differs from the order's.")}
        )


def _unify_customer(data: CustomerInput) -> Customer:
    """The same person across channels: found by e-mail, else by phone. Names and
    missing contact details are completed from the newest order."""
    email = data.email.strip().lower()
    phone = normalise_phone(data.phone)
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if phone:
        match |= Q(phone=phone)
    candidates = list(Customer.objects.filter(match).order_by("pk")[:5])
    customer = next((c for c in candidates if email and c.email == email), None) or next(
        iter(candidates), None
    )
    if customer is None:
        return Customer.objects.create(
            email=email,
            phone=phone,
            first_name=data.first_name,
            last_name=data.last_name,
            language=data.language or "fr",
        )
    changed = []
    for name, value in (
        ("email", email),
        ("phone", phone),
        ("first_name", data.first_name),
        ("last_name", data.last_name),
    ):
        if value and not getattr(customer, name):
            setattr(customer, name, value)
            changed.append(name)
    if data.language and data.language != customer.language:
        customer.language = data.language
        changed.append("language")
    if changed:
        customer.save(update_fields=changed)
    return customer


ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read over the phone


def new_order_number(channel: Channel) -> str:
    prefix = channel.order_prefix or channel.code.split(":")[0][:3].upper()
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def _new_order(
    command: PlaceOrder, channel: Channel, customer: Customer, pickup_store: StockPoint | None
) -> Order:
    """The order, not saved yet (review rules judge it first)."""
    address = command.delivery.address or AddressInput()
    billing = command.billing_address
    total = (
        sum((line.unit_price * line.quantity for line in command.lines), Decimal("0"))
        + command.shipping_amount
    )
    hold_until = None
    if command.delivery.method == DeliveryMethod.E_RESERVATION:
        hold_until = timezone.now() + timedelta(hours=settings.OMS_E_RESERVATION_HOURS)
    return Order(
        channel=channel,
        external_reference=command.external_reference,
        customer=customer,
        status=OrderStatus.CONFIRMED,
        delivery_method=command.delivery.method,
        delivery_service=command.delivery.service,
        pickup_store=pickup_store,
        ship_name=address.name or f"{command.customer.first_name} {command.customer.last_name}".strip(),
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_postal_code=address.postal_code,
        ship_city=address.city,
        ship_country=address.country,
        ship_latitude=address.latitude,
        ship_longitude=address.longitude,
        billing_postal_code=billing.postal_code if billing else "",
        billing_country=billing.country if billing else "",
        currency=command.currency,
        total_amount=total,
        shipping_amount=command.shipping_amount,
        hold_until=hold_until,
    )


def _insert_order(order: Order, channel: Channel) -> None:
    for _attempt in range(5):
        order.number = new_order_number(channel)
        try:
            with transaction.atomic():
                order.save(force_insert=True)
                return
        except IntegrityError:  # the number was taken: draw another
            order.pk = None
    raise AssertionError("could not draw a free order number")


def _create_lines(order: Order, command: PlaceOrder, skus: dict[str, Sku]) -> list[OrderLine]:
    return OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                line_number=index + 1,
                sku=skus[line.sku],
                quantity=line.quantity,
                unit_price=line.unit_price,
                status=LineStatus.OPEN,
            )
            for index, line in enumerate(command.lines)
        ]
    )


def _reserve(
    order: Order, lines: list[OrderLine], channel: Channel, pickup_store: StockPoint | None
) -> list[LineHolds]:
    method = order.delivery_method
    only = [pickup_store.pk] if method == DeliveryMethod.E_RESERVATION else None
    prefer = [pickup_store.pk] if pickup_store is not None else []
    return reserve_in_network(
        [
            NetworkLine(reservation_reference(order.number, line.line_number), line.sku.code, line.quantity)
            for line in lines
        ],
        channel=channel.code,
        prefer=prefer,
        only=only,
        allow_future=channel.accepts_preorders and method != DeliveryMethod.E_RESERVATION,
        expires_at=order.hold_until,
        sku_ids={line.sku.code: line.sku_id for line in lines},
    )


def _record_preorders(order: Order, lines: list[OrderLine], holds: list[LineHolds], actor: Actor) -> None:
    latest: date | None = None
    for line, held in zip(lines, holds, strict=True):
        if not held.is_preorder:
            continue
        line.status = LineStatus.BACKORDERED
        line.is_preorder = True
        line.promised_date = held.promised_date
        line.save(update_fields=["status", "is_preorder", "promised_date"])
        latest = max(latest or held.promised_date, held.promised_date)
        timeline.preordered(
            order,
            actor=actor,
            sku=line.sku.code,
            quantity=line.quantity,
            promised=held.promised_date.isoformat(),
        )
    if latest is not None:
        order.promised_date = latest
        order.save(update_fields=["promised_date"])


def _record_payment(order: Order, payment: PaymentInput | None) -> Payment | None:
    if payment is None:
        return None
    return Payment.objects.create(
        order=order,
        provider=payment.provider,
        reference=payment.reference,
        currency=payment.currency,
        authorised_amount=payment.amount,
        status=PaymentStatus.AUTHORISED,
    )
