from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from oms import payments, timeline
from oms.core.actors import Actor
from oms.core.errors import IdempotencyMismatch, IllegalTransition, InvalidInput
from oms.models import OutboxEvent, Payment, PaymentOperation
from oms.payments import ProviderResult
from oms.payments.base import provider_message
from oms.services.cancellation import CancelLine, cancel_order
from oms.services.capture import place_order
from oms.services.payments import (
    NothingToRetry,
    PaymentAmountRefused,
    record_operation_result,
    request_capture,
    request_refund,
    request_void,
    retry_capture,
)
from oms.services.transitions import transition_order
from oms.states import OrderStatus, PaymentStatus
from oms.tasks import resume_payment_operations
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

CUSTOMER = Actor(label="api:webshop")
STAFF = Actor.system("test")
DECLINED = "Sandbox: capture declined (card expired)."


@dataclass
class CountingProvider:
    """A payment provider that remembers every call; captures fail while `declines`."""

    calls: list[tuple[str, str, Decimal | None]] = field(default_factory=list)
    declines: bool = False
    refuses_partial_voids: bool = False

    def capture(self, authorisation, amount, currency, *, key):
        self.calls.append(("capture", key, amount))
        if self.declines:
            return ProviderResult(False, error="Declined: insufficient funds.")
        return ProviderResult(True, provider_reference=f"cap-{key}")

    def refund(self, authorisation, amount, currency, *, key):
        self.calls.append(("refund", key, amount))
        return ProviderResult(True, provider_reference=f"ref-{key}")

    def void(self, authorisation, *, key):
        self.calls.append(("void", key, None))
        return ProviderResult(True, provider_reference=f"void-{key}")

    def partial_void(self, authorisation, amount, currency, *, key):
        self.calls.append(("partial_void", key, amount))
        if self.refuses_partial_voids:
            return ProviderResult(False, error="Partial voids are not supported.")
        return ProviderResult(True, provider_reference=f"pvoid-{key}")


@pytest.fixture
def lamp(db):
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    return StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=warehouse, on_hand=10).sku


@pytest.fixture
def provider(monkeypatch):
    fake = CountingProvider()
    monkeypatch.setitem(payments.PROVIDERS, "sandbox", fake)
    return fake


def place(reference="auth-123", quantity=3):
    """An order of `quantity` lamps at 10.00, authorised for the total."""
    order, _created = place_order(
        place_order_command([("LAMP", quantity, "10.00")], reference=reference), actor=CUSTOMER
    )
    return order


def operations(order):
    return list(
        PaymentOperation.objects.filter(payment__order=order).values_list(
            "kind", "amount", "key", "outcome", "error"
        )
    )


def events(order):
    return list(OutboxEvent.objects.filter(order_number=order.number).values_list("event_type", flat=True))


def payment_of(order):
    payment = Payment.objects.get(order=order)
    return payment.status, payment.captured_amount, payment.refunded_amount


def test_partial_captures_per_shipment_add_up(lamp, django_capture_on_commit_callbacks):
    # given
    order = place()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    after_first = payment_of(order)
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-2")
    # then
    assert after_first == (PaymentStatus.PARTIALLY_CAPTURED, Decimal("10.00"), Decimal("0.00"))
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))
    assert operations(order) == [
        ("capture", Decimal("10.00"), "ship-1", "succeeded", ""),
        ("capture", Decimal("20.00"), "ship-2", "succeeded", ""),
    ]
    captured = OutboxEvent.objects.filter(event_type="payment.captured").order_by("pk")
    assert [(e.payload["amount"], e.payload["captured"], e.payload["payment_status"]) for e in captured] == [
        ("10.00", "10.00", "partially_captured"),
        ("20.00", "30.00", "captured"),
    ]
    assert events(order) == ["order.created", "order.confirmed", "payment.captured", "payment.captured"]
    assert list(order.timeline.filter(kind="payment_capture").values_list("actor", "data")) == [
        ("system:test", {"amount": "10.00", "outcome": "succeeded", "error": ""}),
        ("system:test", {"amount": "20.00", "outcome": "succeeded", "error": ""}),
    ]


def test_capture_over_capturable_is_refused_and_writes_nothing(lamp, django_capture_on_commit_callbacks):
    # given
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-1")
    timeline_before = order.timeline.count()
    # when
    with pytest.raises(PaymentAmountRefused) as refused:
        request_capture(order.number, Decimal("10.01"), actor=STAFF, key="ship-2")
    # then
    assert refused.value.payload() == {"kind": "capture", "requested": "10.01", "available": "10.00"}
    assert str(refused.value) == "Cannot capture 10.01: only 10.00 is left to capture."
    assert payment_of(order) == (PaymentStatus.PARTIALLY_CAPTURED, Decimal("20.00"), Decimal("0.00"))
    assert [op[2] for op in operations(order)] == ["ship-1"]
    assert order.timeline.count() == timeline_before
    assert events(order) == ["order.created", "order.confirmed", "payment.captured"]


def test_a_capture_in_flight_counts_against_what_is_left(lamp, provider):
    # given: a capture requested, its task not run yet
    order = place()
    request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-1")
    # when
    with pytest.raises(PaymentAmountRefused) as refused:
        request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-2")
    # then
    assert refused.value.payload() == {"kind": "capture", "requested": "20.00", "available": "10.00"}
    assert operations(order) == [("capture", Decimal("20.00"), "ship-1", "pending", "")]
    assert provider.calls == []


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), Decimal("1.005")])
def test_a_capture_needs_a_positive_amount_in_cents(lamp, amount):
    order = place()
    with pytest.raises(InvalidInput) as refused:
        request_capture(order.number, amount, actor=STAFF, key="ship-1")
    assert [error["field"] for error in refused.value.errors] == ["amount"]
    assert operations(order) == []


def test_the_same_key_twice_makes_one_operation_and_one_provider_call(
    lamp, provider, django_capture_on_commit_callbacks
):
    # given
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        first = request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # then
    assert again.pk == first.pk
    assert provider.calls == [("capture", "ship-1", Decimal("30.00"))]
    assert operations(order) == [("capture", Decimal("30.00"), "ship-1", "succeeded", "")]
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))
    assert events(order) == ["order.created", "order.confirmed", "payment.captured"]


def test_a_key_used_for_another_request_is_refused(lamp, provider, django_capture_on_commit_callbacks):
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    with pytest.raises(IdempotencyMismatch):
        request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-1")
    with pytest.raises(IdempotencyMismatch):
        request_refund(order.number, Decimal("10.00"), actor=STAFF, key="ship-1", reason="")
    assert provider.calls == [("capture", "ship-1", Decimal("10.00"))]
    assert [op[2] for op in operations(order)] == ["ship-1"]


def test_a_declined_capture_puts_the_order_in_payment_failed(lamp, django_capture_on_commit_callbacks):
    # given
    order = place(reference="auth-fail-capture")
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=STAFF)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert payment_of(order) == (PaymentStatus.CAPTURE_FAILED, Decimal("0.00"), Decimal("0.00"))
    assert operations(order) == [("capture", Decimal("30.00"), "ship-1", "failed", DECLINED)]
    assert list(order.timeline.values_list("kind", "actor", "data"))[3:] == [
        ("status_changed", "system:test", {"before": "confirmed", "after": "in_fulfilment", "reason": ""}),
        ("payment_capture", "system:test", {"amount": "30.00", "outcome": "failed", "error": DECLINED}),
        (
            "status_changed",
            "system:payments",
            {
                "before": "in_fulfilment",
                "after": "payment_failed",
                "reason": "capture_failed",
                "error": DECLINED,
            },
        ),
    ]
    assert events(order) == ["order.created", "order.confirmed", "payment.failed"]
    failed = OutboxEvent.objects.get(event_type="payment.failed").payload
    assert {key: failed[key] for key in ("kind", "amount", "error", "order_status_before", "status")} == {
        "kind": "capture",
        "amount": "30.00",
        "error": DECLINED,
        "order_status_before": "in_fulfilment",
        "status": "payment_failed",
    }


def test_a_declined_capture_leaves_a_status_without_payment_failed(lamp, django_capture_on_commit_callbacks):
    # given: a confirmed order cannot go to PAYMENT_FAILED
    order = place(reference="auth-fail-capture")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert payment_of(order) == (PaymentStatus.CAPTURE_FAILED, Decimal("0.00"), Decimal("0.00"))
    assert operations(order) == [("capture", Decimal("30.00"), "ship-1", "failed", DECLINED)]
    assert list(order.timeline.values_list("kind", flat=True))[3:] == ["payment_capture"]
    assert events(order) == ["order.created", "order.confirmed", "payment.failed"]


def test_a_retried_capture_takes_the_order_back_to_where_it_was(
    lamp, provider, django_capture_on_commit_callbacks
):
    # given: the second parcel's capture was declined
    order = place()
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    transition_order(order, OrderStatus.PARTIALLY_SHIPPED, actor=STAFF)
    provider.declines = True
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-2")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    # when: the customer updated their card and customer service retries
    provider.declines = False
    with django_capture_on_commit_callbacks(execute=True):
        retried = retry_capture(order.number, actor=STAFF, key="retry-1")
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert retried.amount == Decimal("20.00")
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))
    assert [(op[0], op[1], op[3]) for op in operations(order)] == [
        ("capture", Decimal("10.00"), "succeeded"),
        ("capture", Decimal("20.00"), "failed"),
        ("capture", Decimal("20.00"), "succeeded"),
    ]
    assert list(order.timeline.filter(kind="status_changed").values_list("actor", "data"))[-2:] == [
        (
            "system:payments",
            {
                "before": "partially_shipped",
                "after": "payment_failed",
                "reason": "capture_failed",
                "error": "Declined: insufficient funds.",
            },
        ),
        (
            "system:payments",
            {
                "before": "payment_failed",
                "after": "partially_shipped",
                "reason": "capture_retried",
            },
        ),
    ]
    assert events(order) == [
        "order.created",
        "order.confirmed",
        "payment.captured",
        "payment.failed",
        "payment.captured",
    ]


def test_a_successful_retry_takes_the_order_back_to_fulfilment(
    lamp, provider, django_capture_on_commit_callbacks
):
    # given: failed while in fulfilment
    order = place()
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=STAFF)
    provider.declines = True
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    provider.declines = False
    # when
    with django_capture_on_commit_callbacks(execute=True):
        retry_capture(order.number, actor=STAFF, key="retry-1")
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_FULFILMENT
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))


def test_a_capture_asked_before_the_failure_does_not_resolve_it(
    lamp, provider, django_capture_on_commit_callbacks
):
    # given: ship-1 in flight when ship-2 is declined
    order = place()
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=STAFF)
    first = request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    second = request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-2")
    record_operation_result(second.pk, ProviderResult(False, error="Declined."))
    # when
    record_operation_result(first.pk, ProviderResult(True, provider_reference="cap-1"))
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert payment_of(order) == (PaymentStatus.CAPTURE_FAILED, Decimal("10.00"), Decimal("0.00"))


def test_there_is_nothing_to_retry_without_a_failed_capture(
    lamp, provider, django_capture_on_commit_callbacks
):
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    with pytest.raises(NothingToRetry) as refused:
        retry_capture(order.number, actor=STAFF, key="retry-1")
    assert refused.value.payload() == {"payment_status": "partially_captured"}
    assert provider.calls == [("capture", "ship-1", Decimal("10.00"))]


def test_refunds_partial_then_full(lamp, django_capture_on_commit_callbacks):
    # given
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        request_refund(order.number, Decimal("10.00"), actor=STAFF, key="refund-1", reason="damaged")
    after_first = payment_of(order)
    with django_capture_on_commit_callbacks(execute=True):
        request_refund(order.number, Decimal("20.00"), actor=STAFF, key="refund-2", reason="goodwill")
    # then
    assert after_first == (PaymentStatus.PARTIALLY_REFUNDED, Decimal("30.00"), Decimal("10.00"))
    assert payment_of(order) == (PaymentStatus.REFUNDED, Decimal("30.00"), Decimal("30.00"))
    issued = OutboxEvent.objects.filter(event_type="refund.issued").order_by("pk")
    assert [(e.payload["amount"], e.payload["refunded"], e.payload["reason"]) for e in issued] == [
        ("10.00", "10.00", "damaged"),
        ("20.00", "30.00", "goodwill"),
    ]
    assert list(order.timeline.filter(kind="payment_refund").values_list("actor", "data")) == [
        ("system:test", {"amount": "10.00", "outcome": "succeeded", "error": ""}),
        ("system:test", {"amount": "20.00", "outcome": "succeeded", "error": ""}),
    ]


def test_a_refund_over_what_was_captured_is_refused(lamp, django_capture_on_commit_callbacks):
    # given
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    timeline_before = order.timeline.count()
    # when
    with pytest.raises(PaymentAmountRefused) as refused:
        request_refund(order.number, Decimal("15.00"), actor=STAFF, key="refund-1", reason="damaged")
    # then
    assert refused.value.payload() == {"kind": "refund", "requested": "15.00", "available": "10.00"}
    assert payment_of(order) == (PaymentStatus.PARTIALLY_CAPTURED, Decimal("10.00"), Decimal("0.00"))
    assert [op[2] for op in operations(order)] == ["ship-1"]
    assert order.timeline.count() == timeline_before
    assert events(order) == ["order.created", "order.confirmed", "payment.captured"]


def test_a_refused_refund_is_recorded_and_changes_no_status(lamp, django_capture_on_commit_callbacks):
    # given
    order = place(reference="auth-fail-refund")
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=STAFF)
    transition_order(order, OrderStatus.SHIPPED, actor=STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        request_refund(order.number, Decimal("10.00"), actor=STAFF, key="refund-1", reason="damaged")
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))
    assert operations(order)[-1] == (
        "refund",
        Decimal("10.00"),
        "refund-1",
        "failed",
        "Sandbox: refund refused.",
    )
    assert list(order.timeline.values_list("kind", "data"))[-1] == (
        "payment_refund",
        {"amount": "10.00", "outcome": "failed", "error": "Sandbox: refund refused."},
    )
    failed = OutboxEvent.objects.get(event_type="payment.failed").payload
    assert (failed["kind"], failed["amount"], failed["reason"], failed["error"]) == (
        "refund",
        "10.00",
        "damaged",
        "Sandbox: refund refused.",
    )
    assert events(order) == ["order.created", "order.confirmed", "payment.captured", "payment.failed"]


def test_cancelling_a_whole_order_voids_its_authorisation(lamp, provider, django_capture_on_commit_callbacks):
    # given
    order = place()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, reason="customer changed their mind")
    # then
    assert payment_of(order) == (PaymentStatus.VOIDED, Decimal("0.00"), Decimal("0.00"))
    assert operations(order) == [("void", Decimal("30.00"), f"{order.number}/cancel/void", "succeeded", "")]
    assert provider.calls == [("void", f"{order.number}/cancel/void", None)]
    assert list(order.timeline.values_list("kind", "actor", "data"))[-3:] == [
        ("order_cancelled", "system:test", {"reason": "customer changed their mind"}),
        (
            "status_changed",
            "system:test",
            {
                "before": "confirmed",
                "after": "cancelled",
                "reason": "order_cancelled",
                "note": "customer changed their mind",
            },
        ),
        ("payment_void", "system:test", {"amount": "30.00", "outcome": "succeeded", "error": ""}),
    ]
    assert events(order) == ["order.created", "order.confirmed", "order.cancelled"]


def test_cancelling_a_captured_order_refunds_it(lamp, provider, django_capture_on_commit_callbacks):
    # given
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, reason="out of stock")
    # then
    assert payment_of(order) == (PaymentStatus.REFUNDED, Decimal("30.00"), Decimal("30.00"))
    assert provider.calls == [
        ("capture", "ship-1", Decimal("30.00")),
        ("refund", f"{order.number}/cancel/refund", Decimal("30.00")),
    ]
    refund = OutboxEvent.objects.get(event_type="refund.issued").payload
    assert (refund["amount"], refund["reason"]) == ("30.00", "Order cancelled")
    assert events(order) == [
        "order.created",
        "order.confirmed",
        "payment.captured",
        "order.cancelled",
        "refund.issued",
    ]


def test_cancelling_some_lines_gives_back_their_part_of_the_authorisation(
    lamp, provider, django_capture_on_commit_callbacks
):
    # given: 3 lamps at 10.00, authorised for 30.00
    order = place()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, lines=[CancelLine(sku="LAMP", quantity=1)])
    # then
    key = f"{order.number}/cancel-to/20.00/partial-void"
    assert operations(order) == [("partial_void", Decimal("10.00"), key, "succeeded", "")]
    assert provider.calls == [("partial_void", key, Decimal("10.00"))]
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.authorised_amount, payment.captured_amount) == (
        PaymentStatus.AUTHORISED,
        Decimal("20.00"),
        Decimal("0.00"),
    )


def test_a_void_is_refused_once_something_was_captured(lamp, provider, django_capture_on_commit_callbacks):
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    with pytest.raises(IllegalTransition):
        request_void(order.number, actor=STAFF, key="void-1")
    assert [op[2] for op in operations(order)] == ["ship-1"]
    assert payment_of(order) == (PaymentStatus.PARTIALLY_CAPTURED, Decimal("10.00"), Decimal("0.00"))


def test_recording_a_result_twice_applies_it_once(lamp):
    # given: a capture whose task has not run
    order = place()
    operation = request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    result = ProviderResult(True, provider_reference="cap-1")
    # when
    record_operation_result(operation.pk, result)
    again = record_operation_result(operation.pk, result)
    # then
    assert (again.outcome, again.provider_reference) == ("succeeded", "cap-1")
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))
    assert list(order.timeline.filter(kind="payment_capture").values_list("actor", "data")) == [
        ("system:test", {"amount": "30.00", "outcome": "succeeded", "error": ""}),  # who asked
    ]
    assert events(order) == ["order.created", "order.confirmed", "payment.captured"]


def test_a_lost_task_is_carried_out_by_the_beat_job(lamp, provider):
    # given: a capture whose task was lost 15 minutes ago, and a fresh one
    order = place()
    lost = request_capture(order.number, Decimal("10.00"), actor=STAFF, key="ship-1")
    PaymentOperation.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=15))
    request_capture(order.number, Decimal("20.00"), actor=STAFF, key="ship-2")
    # when
    resumed = resume_payment_operations()
    # then
    assert resumed == 1
    assert provider.calls == [("capture", "ship-1", Decimal("10.00"))]
    assert [(op[2], op[3]) for op in operations(order)] == [("ship-1", "succeeded"), ("ship-2", "pending")]


def test_a_lost_refund_rerun_by_the_beat_job_keeps_its_reason_and_requester(lamp, provider):
    # given: a captured order, and a refund asked by customer service whose task was lost
    order = place()
    capture = request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    record_operation_result(capture.pk, ProviderResult(True, provider_reference="cap-1"))
    agent = Actor(label="camille.cs")
    lost = request_refund(order.number, Decimal("10.00"), actor=agent, key="refund-1", reason="damaged")
    PaymentOperation.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=15))
    # when: the beat job carries it out
    assert resume_payment_operations() == 1
    # then: recorded as the first run would have: by the agent, with the reason
    assert provider.calls == [("refund", "refund-1", Decimal("10.00"))]
    issued = OutboxEvent.objects.get(event_type="refund.issued")
    assert (issued.payload["amount"], issued.payload["reason"]) == ("10.00", "damaged")
    assert list(order.timeline.filter(kind="payment_refund").values_list("actor", "data")) == [
        ("camille.cs", {"amount": "10.00", "outcome": "succeeded", "error": ""})
    ]
    assert PaymentOperation.objects.filter(pk=lost.pk).values_list("requested_by", "reason").get() == (
        "camille.cs",
        "damaged",
    )


def test_the_provider_is_called_after_commit_outside_any_transaction(transactional_db, lamp, monkeypatch):
    # given
    seen: list[bool] = []

    class WatchingProvider(CountingProvider):
        def capture(self, authorisation, amount, currency, *, key):
            seen.append(connection.in_atomic_block)
            return super().capture(authorisation, amount, currency, key=key)

    monkeypatch.setitem(payments.PROVIDERS, "sandbox", WatchingProvider())
    order = place()
    # when
    request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # then
    assert seen == [False]
    assert payment_of(order) == (PaymentStatus.CAPTURED, Decimal("30.00"), Decimal("0.00"))


def test_the_sandbox_declining_a_capture_reads_in_french(lamp, django_capture_on_commit_callbacks):
    # given: a capture the sandbox declined (its message stored in English)
    order = place(reference="auth-fail-capture")
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("30.00"), actor=STAFF, key="ship-1")
    # when: customer service reads the order in French
    with translation.override("fr"):
        told = [timeline.tell(entry.kind, entry.data) for entry in order.timeline.order_by("pk")]
    # then
    french = "Sandbox\xa0: encaissement refusé (carte expirée)."
    assert told[-2].details == ["Montant\xa0: 30,00", f"Erreur\xa0: {french}"]
    assert told[-1].details[-1].endswith(french)
    # and a real provider's own words stay as it wrote them
    assert provider_message("Do not honour") == "Do not honour"
