import io
import math
import re
from collections import defaultdict
from datetime import timedelta
from statistics import median

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from inventory.models import (
    ChannelAllocation,
    FutureStock,
    ProtectionRule,
    Reservation,
    Sku,
    StockLevel,
    StockMovement,
    StockPoint,
    validate_ean,
)
from oms.demo import data
from oms.demo.seed import demo_catalogue, ean13, is_valid_ean13, stock_snapshot
from oms.models import Order, OutboxEvent, Profile, Role, TimelineEntry

SKUS = 200
ORDERS = 40


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--skus", str(SKUS), "--orders", str(ORDERS), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        StockPoint,
        StockPoint.history.model,
        Sku,
        StockLevel,
        StockMovement,
        ProtectionRule,
        ProtectionRule.history.model,
        ChannelAllocation,
        ChannelAllocation.history.model,
        FutureStock,
        FutureStock.history.model,
        get_user_model(),
        Profile,
        Token,
        Order,
        TimelineEntry,
        OutboxEvent,
        Reservation,
    ]
    return {model._meta.label: model.objects.count() for model in models}


@pytest.fixture
def seeded(db, fast_passwords) -> str:
    return seed()


def test_seeding_twice_creates_nothing_new(seeded):
    # given
    first = counts()
    # when
    output = seed()
    # then
    assert counts() == first
    assert first["inventory.StockPoint"] == 46
    assert first["inventory.Sku"] == SKUS
    assert "0 new, 0 changed" in output
    assert "feed: " in output and "0 changed on hand" in output
    assert "(0 new)" in output


def test_demo_orders_come_in_many_states_and_hold_real_stock(seeded):
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"confirmed", "in_fulfilment", "shipped", "awaiting_review"} <= statuses
    reported = int(re.search(r"orders\s+([\d,]+) in every state", seeded).group(1).replace(",", ""))
    assert Order.objects.count() == reported
    assert reported >= ORDERS * 3 // 4  # a few plans find no stock at their store
    active = sum(Reservation.objects.active().values_list("quantity", flat=True))
    assert (
        sum(StockLevel.objects.values_list("reserved", flat=True))
        + sum(FutureStock.objects.values_list("reserved", flat=True))
        == active
    )
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0


def test_demo_orders_that_left_are_paid_and_their_lines_say_so(seeded):
    gone = Order.objects.filter(status__in=["shipped", "collected"]).prefetch_related("lines", "payments")
    assert gone.count() > 0
    for order in gone:
        assert [p.captured_amount for p in order.payments.all()] == [order.total_amount], order.number
        assert {line.status for line in order.lines.all()} == {order.status}, order.number
    in_fulfilment = Order.objects.filter(status="in_fulfilment").prefetch_related("lines")
    assert {line.status for order in in_fulfilment for line in order.lines.all()} <= {
        "allocated",
        "backordered",
    }


def test_the_network_is_a_warehouse_a_supplier_and_44_stores(seeded):
    kinds = {
        kind: StockPoint.objects.filter(kind=kind).count() for kind in ("warehouse", "supplier", "store")
    }
    assert kinds == {"warehouse": 1, "supplier": 1, "store": 44}
    assert set(StockPoint.objects.values_list("code", flat=True)) >= {
        "WH-ORLEANS",
        "SUP-TEXTILE",
        "ST-LYON-01",
        "ST-PARIS-01",
        "ST-MARSEILLE-01",
    }
    without_ship_from_store = sorted(
        point.code for point in StockPoint.objects.stores() if not point.offers("ship_from_store")
    )
    assert without_ship_from_store == [
        "ST-AMIENS-01",
        "ST-BREST-01",
        "ST-LE-HAVRE-01",
        "ST-MULHOUSE-01",
        "ST-PAU-01",
        "ST-PERPIGNAN-01",
    ]
    lyon = StockPoint.objects.get(code="ST-LYON-01")
    assert (lyon.region, lyon.postal_code, lyon.city) == ("Auvergne-Rhône-Alpes", "69003", "Lyon")
    assert lyon.opening_hours["sat"] == [["10:00", "19:30"]]


# Where these places really are (city centres, within 0.1°).
REAL_COORDINATES = {
    "ST-LYON-01": (45.76, 4.84),
    "ST-PARIS-01": (48.86, 2.35),
    "ST-MARSEILLE-01": (43.30, 5.37),
    "ST-LILLE-01": (50.63, 3.06),
    "ST-BORDEAUX-01": (44.84, -0.58),
    "ST-BREST-01": (48.39, -4.49),
    "ST-NICE-01": (43.70, 7.27),
    "WH-ORLEANS": (47.95, 1.88),
}


def test_stock_points_are_at_their_real_coordinates(seeded):
    points = {
        code: (latitude, longitude)
        for code, latitude, longitude in StockPoint.objects.filter(
            code__in=list(REAL_COORDINATES)
        ).values_list("code", "latitude", "longitude")
    }
    assert set(points) == set(REAL_COORDINATES)
    for code, (latitude, longitude) in REAL_COORDINATES.items():
        assert abs(points[code][0] - latitude) < 0.1, code
        assert abs(points[code][1] - longitude) < 0.1, code


def test_ean13_check_digit():
    assert ean13("400638133393") == "4006381333931"
    assert is_valid_ean13("4006381333931")
    assert not is_valid_ean13("4006381333932")


def test_skus_have_valid_french_eans_and_believable_names(seeded):
    eans = list(Sku.objects.values_list("ean", flat=True))
    assert len(set(eans)) == SKUS
    assert all(is_valid_ean13(ean) and ean.startswith("376") for ean in eans)
    for ean in eans:
        validate_ean(ean)  # the model's own check (python-stdnum) accepts every demo EAN
    shirt = Sku.objects.get(code="ML-CHLINH-BLC-37")
    assert (shirt.name, shirt.category, str(shirt.price)) == (
        "Chemise en lin homme — blanc — 37",
        "shirts",
        "59.90",
    )
    assert set(Sku.objects.values_list("category", flat=True).distinct()) == {
        model.category for model in data.MODELS
    }


def test_stock_is_the_snapshot_deep_in_the_warehouse_and_uneven_in_stores(seeded):
    expected = {(item.stock_point, item.sku): item.quantity for item in stock_snapshot(demo_catalogue(SKUS))}
    stored = {
        (point, sku): on_hand
        for point, sku, on_hand in StockLevel.objects.values_list("stock_point__code", "sku__code", "on_hand")
    }
    # what left with the demo orders' shipments and collections
    for point, sku, quantity in StockMovement.objects.recorded_by_oms().values_list(
        "stock_point__code", "sku__code", "quantity"
    ):
        expected[(point, sku)] += quantity
    assert stored == expected
    warehouse = [qty for (point, _sku), qty in stored.items() if point == "WH-ORLEANS"]
    lyon = [qty for (point, _sku), qty in stored.items() if point == "ST-LYON-01"]
    assert len(warehouse) == SKUS
    assert min(lyon) == 0
    assert median(warehouse) > max(lyon)


def test_protection_rules_are_resolved_onto_the_levels(seeded):
    lyon_shirts = StockLevel.objects.filter(stock_point__code="ST-LYON-01", sku__category="shirts")
    assert set(lyon_shirts.values_list("protection_units", "protection_percent")) == {(2, 0)}
    flagship_shirts = StockLevel.objects.filter(stock_point__code="ST-PARIS-02", sku__category="shirts")
    assert set(flagship_shirts.values_list("protection_units", "protection_percent")) == {(3, 0)}
    lamp = StockLevel.objects.get(stock_point__code="WH-ORLEANS", sku__code="ML-LCHEV-LAI")
    assert lamp.protection == math.ceil(lamp.on_hand * 20 / 100)
    override = ProtectionRule.objects.get(stock_point__code="ST-LYON-01", sku__code="ML-LCHEV-LAI")
    assert (override.units, override.percent) == (1, 0)


def test_zalando_gets_half_of_the_warehouse_only(seeded):
    rules = list(
        ChannelAllocation.objects.filter(channel="marketplace:zalando").values_list(
            "stock_point_kind", "share_percent"
        )
    )
    assert rules == [("warehouse", 50)]
    assert set(ChannelAllocation.objects.values_list("channel", flat=True)) == {
        "web",
        "app",
        "marketplace:zalando",
        "store",
        "call_centre",
    }


def test_incoming_stock_is_expected_in_the_coming_weeks(seeded):
    today = timezone.localdate()
    days = {(line.expected_date - today).days for line in FutureStock.objects.all()}
    assert days <= {4, 9, 12, 14, 19, 24, 29, 34, 39}
    sold_out = set(
        StockLevel.objects.filter(stock_point__code="WH-ORLEANS", on_hand=0).values_list(
            "sku__code", flat=True
        )
    )
    on_order = set(
        FutureStock.objects.filter(stock_point__code="WH-ORLEANS").values_list("sku__code", flat=True)
    )
    assert sold_out <= on_order


def test_demo_users_have_their_roles_stores_and_passwords_after_two_runs(seeded):
    seed()
    roles = {
        profile.user.username: (profile.role, sorted(profile.stores.values_list("code", flat=True)))
        for profile in Profile.objects.select_related("user")
    }
    assert roles == {
        "admin": (Role.HEAD_OFFICE, []),
        "service": (Role.CUSTOMER_SERVICE, []),
        "lyon": (Role.STORE_STAFF, ["ST-LYON-01"]),
        "paris": (Role.STORE_STAFF, ["ST-PARIS-01"]),
        "camille": (Role.STORE_STAFF, ["ST-LYON-01", "ST-PARIS-01"]),
        "api-demo-shop": (Role.INTEGRATION, []),
    }
    for user in data.DEMO_USERS:
        assert authenticate(username=user.username, password=user.password).username == user.username
    admin = get_user_model().objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    lyon = get_user_model().objects.get(username="lyon")
    assert (lyon.is_staff, lyon.is_superuser) == (False, False)


def test_the_output_lists_the_logins_the_token_and_the_url(seeded):
    token = Token.objects.get(user__username="api-demo-shop").key
    assert token in seeded
    for user in data.DEMO_USERS:
        assert f"  {user.username} " in seeded and f" {user.password} " in seeded
    assert "http://127.0.0.1:8000" in seeded


def test_more_skus_than_the_catalogue_is_refused(db):
    with pytest.raises(CommandError, match="at most"):
        call_command("seed_demo", "--skus", "100000", stdout=io.StringIO())
    assert StockPoint.objects.count() == 0


def test_demo_orders_are_spread_over_two_weeks_with_their_timelines_in_order(seeded):
    # given: the seeded orders, oldest first
    now = timezone.now()
    placed = list(Order.objects.order_by("created_at").values_list("pk", "created_at", "updated_at"))
    # then: from about two weeks ago to a few minutes ago, no two at the same time
    assert now - timedelta(days=14, minutes=10) <= placed[0][1] <= now - timedelta(days=12)
    assert now - timedelta(days=1) <= placed[-1][1] <= now - timedelta(minutes=3)
    assert len({created for _pk, created, _updated in placed}) == len(placed)
    days = {created.date() for _pk, created, _updated in placed}
    assert len(days) >= 12
    # and each order's timeline starts when it was placed, in order, before now
    entries = defaultdict(list)
    for order_id, at in TimelineEntry.objects.order_by("order_id", "created_at", "pk").values_list(
        "order_id", "created_at"
    ):
        entries[order_id].append(at)
    for pk, created, updated in placed:
        times = entries[pk]
        assert times[0] >= created, pk
        assert times == sorted(times), pk
        assert times[-1] <= now, pk
        assert updated == times[-1], pk
    # and later steps (shipped, collected…) come after the order was placed
    shipped = Order.objects.filter(status="shipped").first()
    kinds_and_times = list(shipped.timeline.order_by("created_at", "pk").values_list("kind", "created_at"))
    assert kinds_and_times[-1][1] > shipped.created_at + timedelta(minutes=1)
    # and the events went out (as history) when they happened
    events = OutboxEvent.objects.exclude(order_number="").values_list("created_at", "dispatched_at")
    for event_created, dispatched in events:
        assert event_created == dispatched
        assert event_created <= now


def test_a_second_seed_keeps_the_order_times(seeded):
    before = list(Order.objects.order_by("pk").values_list("number", "created_at"))
    timeline_before = list(TimelineEntry.objects.order_by("pk").values_list("pk", "created_at"))
    seed()
    assert list(Order.objects.order_by("pk").values_list("number", "created_at")) == before
    assert list(TimelineEntry.objects.order_by("pk").values_list("pk", "created_at")) == timeline_before
