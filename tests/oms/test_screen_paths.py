"""Screens refuse text no database can store in their path or query string, as the
API does: a NUL character in `/stock/sku/%00/`, `/orders/%00/` or
`POST /orders/%00/cancel/` answered 500 on PostgreSQL ("A string literal cannot
contain NUL (0x00) characters"); now a 400 page, and nothing changes."""

from __future__ import annotations

import pytest

from oms.models import Order, TimelineEntry
from oms.services.capture import place_order
from tests.inventory.factories import SkuFactory, StockLevelFactory
from tests.oms.factories import ChannelFactory, place_order_command


@pytest.fixture
def order(db, store, actor) -> Order:
    ChannelFactory(code="web")
    StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=store, on_hand=5)
    placed, _created = place_order(place_order_command([("LAMP", 1)]), actor=actor)
    return placed


def state(order: Order) -> tuple:
    order.refresh_from_db()
    return (order.status, TimelineEntry.objects.count())


@pytest.mark.parametrize(
    ("who", "method", "url"),
    [
        ("store_staff", "get", "/stock/sku/%00/"),
        ("store_staff", "get", "/stock/sku/LAMP%00/"),
        ("store_staff", "get", "/stock/lookup/?q=%00"),
        ("store_staff", "get", "/stock/lookup/?store=%00"),
        ("customer_service", "get", "/orders/%00/"),
        ("customer_service", "get", "/orders/?q=WEB%00"),
        ("customer_service", "post", "/orders/%00/cancel/"),
        ("customer_service", "post", "/orders/WEB%00/cancel-lines/"),
        ("customer_service", "post", "/orders/%00/notes/"),
        ("admin_user", "get", "/admin/inventory/sku/%00/change/"),
    ],
)
def test_a_nul_in_a_screen_path_or_query_is_a_400_and_changes_nothing(
    client, request, order, who, method, url
):
    # given
    client.force_login(request.getfixturevalue(who))
    before = state(order)
    # when
    response = getattr(client, method)(url, {"reason": "customer_request"} if method == "post" else None)
    # then
    assert response.status_code == 400
    assert state(order) == before


def test_the_same_screens_without_the_nul_still_answer(client, customer_service, order):
    client.force_login(customer_service)
    response = client.get(f"/orders/{order.number}/")
    assert response.status_code == 200
