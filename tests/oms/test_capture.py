from datetime import date, timedelta
from decimal import Decimal

import pytest

from inventory.errors import InsufficientStock, ShortLine
from inventory.models import ChannelAllocation, Reservation, StockLevel
from oms.core.actors import Actor
from oms.core.errors import IdempotencyMismatch, InvalidInput
from oms.models import Customer, IdempotencyKey, Order, OutboxEvent, Payment, ReviewRule, TimelineEntry
from oms.services import capture
from oms.services.capture import Idempotency, PaymentInput, place_order
from oms.states import LineStatus, OrderStatus
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, CustomerFactory, place_order_command

ACTOR = Actor(label="api:webshop")


@pytest.fixture
def web(db):
    return ChannelFactory(code="web", name="Web shop")


@pytest.fixture
def warehouse(db):
    return StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)


@pytest.fixture
def lamp(warehouse):
    level = StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=warehouse, on_hand=5)
    return level.sku


def test_an_order_reserves_stock_and_is_confirmed(web, lamp, warehouse):
    order, created = place_order(place_order_command([("LAMP", 2, "19.90")]), actor=ACTOR)
    assert created is True
    assert (order.status, order.total_amount, order.channel.code) == (
        OrderStatus.CONFIRMED,
        Decimal("39.80"),
        "web",
    )
    [line] = order.lines.all()
    assert (line.sku.code, line.quantity, line.status) == ("LAMP", 2, LineStatus.OPEN)
    assert StockLevel.objects.get(sku=lamp, stock_point=warehouse).reserved == 2
    [hold] = Reservation.objects.active()
    assert (hold.reference, hold.quantity, hold.channel) == (f"{order.number}/1", 2, "web")
    payment = Payment.objects.get(order=order)
    assert (payment.reference, payment.authorised_amount, payment.status) == (
        "auth-123",
        Decimal("39.80"),
        "authorised",
    )
    kinds = list(order.timeline.values_list("kind", flat=True))
    assert kinds == ["order_created", "stock_reserved", "payment_authorised"]
    events = list(OutboxEvent.objects.values_list("event_type", "order_number"))
    assert events == [("order.created", order.number), ("order.confirmed", order.number)]


def test_order_numbers_are_unique_and_readable(web, lamp):
    numbers = {place_order(place_order_command([("LAMP", 1)]), actor=ACTOR)[0].number for _ in range(5)}
    assert len(numbers) == 5
    for number in numbers:
        prefix, first, second = number.split("-")
        assert (prefix, len(first), len(second)) == ("WEB", 4, 4)
        assert not set(first + second) & set("01OI")


def test_a_taken_order_number_is_drawn_again(web, lamp, monkeypatch):
    # given: an order WEB-AAAA-AAAA, and a draw that gives that number first
    first, _ = place_order(place_order_command([("LAMP", 1)]), actor=ACTOR)
    draws = iter([first.number, "WEB-BBBB-CCCC"])
    monkeypatch.setattr(capture, "new_order_number", lambda channel: next(draws))
    # when
    second, created = place_order(place_order_command([("LAMP", 1)], email="other@example.fr"), actor=ACTOR)
    # then: the second order took the next number, with its line, hold and timeline
    assert (created, second.number) == (True, "WEB-BBBB-CCCC")
    assert Order.objects.count() == 2
    assert Reservation.objects.filter(reference="WEB-BBBB-CCCC/1").count() == 1
    assert TimelineEntry.objects.filter(order=second, kind="order_created").count() == 1


def test_short_lines_are_all_named_and_nothing_is_created(web, lamp, warehouse):
    StockLevelFactory(sku=SkuFactory(code="SHIRT"), stock_point=warehouse, on_hand=1)
    with pytest.raises(InsufficientStock) as refused:
        place_order(place_order_command([("LAMP", 9), ("SHIRT", 3)]), actor=ACTOR)
    assert sorted(refused.value.lines, key=lambda line: line.sku) == [
        ShortLine("LAMP", requested=9, available=5),
        ShortLine("SHIRT", requested=3, available=1),
    ]
    assert (Order.objects.count(), Reservation.objects.count(), OutboxEvent.objects.count()) == (0, 0, 0)
    assert StockLevel.objects.get(sku=lamp).reserved == 0


def test_invalid_lines_are_each_explained(web, lamp):
    command = place_order_command([("LAMP", 0), ("NOPE", 1), ("LAMP", 1, "-1")])
    with pytest.raises(InvalidInput) as refused:
        place_order(command, actor=ACTOR)
    line_errors = [(error["line"], error["field"]) for error in refused.value.errors if "line" in error]
    assert line_errors == [(0, "quantity"), (1, "sku"), (2, "sku"), (2, "unit_price")]
    assert Order.objects.count() == 0


def test_payment_amount_must_match_the_total(web, lamp):
    command = place_order_command(
        [("LAMP", 1, "10.00")],
        payment=PaymentInput(provider="sandbox", reference="x", amount=Decimal("9.99")),
    )
    with pytest.raises(InvalidInput) as refused:
        place_order(command, actor=ACTOR)
    assert [error["field"] for error in refused.value.errors] == ["payment.amount"]


def test_customers_are_unified_across_channels_by_email_or_phone(web, lamp):
    ChannelFactory(code="app")
    existing = CustomerFactory(email="camille.martin@example.fr", phone="")
    first, _ = place_order(place_order_command([("LAMP", 1)], email="Camille.Martin@Example.fr"), actor=ACTOR)
    second, _ = place_order(place_order_command([("LAMP", 1)], channel="app", email=""), actor=ACTOR)
    assert first.customer_id == second.customer_id == existing.pk
    existing.refresh_from_db()
    assert existing.phone == "+33612345678"
    assert Customer.objects.count() == 1


def test_same_idempotency_key_and_body_give_the_same_order(web, lamp, integration):
    key = Idempotency(client_id=integration.pk, key="k-1", request_hash="h1")
    first, created = place_order(place_order_command([("LAMP", 2)]), actor=ACTOR, idempotency=key)
    again, created_again = place_order(place_order_command([("LAMP", 2)]), actor=ACTOR, idempotency=key)
    assert (again.pk, created, created_again) == (first.pk, True, False)
    assert StockLevel.objects.get(sku=lamp).reserved == 2
    with pytest.raises(IdempotencyMismatch):
        place_order(
            place_order_command([("LAMP", 1)]),
            actor=ACTOR,
            idempotency=Idempotency(client_id=integration.pk, key="k-1", request_hash="h2"),
        )
    assert Order.objects.count() == 1


def test_a_refused_order_leaves_its_key_free(web, lamp, integration):
    key = Idempotency(client_id=integration.pk, key="k-2", request_hash="h1")
    with pytest.raises(InsufficientStock):
        place_order(place_order_command([("LAMP", 50)]), actor=ACTOR, idempotency=key)
    assert IdempotencyKey.objects.count() == 0


def test_click_and_collect_prefers_the_collection_store(web, lamp, warehouse):
    store = StockPointFactory(code="ST-LYON-01", services=["click_and_collect"], priority=100)
    StockLevelFactory(sku=lamp, stock_point=store, on_hand=3)
    order, _ = place_order(
        place_order_command([("LAMP", 2)], method="click_and_collect", pickup_store="ST-LYON-01"), actor=ACTOR
    )
    [hold] = Reservation.objects.filter(reference=f"{order.number}/1")
    assert hold.stock_point_id == store.pk


def test_a_whole_line_goes_to_the_first_stock_point_by_priority_then_depth(web, lamp, warehouse):
    # given: the warehouse (priority 10) with 5 lamps, two stores (priority 50) with 20 and 30,
    # and an inactive store with plenty
    for code, units, active in [("ST-A", 20, True), ("ST-B", 30, True), ("ST-CLOSED", 90, False)]:
        point = StockPointFactory(code=code, priority=50, is_active=active)
        StockLevelFactory(sku=lamp, stock_point=point, on_hand=units)

    def held_at(quantity: int) -> list[tuple[str, int]]:
        order, _ = place_order(place_order_command([("LAMP", quantity)]), actor=ACTOR)
        return list(
            Reservation.objects.filter(reference=f"{order.number}/1").values_list(
                "stock_point__code", "quantity"
            )
        )

    # then: the warehouse while it can serve the whole line, then the deeper store, in one parcel
    assert held_at(3) == [("WH-ORLEANS", 3)]
    assert held_at(4) == [("ST-B", 4)]  # the warehouse has 2 left: the store with most stock
    assert held_at(26) == [("ST-B", 26)]
    assert held_at(20) == [("ST-A", 20)]  # ST-B has 0 left
    assert held_at(2) == [("WH-ORLEANS", 2)]


def test_a_line_is_split_when_no_single_stock_point_has_enough(web, lamp, warehouse):
    store = StockPointFactory(code="ST-1")
    StockLevelFactory(sku=lamp, stock_point=store, on_hand=4)
    order, _ = place_order(place_order_command([("LAMP", 8)]), actor=ACTOR)
    held = sorted(
        Reservation.objects.filter(reference=f"{order.number}/1").values_list("stock_point__code", "quantity")
    )
    # the warehouse (priority 10) gives all it has, the store the rest
    assert held == [("ST-1", 3), ("WH-ORLEANS", 5)]


def test_channel_allocation_limits_what_an_order_can_take(lamp, warehouse):
    ChannelFactory(code="marketplace:zalando")
    ChannelAllocation.objects.create(channel="marketplace:zalando", share_percent=40)
    with pytest.raises(InsufficientStock) as refused:
        place_order(place_order_command([("LAMP", 3)], channel="marketplace:zalando"), actor=ACTOR)
    assert refused.value.lines == [ShortLine("LAMP", requested=3, available=2)]


def test_preorder_on_future_stock_when_the_channel_allows_it(lamp, warehouse):
    ChannelFactory(code="app", accepts_preorders=True)
    expected = date.today() + timedelta(days=12)
    incoming = FutureStockFactory(sku=lamp, stock_point=warehouse, quantity=10, expected_date=expected)
    order, _ = place_order(place_order_command([("LAMP", 7)], channel="app"), actor=ACTOR)
    [line] = order.lines.all()
    assert (line.status, line.is_preorder, line.promised_date, order.promised_date) == (
        LineStatus.BACKORDERED,
        True,
        expected,
        expected,
    )
    incoming.refresh_from_db()
    assert incoming.reserved == 7
    assert StockLevel.objects.get(sku=lamp).reserved == 0
    assert TimelineEntry.objects.filter(order=order, kind="preordered").count() == 1


def test_orders_matching_review_rules_wait_for_review(web, lamp):
    ReviewRule.objects.create(kind="amount_over", threshold=Decimal("15.00"))
    order, _ = place_order(place_order_command([("LAMP", 2, "10.00")]), actor=ACTOR)
    assert (order.status, order.review_reasons) == (
        OrderStatus.AWAITING_REVIEW,
        [{"code": "amount_over", "threshold": "15.00"}],
    )
    assert list(OutboxEvent.objects.values_list("event_type", flat=True)) == [
        "order.created",
        "order.held_for_review",
    ]


def test_flagged_customers_go_to_review(web, lamp):
    ReviewRule.objects.create(kind="flagged_customer")
    CustomerFactory(email="camille.martin@example.fr", is_flagged=True)
    order, _ = place_order(place_order_command([("LAMP", 1)]), actor=ACTOR)
    assert order.review_reasons == [{"code": "flagged_customer"}]


def test_e_reservation_holds_at_the_store_only_without_payment(web, lamp, warehouse):
    store = StockPointFactory(code="ST-LYON-01", services=["e_reservation"])
    with pytest.raises(InsufficientStock):
        place_order(
            place_order_command([("LAMP", 1)], method="e_reservation", pickup_store="ST-LYON-01"), actor=ACTOR
        )
    StockLevelFactory(sku=lamp, stock_point=store, on_hand=1)
    order, _ = place_order(
        place_order_command([("LAMP", 1)], method="e_reservation", pickup_store="ST-LYON-01"), actor=ACTOR
    )
    assert order.hold_until is not None
    assert Payment.objects.filter(order=order).count() == 0
    assert Reservation.objects.get(reference=f"{order.number}/1").stock_point_id == store.pk


def test_capture_takes_a_fixed_number_of_queries_per_line(web, lamp, warehouse, django_assert_num_queries):
    # given: SKUs in stock (the query count of stock is 2 per line: the best level, its gate;
    # one more per order: is the channel reference already taken)
    for code in ("DESK", "CHAIR"):
        StockLevelFactory(sku=SkuFactory(code=code), stock_point=warehouse, on_hand=5)
    place_order(place_order_command([("LAMP", 1)]), actor=ACTOR)  # the customer exists
    # when / then
    with django_assert_num_queries(18):
        place_order(place_order_command([("LAMP", 1)], external_reference="W-2"), actor=ACTOR)
    with django_assert_num_queries(22):
        place_order(
            place_order_command([("LAMP", 1), ("DESK", 2), ("CHAIR", 1)], external_reference="W-3"),
            actor=ACTOR,
        )
