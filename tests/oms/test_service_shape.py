"""Every order service has the same shape (issue 7 §3.5): a keyword-only actor,
an order number as its first argument, a durable transaction of its own, the
order lock from `oms.services.locks`, and statuses changed only by
`oms.services.transitions`."""

import inspect
import re
from pathlib import Path

import pytest
from django.db import transaction

from oms.core.actors import Actor
from oms.services import cancellation, capture, holds, notes, payments, review
from oms.states import LINE_TRANSITIONS, PAYMENT_TRANSITIONS, LineStatus, PaymentStatus

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = [ROOT / "oms", ROOT / "fulfilment", ROOT / "returns", ROOT / "bench"]

# Entry points on one order: (function, how the order is named).
ORDER_SERVICES = [
    cancellation.cancel_order,
    payments.request_capture,
    payments.request_refund,
    payments.request_void,
    payments.retry_capture,
    review.release_from_review,
    notes.add_note,
]
ENTRY_POINTS = [*ORDER_SERVICES, capture.place_order, holds.release_expired_holds]

STATUS_WRITES = [
    re.compile(r"\b\w*(order|line|payment)\.status\s*=(?!=)"),
    re.compile(r"\b(Order|OrderLine|Payment)\.objects\b[^\n]*?\.update\([^)]*\bstatus\s*=", re.S),
    re.compile(r"update_fields=\[[^\]]*[\"']status[\"']"),
    re.compile(r"\bSET\s+\"?status\"?\s*=", re.I),
]
# The one status set outside transitions.py: an order's first status, before it is inserted.
INITIAL_STATUS = "order.status = OrderStatus.AWAITING_REVIEW if reasons else OrderStatus.CONFIRMED"


def sources():
    for folder in DOMAIN:
        for path in sorted(folder.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_every_status_write_goes_through_transitions():
    writes = []
    for path in sources():
        if path == ROOT / "oms" / "services" / "transitions.py":
            continue
        text = path.read_text()
        for pattern in STATUS_WRITES:
            for match in pattern.finditer(text):
                line = text[: match.start()].count("\n") + 1
                source = text.splitlines()[line - 1].strip()
                if source != INITIAL_STATUS:
                    writes.append(f"{path.relative_to(ROOT)}:{line}: {source}")
    assert writes == []


def test_the_scan_would_see_a_direct_write():
    samples = [
        "payment.status = PaymentStatus.VOIDED",
        "line.status = LineStatus.BACKORDERED",
        "Order.objects.filter(pk=1).update(status='shipped')",
        'payment.save(update_fields=["status", "updated_at"])',
    ]
    assert [any(p.search(sample) for p in STATUS_WRITES) for sample in samples] == [True] * 4


def test_orders_are_locked_only_through_the_lock_helpers():
    lockers = [
        f"{path.relative_to(ROOT)}"
        for path in sources()
        if path != ROOT / "oms" / "services" / "locks.py"
        and re.search(r"\b(Order|Payment)\.objects\b[^\n]*select_for_update", path.read_text())
    ]
    assert lockers == []


@pytest.mark.parametrize("service", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_every_entry_point_takes_a_keyword_only_actor(service):
    assert inspect.signature(service).parameters["actor"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("service", ORDER_SERVICES, ids=lambda f: f.__name__)
def test_every_order_service_takes_the_order_number(service):
    first = next(iter(inspect.signature(service).parameters.values()))
    assert (first.name, first.annotation) == ("number", "str")


@pytest.mark.django_db(transaction=True)
def test_entry_points_own_a_durable_transaction():
    # an entry point called inside another transaction is a programming error
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        notes.add_note("NOPE", actor=Actor.system("test"), text="hello")
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        cancellation.cancel_order("NOPE", actor=Actor.system("test"))


def test_capture_moves_a_line_to_backordered_as_its_table_allows():
    assert LineStatus.BACKORDERED in LINE_TRANSITIONS[LineStatus.OPEN]


def test_every_payment_status_has_an_entry_in_its_table():
    assert set(PAYMENT_TRANSITIONS) == set(PaymentStatus.values)
    for targets in PAYMENT_TRANSITIONS.values():
        assert targets <= set(PaymentStatus.values)


def test_a_payment_status_the_table_forbids_is_refused(db):
    from oms.core.errors import IllegalTransition
    from oms.models import Payment
    from oms.services.transitions import transition_payment
    from tests.oms.factories import ChannelFactory, CustomerFactory

    order = ChannelFactory().orders.create(
        number="W-1", customer=CustomerFactory(), status="cancelled", delivery_method="home_delivery"
    )
    payment = Payment.objects.create(
        order=order, provider="sandbox", reference="a", authorised_amount=10, status=PaymentStatus.VOIDED
    )
    with pytest.raises(IllegalTransition) as refused:
        transition_payment(payment, PaymentStatus.CAPTURED)
    assert str(refused.value) == "The payment cannot go from “Voided” to “Captured”."
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.VOIDED
