"""Cancelling lines changes what the customer pays: the order's total, what may
still be captured and the payment's authorisation follow every cancellation, on
screen, in the API and in the events (issue 7 §2.1)."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oms import payments
from oms.core.actors import Actor
from oms.models import OutboxEvent, Payment, PaymentOperation, Role
from oms.services.cancellation import CancelLine, cancel_order
from oms.services.capture import place_order
from oms.services.payments import PaymentAmountRefused, amount_to_capture, request_capture
from oms.states import PaymentStatus
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, UserFactory, place_order_command
from tests.oms.test_payments import CountingProvider

STAFF = Actor.system("test")
# The newcomer's order: 341.90 in all, one line of 59.00.
LINES = [("LAMP", 2, "99.95"), ("SHIRT", 1, "59.00"), ("MUG", 1, "83.00")]


@pytest.fixture
def catalogue(db):
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    for code in ("LAMP", "SHIRT", "MUG"):
        StockLevelFactory(sku=SkuFactory(code=code), stock_point=warehouse, on_hand=10)


@pytest.fixture
def provider(monkeypatch):
    fake = CountingProvider()
    monkeypatch.setitem(payments.PROVIDERS, "sandbox", fake)
    return fake


def place():
    order, _created = place_order(place_order_command(LINES), actor=STAFF)
    return order


def amounts(order):
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    return order.total_amount, payment.authorised_amount, amount_to_capture(payment)


def test_cancelling_one_line_of_three_reduces_total_capture_and_authorisation(
    catalogue, provider, django_capture_on_commit_callbacks
):
    # given
    order = place()
    assert amounts(order) == (Decimal("341.90"), Decimal("341.90"), Decimal("341.90"))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, reason="changed mind", lines=[CancelLine("SHIRT")])
    # then
    assert amounts(order) == (Decimal("282.90"), Decimal("282.90"), Decimal("282.90"))
    key = f"{order.number}/cancel-to/282.90/partial-void"
    assert provider.calls == [("partial_void", key, Decimal("59.00"))]
    event = OutboxEvent.objects.get(order_number=order.number, event_type="order.lines_cancelled").payload
    assert (event["total"], event["previous_total"]) == ("282.90", "341.90")
    assert event["cancelled"] == [{"sku": "SHIRT", "quantity": 1, "released": 1}]


def test_a_later_capture_cannot_exceed_the_new_amount(
    catalogue, provider, django_capture_on_commit_callbacks
):
    # given: a line of 59.00 cancelled
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, lines=[CancelLine("SHIRT")])
    # when: the old total is asked for
    with pytest.raises(PaymentAmountRefused) as refused:
        request_capture(order.number, Decimal("341.90"), actor=STAFF, key="ship-all")
    # then: refused, nothing written; the new total is captured in full
    assert refused.value.payload() == {"kind": "capture", "requested": "341.90", "available": "282.90"}
    assert PaymentOperation.objects.filter(kind="capture").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("282.90"), actor=STAFF, key="ship-1")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.captured_amount) == (PaymentStatus.CAPTURED, Decimal("282.90"))
    assert amount_to_capture(payment) == Decimal("0.00")


def test_a_refused_partial_void_still_limits_the_capture_to_the_new_total(
    catalogue, provider, django_capture_on_commit_callbacks
):
    # given: a provider that cannot reduce an authorisation
    provider.refuses_partial_voids = True
    order = place()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, lines=[CancelLine("SHIRT")])
    # then: the authorisation is still whole, but no more than the total can be taken
    assert amounts(order) == (Decimal("282.90"), Decimal("341.90"), Decimal("282.90"))
    with pytest.raises(PaymentAmountRefused):
        request_capture(order.number, Decimal("282.91"), actor=STAFF, key="ship-all")
    assert list(PaymentOperation.objects.values_list("kind", "outcome")) == [("partial_void", "failed")]


def test_cancelling_after_a_capture_refunds_what_is_beyond_the_new_total(
    catalogue, provider, django_capture_on_commit_callbacks
):
    # given: everything captured already
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        request_capture(order.number, Decimal("341.90"), actor=STAFF, key="ship-1")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, lines=[CancelLine("MUG")])
    # then: nothing left to void, 83.00 refunded
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.captured_amount, payment.refunded_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("341.90"),
        Decimal("83.00"),
    )
    assert provider.calls[1:] == [("refund", f"{order.number}/cancel-to/258.90/refund", Decimal("83.00"))]


def test_cancelling_the_rest_after_a_line_voids_what_is_left(
    catalogue, provider, django_capture_on_commit_callbacks
):
    # given
    order = place()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, lines=[CancelLine("SHIRT")])
    # when: the whole order is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.number, actor=STAFF, reason="duplicate")
    # then: the void releases what was left
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert (order.total_amount, payment.status) == (Decimal("0.00"), PaymentStatus.VOIDED)
    assert [call[0] for call in provider.calls] == ["partial_void", "void"]
    event = OutboxEvent.objects.get(order_number=order.number, event_type="order.cancelled").payload
    assert (event["total"], event["previous_total"]) == ("0.00", "282.90")


def test_the_api_and_the_screen_show_the_new_amounts(catalogue, client, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(username="cs", role=Role.CUSTOMER_SERVICE)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    order = place()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/orders/{order.number}/cancel/", {"lines": [{"sku": "SHIRT"}]}, format="json"
        )
    # then
    # then: the total and what may be captured follow at once; the authorisation
    # once the provider has answered (after commit)
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["payments"][0]["amount_to_capture"]) == ("282.90", "282.90")
    payment = api.get(f"/api/v1/orders/{order.number}/").json()["payments"][0]
    assert (payment["authorised_amount"], payment["amount_to_capture"]) == ("282.90", "282.90")
    client.force_login(user)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="order-total">282.90' in html
    assert 'data-testid="to-capture">282.90<' in html
