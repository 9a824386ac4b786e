from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from inventory.models import Reservation, StockLevel
from oms.core.actors import Actor
from oms.core.errors import IllegalTransition, InvalidInput
from oms.models import Order, OutboxEvent, ReviewRule, TimelineEntry
from oms.services.cancellation import CancelLine, cancel_order
from oms.services.capture import place_order
from oms.services.holds import release_expired_holds
from oms.services.review import release_from_review
from oms.services.transitions import transition_order
from oms.states import LINE_TRANSITIONS, ORDER_TRANSITIONS, LineStatus, OrderStatus
from oms.tasks import expire_e_reservations
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

CS = Actor(label="customer.service")


@pytest.fixture
def lamp(db):
    ChannelFactory(code="web")
    store = StockPointFactory(code="ST-LYON-01", services=["e_reservation", "click_and_collect"])
    level = StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=store, on_hand=5)
    StockLevelFactory(sku=SkuFactory(code="SHIRT"), stock_point=store, on_hand=5)
    return level


def test_every_state_in_the_tables_has_an_entry():
    assert set(ORDER_TRANSITIONS) == set(OrderStatus.values)
    assert set(LINE_TRANSITIONS) == set(LineStatus.values)
    for targets in ORDER_TRANSITIONS.values():
        assert targets <= set(OrderStatus.values)


def test_an_illegal_transition_is_refused_and_not_recorded(lamp):
    order, _ = place_order(place_order_command([("LAMP", 1)]), actor=CS)
    with pytest.raises(IllegalTransition) as refused:
        transition_order(order, OrderStatus.COLLECTED, actor=CS)
    assert refused.value.payload() == {"current": "confirmed", "wanted": "collected"}
    assert str(refused.value) == "The order cannot go from “Confirmed” to “Collected”."
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert TimelineEntry.objects.filter(order=order, kind="status_changed").count() == 0


def test_an_illegal_transition_is_explained_in_french():
    with translation.override("fr"):
        message = str(IllegalTransition("order", OrderStatus.SHIPPED, OrderStatus.CANCELLED))
    assert message == "La commande ne peut pas passer de «\u00a0Expédiée\u00a0» à «\u00a0Annulée\u00a0»."


def test_a_stale_status_cannot_win_a_race(lamp):
    order, _ = place_order(place_order_command([("LAMP", 1)]), actor=CS)
    stale = Order.objects.get(pk=order.pk)
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=CS)
    with pytest.raises(IllegalTransition):
        transition_order(stale, OrderStatus.CANCELLED, actor=CS)  # read as confirmed, now in fulfilment
    assert Order.objects.get(pk=order.pk).status == OrderStatus.IN_FULFILMENT


def test_cancelling_the_whole_order_releases_every_hold(lamp):
    order, _ = place_order(place_order_command([("LAMP", 2), ("SHIRT", 1)]), actor=CS)
    cancel_order(order.number, actor=CS, reason="duplicate")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert set(order.lines.values_list("status", "cancelled_quantity")) == {
        ("cancelled", 2),
        ("cancelled", 1),
    }
    assert list(StockLevel.objects.values_list("reserved", flat=True)) == [0, 0]
    assert Reservation.objects.active().count() == 0
    kinds = list(order.timeline.values_list("kind", flat=True))
    assert kinds[-2:] == ["order_cancelled", "status_changed"]
    assert OutboxEvent.objects.filter(event_type="order.cancelled", order_number=order.number).count() == 1


def test_cancelling_some_lines_keeps_the_order_going(lamp):
    order, _ = place_order(place_order_command([("LAMP", 2), ("SHIRT", 1)]), actor=CS)
    cancel_order(order.number, actor=CS, reason="out of budget", lines=[CancelLine("SHIRT")])
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert dict(order.lines.values_list("sku__code", "status")) == {"LAMP": "open", "SHIRT": "cancelled"}
    assert StockLevel.objects.get(sku__code="SHIRT").reserved == 0
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2
    entry = order.timeline.get(kind="lines_cancelled")
    assert entry.data == {
        "lines": [{"sku": "SHIRT", "quantity": 1, "released": 1}],
        "reason": "out of budget",
    }


def test_nothing_is_cancelled_once_shipped(lamp):
    order, _ = place_order(place_order_command([("LAMP", 1)]), actor=CS)
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=CS)
    transition_order(order, OrderStatus.SHIPPED, actor=CS)
    with pytest.raises(IllegalTransition):
        cancel_order(order.number, actor=CS)
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 1


def test_cancelling_a_line_the_order_does_not_have_changes_nothing(lamp):
    order, _ = place_order(place_order_command([("LAMP", 2)]), actor=CS)
    with pytest.raises(InvalidInput):
        cancel_order(order.number, actor=CS, lines=[CancelLine("LAMP", 1), CancelLine("NOPE", 1)])
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2


def test_review_release_needs_a_note_and_confirms(lamp):
    ReviewRule.objects.create(kind="amount_over", threshold=Decimal("1.00"))
    order, _ = place_order(place_order_command([("LAMP", 1)]), actor=CS)
    assert order.status == OrderStatus.AWAITING_REVIEW
    with pytest.raises(InvalidInput):
        release_from_review(order.number, actor=CS, note=" ")
    release_from_review(order.number, actor=CS, note="Called the customer: genuine.")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.timeline.get(kind="review_released").data == {"note": "Called the customer: genuine."}
    assert OutboxEvent.objects.filter(order_number=order.number, event_type="order.confirmed").count() == 1


def test_expired_e_reservations_go_back_to_stock_once(lamp):
    order, _ = place_order(
        place_order_command([("LAMP", 2)], method="e_reservation", pickup_store="ST-LYON-01"), actor=CS
    )
    assert release_expired_holds() == []
    later = order.hold_until + timedelta(minutes=1)
    assert release_expired_holds(now=later) == [order.number]
    assert release_expired_holds(now=later) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert list(order.lines.values_list("status", flat=True)) == ["expired"]
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 0
    assert order.timeline.get(kind="stock_released").data == {"units": 2, "reason": "e_reservation_expired"}
    assert OutboxEvent.objects.filter(order_number=order.number, event_type="order.expired").count() == 1


def test_the_beat_job_expires_holds(lamp):
    order, _ = place_order(
        place_order_command([("LAMP", 1)], method="e_reservation", pickup_store="ST-LYON-01"), actor=CS
    )
    Order.objects.filter(pk=order.pk).update(hold_until=timezone.now() - timedelta(seconds=1))
    assert expire_e_reservations.delay().get() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED
