"""Customer service acts on an order's payment from its screen: a refund to the
original payment method, and a new capture after one failed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from oms.core.actors import Actor
from oms.models import OutboxEvent, Payment, PaymentOperation, TimelineEntry
from oms.payments import ProviderResult
from oms.services.capture import place_order
from oms.services.payments import record_operation_result, request_capture
from oms.services.transitions import transition_order
from oms.states import OrderStatus, PaymentStatus
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

HTMX = {"HTTP_HX_REQUEST": "true"}
SHIPPING = Actor.system("shipping")


@pytest.fixture
def warehouse(db):
    ChannelFactory(code="web", name="Web shop")
    point = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Brass desk lamp"), stock_point=point, on_hand=100)
    return point


def new_order():
    """2 lamps at 19.90, paid by card (authorised for 39.80)."""
    order, _created = place_order(
        place_order_command([("LAMP", 2, "19.90")]), actor=Actor(label="api:webshop")
    )
    return order


@pytest.fixture
def cs(client, customer_service):
    client.force_login(customer_service)
    return client


def order_after_capture(result: ProviderResult):
    """An order of 2 lamps at 19.90, in fulfilment, whose capture of 39.80 got `result`."""
    order = new_order()
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=SHIPPING, reason="sourced")
    operation = request_capture(order.number, Decimal("39.80"), actor=SHIPPING, key=f"{order.number}/ship")
    record_operation_result(operation.pk, result)
    return order


def captured_order():
    return order_after_capture(ProviderResult(True, provider_reference="cap-1"))


def failed_capture_order():
    return order_after_capture(ProviderResult(False, error="Card expired."))


def token_in(html: str, action: str) -> str:
    form = re.search(rf'action="/orders/[^"]+/{action}/".*?</form>', html, re.S).group(0)
    return re.search(r'name="token" value="([0-9a-f]{32})"', form).group(1)


def payment(order) -> tuple:
    paid = Payment.objects.get(order=order)
    return paid.status, paid.captured_amount, paid.refunded_amount


# --- Refund ---------------------------------------------------------------------------


def test_refund_is_offered_only_once_something_was_captured(cs, warehouse):
    # given: one order only authorised, one captured
    authorised, captured = new_order(), captured_order()
    # then
    assert f'action="/orders/{authorised.number}/refund/"' not in (
        cs.get(f"/orders/{authorised.number}/").content.decode()
    )
    html = cs.get(f"/orders/{captured.number}/").content.decode()
    assert f'action="/orders/{captured.number}/refund/"' in html
    assert 'max="39.80"' in html  # at most what was captured


def test_customer_service_refunds_part_of_a_captured_order(
    cs,
    warehouse,
    customer_service,
    django_capture_on_commit_callbacks,
):
    # given
    order = captured_order()
    token = token_in(cs.get(f"/orders/{order.number}/").content.decode(), "refund")
    form = {"amount": "15.00", "reason": "Lamp arrived scratched", "token": token}
    # when: the form is sent twice (a double tap)
    with django_capture_on_commit_callbacks(execute=True):
        first = cs.post(f"/orders/{order.number}/refund/", form, **HTMX)
    with django_capture_on_commit_callbacks(execute=True):
        second = cs.post(f"/orders/{order.number}/refund/", form, **HTMX)
    # then: one refund, to the original method, told on the screen and the timeline
    assert (first.status_code, second.status_code) == (200, 200)
    assert "Refund asked of the payment provider" in first.content.decode()
    assert payment(order) == (PaymentStatus.PARTIALLY_REFUNDED, Decimal("39.80"), Decimal("15.00"))
    [refund] = PaymentOperation.objects.filter(kind="refund")
    assert (refund.amount, refund.outcome, refund.requested_by, refund.reason) == (
        Decimal("15.00"),
        "succeeded",
        customer_service.username,
        "Lamp arrived scratched",
    )
    [entry] = TimelineEntry.objects.filter(order=order, kind="payment_refund")
    assert entry.actor == customer_service.username
    issued = OutboxEvent.objects.get(event_type="refund.issued")
    assert (issued.payload["amount"], issued.payload["reason"]) == ("15.00", "Lamp arrived scratched")
    assert 'max="24.80"' in second.content.decode()  # what is left to refund


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("50.00", "Cannot refund 50.00: only 39.80 is left to refund."),
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("abc", "Enter a number."),
    ],
)
def test_a_refused_refund_says_why_and_changes_nothing(cs, warehouse, amount, message):
    # given
    order = captured_order()
    token = token_in(cs.get(f"/orders/{order.number}/").content.decode(), "refund")
    # when
    response = cs.post(
        f"/orders/{order.number}/refund/", {"amount": amount, "reason": "goodwill", "token": token}, **HTMX
    )
    # then
    assert response.status_code == 422
    assert message in response.content.decode()
    assert payment(order) == (PaymentStatus.CAPTURED, Decimal("39.80"), Decimal("0.00"))
    assert not PaymentOperation.objects.filter(kind="refund").exists()


# --- Retry a failed capture -----------------------------------------------------------


def test_a_failed_capture_is_retried_from_the_screen(cs, warehouse, django_capture_on_commit_callbacks):
    # given: the capture at shipment was declined; the order says so
    order = failed_capture_order()
    html = cs.get(f"/orders/{order.number}/").content.decode()
    assert f'action="/orders/{order.number}/retry-capture/"' in html
    assert "39.80 EUR is still to be paid" in html
    # when: the customer updated their card, and customer service retries
    with django_capture_on_commit_callbacks(execute=True):
        response = cs.post(
            f"/orders/{order.number}/retry-capture/", {"token": token_in(html, "retry-capture")}, **HTMX
        )
    # then: captured, and the order is back in fulfilment; no retry offered any more
    assert response.status_code == 200
    assert payment(order) == (PaymentStatus.CAPTURED, Decimal("39.80"), Decimal("0.00"))
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_FULFILMENT
    assert "retry-capture" not in response.content.decode()


def test_retry_is_refused_when_no_capture_failed(cs, warehouse):
    order = captured_order()
    assert "retry-capture" not in cs.get(f"/orders/{order.number}/").content.decode()
    response = cs.post(f"/orders/{order.number}/retry-capture/", {"token": "a" * 32}, **HTMX)
    assert response.status_code == 422
    assert "has no failed capture to retry" in response.content.decode()
    assert PaymentOperation.objects.filter(kind="capture").count() == 1


@pytest.mark.parametrize("action", ["refund", "retry-capture"])
def test_store_staff_cannot_touch_payments(client, store_staff, warehouse, action):
    order = captured_order()
    client.force_login(store_staff)
    response = client.post(
        f"/orders/{order.number}/{action}/", {"amount": "1.00", "reason": "x", "token": "t"}
    )
    assert response.status_code == 403
    assert payment(order) == (PaymentStatus.CAPTURED, Decimal("39.80"), Decimal("0.00"))
