import threading
from decimal import Decimal

import pytest
from django.db import connection

from inventory.models import Reservation, StockLevel
from oms.models import Channel, Order, OutboxEvent, ReviewRule, TimelineEntry
from tests.conftest import api_client_for
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory


@pytest.fixture
def catalogue(db):
    ChannelFactory(code="web")
    ChannelFactory(code="app")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    StockPointFactory(code="ST-LYON-01", services=["click_and_collect", "e_reservation"])
    StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=warehouse, on_hand=5)
    StockLevelFactory(sku=SkuFactory(code="SHIRT"), stock_point=warehouse, on_hand=1)
    return warehouse


def order_body(lines=(("LAMP", 2, "19.90"),), **overrides) -> dict:
    total = sum(Decimal(price) * quantity for _sku, quantity, price in lines)
    body = {
        "channel": "web",
        "external_reference": "SHOP-1001",
        "customer": {
            "email": "camille@example.fr",
            "first_name": "Camille",
            "last_name": "Martin",
            "phone": "0612345678",
        },
        "delivery": {
            "method": "home_delivery",
            "service": "standard",
            "address": {
                "line1": "12 rue de la République",
                "postal_code": "69002",
                "city": "Lyon",
                "country": "FR",
                "latitude": 45.764,
                "longitude": 4.8357,
            },
        },
        "lines": [{"sku": sku, "quantity": quantity, "unit_price": price} for sku, quantity, price in lines],
        "payment": {
            "provider": "sandbox",
            "reference": "auth-1",
            "amount": f"{total:.2f}",
            "currency": "EUR",
        },
    }
    body.update(overrides)
    return body


def test_create_an_order(api, catalogue):
    response = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["status"], order["channel"], order["total"], order["currency"]) == (
        "confirmed",
        "web",
        "39.80",
        "EUR",
    )
    [line] = order["lines"]
    assert (line["sku"], line["quantity"], line["status"]) == ("LAMP", 2, "open")
    assert line["allocations"] == [
        {"stock_point": "WH-ORLEANS", "quantity": 2, "status": "active", "preorder": False}
    ]
    assert [entry["kind"] for entry in order["timeline"]] == [
        "order_created",
        "stock_reserved",
        "payment_authorised",
    ]
    assert order["delivery"]["address"]["city"] == "Lyon"
    assert (order["fulfilments"], order["shipments"], order["returns"]) == ([], [], [])


def test_the_created_order_is_the_one_read_back(api, catalogue):
    # given: a channel taking pre-orders, a SKU only incoming, and a review rule
    ChannelFactory(code="marketplace", accepts_preorders=True)
    FutureStockFactory(sku=SkuFactory(code="VASE"), stock_point=catalogue, quantity=10)
    ReviewRule.objects.create(kind="amount_over", threshold=Decimal("50.00"))
    body = order_body(
        (("LAMP", 2, "19.90"), ("VASE", 3, "12.50")), channel="marketplace", notes=["Gift wrap"]
    )
    # when
    created = api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then: the response of the capture (built from memory) is what the database holds
    assert created.status_code == 201, created.json()
    read = api.get(f"/api/v1/orders/{created.json()['number']}/")
    assert created.json() == read.json()
    order = read.json()
    assert (order["status"], order["review_reasons"], order["promised_date"] is not None) == (
        "awaiting_review",
        [{"code": "amount_over", "threshold": "50.00"}],
        True,
    )
    assert [line["status"] for line in order["lines"]] == ["open", "backordered"]
    assert [entry["kind"] for entry in order["timeline"]] == [
        "order_created",
        "stock_reserved",
        "preordered",
        "payment_authorised",
        "note",
        "held_for_review",
    ]


def test_same_key_and_body_give_back_the_same_order(api, catalogue):
    first = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2


def test_same_key_other_body_is_422_and_changes_nothing(api, catalogue):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api.post(
        "/api/v1/orders/",
        order_body(lines=(("LAMP", 1, "19.90"),)),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2


def test_insufficient_stock_names_each_short_line(api, catalogue):
    response = api.post(
        "/api/v1/orders/", order_body(lines=(("LAMP", 9, "1.00"), ("SHIRT", 2, "1.00"))), format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "insufficient_stock"
    assert sorted((line["sku"], line["requested"], line["available"]) for line in body["lines"]) == [
        ("LAMP", 9, 5),
        ("SHIRT", 2, 1),
    ]
    assert (Order.objects.count(), Reservation.objects.count(), OutboxEvent.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"lines": [{"sku": "LAMP", "quantity": -1, "unit_price": "1.00"}]}, ["lines.0.quantity"]),
        ({"lines": [{"sku": "LAMP", "quantity": "two", "unit_price": "1.00"}]}, ["lines.0.quantity"]),
        ({"lines": []}, ["lines"]),
        ({"delivery": {"method": "teleport"}}, ["delivery.method"]),
        ({"customer": {"email": "not-an-email"}}, ["customer.email"]),
    ],
)
def test_malformed_orders_get_400_with_the_field_and_change_nothing(api, catalogue, change, where):
    body = order_body()
    body.update(change)
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert [error["field"] for error in response.json()["errors"]] == where
    assert Order.objects.count() == 0


def test_unknown_sku_and_channel_are_explained(api, catalogue):
    body = order_body(lines=(("NOPE", 1, "1.00"),), channel="fax")
    body["payment"]["amount"] = "1.00"
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "channel", "detail": "Unknown channel fax."},
        {"line": 0, "field": "sku", "detail": "Unknown SKU NOPE."},
    ]


def test_malformed_json_is_400(api, catalogue):
    response = api.post("/api/v1/orders/", "{not json", content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, "malformed_json")


def test_read_and_list_orders_with_filters(api, catalogue):
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    api.post("/api/v1/orders/", order_body(channel="app"), format="json")
    detail = api.get(f"/api/v1/orders/{number}/")
    assert (detail.status_code, detail.json()["number"]) == (200, number)
    assert api.get("/api/v1/orders/NOPE/").status_code == 404
    listing = api.get("/api/v1/orders/", {"channel": "app"}).json()
    assert listing["count"] == 1 and listing["results"][0]["channel"] == "app"
    assert api.get("/api/v1/orders/", {"customer": "camille@example.fr"}).json()["count"] == 2
    assert api.get("/api/v1/orders/", {"status": "cancelled"}).json()["count"] == 0


def test_order_list_query_count_does_not_grow(api, catalogue, django_assert_num_queries):
    StockLevel.objects.filter(sku__code="LAMP").update(on_hand=100)
    for n in range(2):
        api.post("/api/v1/orders/", order_body(external_reference=f"SHOP-{n}"), format="json")
    with django_assert_num_queries(3):
        api.get("/api/v1/orders/")
    for n in range(2, 20):
        api.post("/api/v1/orders/", order_body(external_reference=f"SHOP-{n}"), format="json")
    with django_assert_num_queries(3):
        assert api.get("/api/v1/orders/").json()["count"] == 20


def test_cancel_whole_order_releases_stock(api, catalogue):
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    response = api.post(
        f"/api/v1/orders/{number}/cancel/", {"reason": "customer changed mind"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 0
    again = api.post(f"/api/v1/orders/{number}/cancel/", {}, format="json")
    assert (again.status_code, again.json()["error"]) == (409, "illegal_transition")


def test_cancel_some_units_of_a_line(api, catalogue):
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    response = api.post(
        f"/api/v1/orders/{number}/cancel/", {"lines": [{"sku": "LAMP", "quantity": 1}]}, format="json"
    )
    assert response.status_code == 200
    [line] = response.json()["lines"]
    assert (line["cancelled_quantity"], line["status"], response.json()["status"]) == (1, "open", "confirmed")
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 1
    too_many = api.post(
        f"/api/v1/orders/{number}/cancel/", {"lines": [{"sku": "LAMP", "quantity": 5}]}, format="json"
    )
    assert too_many.status_code == 400
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 1


def test_store_staff_and_anonymous_cannot_use_the_orders_api(anonymous_api, store_staff, catalogue):
    assert anonymous_api.post("/api/v1/orders/", order_body(), format="json").status_code == 401
    staff = api_client_for(store_staff)
    assert staff.post("/api/v1/orders/", order_body(), format="json").status_code == 403
    assert staff.get("/api/v1/orders/").status_code == 403
    assert Order.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_retries_with_one_key_make_one_order(integration):
    ChannelFactory(code="web")
    StockLevelFactory(
        sku=SkuFactory(code="LAMP"), stock_point=StockPointFactory(kind="warehouse"), on_hand=50
    )
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    numbers: set[str] = set()

    def retry():
        try:
            client = api_client_for(integration)
            barrier.wait()
            response = client.post(
                "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="retry-me"
            )
            statuses.append(response.status_code)
            numbers.add(response.json()["number"])
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * 19 + [201]
    assert len(numbers) == 1
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_from_several_channels_never_oversell(integration):
    ChannelFactory(code="web")
    ChannelFactory(code="app")
    ChannelFactory(code="marketplace:zalando")
    store = StockPointFactory(code="ST-1")
    warehouse = StockPointFactory(code="WH-1", kind="warehouse")
    sku = SkuFactory(code="LAMP")
    StockLevelFactory(sku=sku, stock_point=store, on_hand=4, protection=1)
    StockLevelFactory(sku=sku, stock_point=warehouse, on_hand=6)
    channels = ["web", "app", "marketplace:zalando"]
    barrier = threading.Barrier(24)
    statuses: list[int] = []

    def buy(i: int):
        try:
            client = api_client_for(integration)
            barrier.wait()
            body = order_body(
                lines=(("LAMP", 1, "10.00"),), channel=channels[i % 3], external_reference=f"C-{i}"
            )
            statuses.append(client.post("/api/v1/orders/", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * 9 + [409] * 15  # 3 + 6 promisable units
    levels = {level.stock_point.code: level for level in StockLevel.objects.select_related("stock_point")}
    assert (levels["ST-1"].reserved, levels["ST-1"].atp, levels["WH-1"].reserved) == (3, 0, 6)
    assert Order.objects.count() == 9


def test_a_body_over_the_size_limit_is_a_json_413(api, catalogue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = order_body()
    body["notes"] = ["x" * 900, "y" * 900]
    response = api.post("/api/v1/orders/", body, format="json")
    assert (response.status_code, response.json()["error"]) == (413, "request_too_large")
    assert Order.objects.count() == 0


def test_the_same_order_sent_again_without_a_key_gives_the_first_back(api, catalogue):
    # given
    first = api.post("/api/v1/orders/", order_body(), format="json")
    # when: the channel sends it again, without an Idempotency-Key
    again = api.post("/api/v1/orders/", order_body(), format="json")
    # then
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == api.get(f"/api/v1/orders/{first.json()['number']}/").json()
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2
    assert OutboxEvent.objects.filter(event_type="order.created").count() == 1


def test_another_order_under_a_used_reference_is_409_and_changes_nothing(api, catalogue):
    # given
    StockLevel.objects.filter(sku__code="LAMP").update(on_hand=100)
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    # when: another body under the same channel and reference
    response = api.post("/api/v1/orders/", order_body(lines=(("LAMP", 1, "19.90"),)), format="json")
    # then
    assert response.status_code == 409
    assert response.json() == {
        "error": "duplicate_external_reference",
        "detail": f"Channel web already placed order {number} under the reference SHOP-1001.",
        "errors": [
            {
                "field": "external_reference",
                "detail": f"Channel web already placed order {number} under the reference SHOP-1001.",
            }
        ],
    }
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2
    assert OutboxEvent.objects.count() == 2  # order.created, order.confirmed of the first
    # and: the same reference on another channel, or no reference, is another order
    assert api.post("/api/v1/orders/", order_body(channel="app"), format="json").status_code == 201
    for _ in range(2):
        no_reference = order_body(lines=(("LAMP", 1, "19.90"),), external_reference="")
        assert api.post("/api/v1/orders/", no_reference, format="json").status_code == 201


def test_the_database_refuses_a_second_order_under_one_reference(catalogue):
    from django.db import IntegrityError, transaction

    from tests.oms.factories import CustomerFactory

    web = Channel.objects.get(code="web")
    customer = CustomerFactory()
    fields = {"channel": web, "customer": customer, "status": "confirmed", "delivery_method": "home_delivery"}
    Order.objects.create(number="W-1", external_reference="SHOP-9", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(number="W-2", external_reference="SHOP-9", **fields)
    Order.objects.create(number="W-3", external_reference="", **fields)
    Order.objects.create(number="W-4", external_reference="", **fields)
    assert sorted(Order.objects.values_list("number", flat=True)) == ["W-1", "W-3", "W-4"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_sends_of_one_reference_make_one_order(integration):
    # given
    ChannelFactory(code="web")
    StockLevelFactory(
        sku=SkuFactory(code="LAMP"), stock_point=StockPointFactory(kind="warehouse"), on_hand=50
    )
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    numbers: set[str] = set()

    def send():
        try:
            client = api_client_for(integration)
            barrier.wait()
            response = client.post("/api/v1/orders/", order_body(), format="json")
            statuses.append(response.status_code)
            numbers.add(response.json()["number"])
        finally:
            connection.close()

    # when: 20 threads send the same order, without an Idempotency-Key
    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then: one order, its stock reserved once, the others get it back
    assert sorted(statuses) == [200] * 19 + [201]
    assert len(numbers) == 1
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(sku__code="LAMP").reserved == 2
    assert Reservation.objects.count() == 1
    assert OutboxEvent.objects.filter(event_type="order.created").count() == 1
