"""Receiving future stock: the units become on hand and the pre-orders held on
them move onto the stock level in the same transaction, so nothing is promised
twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import FutureStock, Reservation, StockLevel, StockMovement
from inventory.services.incoming import receive_future_stock, save_future_stock
from oms.core.actors import Actor
from oms.core.errors import Conflict
from oms.models import Role
from oms.services.cancellation import cancel_order
from oms.services.capture import place_order
from tests.conftest import api_client_for
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, UserFactory, place_order_command
from tests.oms.test_api_orders import order_body

ACTOR = Actor.system("test")


@pytest.fixture
def incoming(db):
    ChannelFactory(code="app", accepts_preorders=True)
    ChannelFactory(code="web")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    lamp = SkuFactory(code="LAMP")
    return FutureStockFactory(
        sku=lamp, stock_point=warehouse, quantity=5, expected_date=timezone.localdate() + timedelta(days=7)
    )


def test_received_preorders_stay_held_and_another_channel_cannot_take_them(incoming):
    # given: the app pre-ordered the 5 incoming units
    preorder, _ = place_order(place_order_command([("LAMP", 5)], channel="app"), actor=ACTOR)
    # when: they arrive
    receive_future_stock(incoming.pk, actor=ACTOR)
    # then: the web shop cannot order them again (409 insufficient_stock)
    client = api_client_for(UserFactory(username="erp", role=Role.INTEGRATION))
    response = client.post("/api/v1/orders/", order_body(lines=(("LAMP", 5, "10.00"),)), format="json")
    assert (response.status_code, response.json()["error"]) == (409, "insufficient_stock")
    level = StockLevel.objects.get(sku=incoming.sku, stock_point=incoming.stock_point)
    assert (level.on_hand, level.reserved, level.atp) == (5, 5, 0)
    [hold] = Reservation.objects.active()
    assert (hold.reference, hold.future_stock_id, hold.quantity) == (f"{preorder.number}/1", None, 5)
    incoming.refresh_from_db()
    assert (incoming.is_received, incoming.reserved) == (True, 0)
    [receipt] = StockMovement.objects.all()
    assert (receipt.reason, receipt.quantity, receipt.on_hand_after) == ("receipt", 5, 5)


def test_a_received_preorder_cancelled_gives_its_units_back_to_the_level(incoming):
    preorder, _ = place_order(place_order_command([("LAMP", 2)], channel="app"), actor=ACTOR)
    receive_future_stock(incoming.pk, actor=ACTOR)
    cancel_order(preorder.number, actor=ACTOR, reason="changed mind")
    level = StockLevel.objects.get(sku=incoming.sku, stock_point=incoming.stock_point)
    assert (level.on_hand, level.reserved, level.atp) == (5, 0, 5)
    assert Reservation.objects.active().count() == 0


def test_receiving_twice_is_refused_and_changes_nothing(incoming):
    receive_future_stock(incoming.pk, actor=ACTOR)
    with pytest.raises(Conflict):
        receive_future_stock(incoming.pk, actor=ACTOR)
    level = StockLevel.objects.get(sku=incoming.sku, stock_point=incoming.stock_point)
    assert level.on_hand == 5
    assert StockMovement.objects.count() == 1


def test_saving_future_stock_does_not_write_what_is_held_or_received(incoming):
    place_order(place_order_command([("LAMP", 3)], channel="app"), actor=ACTOR)
    stale = FutureStock.objects.get(pk=incoming.pk)
    stale.reserved, stale.is_received, stale.quantity = 0, True, 8
    save_future_stock(stale)
    incoming.refresh_from_db()
    assert (incoming.quantity, incoming.reserved, incoming.is_received) == (8, 3, False)


def test_head_office_receives_from_the_admin_and_cannot_edit_holds(client, incoming):
    # given
    from oms.services.people import upsert_staff_user
    from tests.oms.factories import PASSWORD

    place_order(place_order_command([("LAMP", 2)], channel="app"), actor=ACTOR)
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    page = client.get(f"/admin/inventory/futurestock/{incoming.pk}/change/")
    assert page.status_code == 200
    assert 'name="reserved"' not in page.content.decode()
    assert 'name="is_received"' not in page.content.decode()
    # when
    response = client.post(
        "/admin/inventory/futurestock/",
        {"action": "receive", "_selected_action": [incoming.pk]},
    )
    # then
    assert response.status_code == 302
    level = StockLevel.objects.get(sku=incoming.sku, stock_point=incoming.stock_point)
    assert (level.on_hand, level.reserved) == (5, 2)
    incoming.refresh_from_db()
    assert incoming.is_received is True
