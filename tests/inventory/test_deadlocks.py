"""Every stock writer under load at once, on real PostgreSQL transactions: orders
captured through `place_order` (whole lines, click & collect at either store, lines
split over several stock points), whole and partial cancels, delta feeds and store
movements, all on the same SKUs and levels, each in the opposite order of the
others. Nobody may get anything but an answer of the domain (a deadlock would be a
500), and the books must balance afterwards."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from inventory.errors import InsufficientStock
from inventory.models import FutureStock, Reservation, Sku, StockLevel, StockMovement
from inventory.services.feeds import ABSOLUTE, DELTA, FeedItem, FeedResult, apply_feed
from inventory.services.movements import adjust_stock, receive_stock
from oms.core.actors import Actor
from oms.models import Order
from oms.services.cancellation import CancelLine, cancel_order
from oms.services.capture import place_order
from tests.inventory.factories import SkuFactory, StockPointFactory
from tests.inventory.test_concurrency import run_concurrently
from tests.oms.factories import ChannelFactory, place_order_command

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ACTOR = Actor.system("test")
SKUS = ["LAMP", "DESK", "CHAIR", "SHELF"]
THREADS = 32


@pytest.fixture
def network(transactional_db):
    ChannelFactory(code="web", name="Web shop", accepts_preorders=True)
    points = {
        "WH": StockPointFactory(code="WH", kind="warehouse", priority=10),
        "ST-A": StockPointFactory(code="ST-A", kind="store", priority=50),
        "ST-B": StockPointFactory(code="ST-B", kind="store", priority=60),
    }
    for code in SKUS:
        SkuFactory(code=code)
    # Stock set by a snapshot, so that the ledger explains every unit on hand.
    apply_feed(
        ABSOLUTE,
        [FeedItem(point, sku, 40) for point in points for sku in SKUS],
        actor=ACTOR,
        as_of=timezone.now() - timedelta(hours=1),
    )
    for sku in SKUS:  # a pre-order on incoming stock is cancelled too
        FutureStock.objects.create(
            sku=Sku.objects.get(code=sku),
            stock_point=points["WH"],
            quantity=400,
            expected_date=timezone.localdate() + timedelta(days=10),
        )
    return points


def order(lines, *, n: int, method: str = "home_delivery", store: str = ""):
    command = place_order_command(
        lines, method=method, pickup_store=store, email=f"buyer-{n}@example.fr", external_reference=f"X-{n}"
    )
    return place_order(command, actor=ACTOR)[0]


def test_captures_cancels_feeds_and_movements_racing_answer_and_balance(network):
    # given: orders to cancel, each holding every SKU, some at either store, one pre-ordered
    to_cancel = [order([("LAMP", 1), ("DESK", 130)], n=2000).number]  # DESK pre-ordered
    to_cancel += [
        order(
            [(sku, 2) for sku in (SKUS if i % 2 else SKUS[::-1])],
            n=1000 + i,
            method="click_and_collect" if i % 3 else "home_delivery",
            store="ST-A" if i % 2 else "ST-B",
        ).number
        for i in range(1, THREADS // 4)
    ]

    def work(i: int):
        kind, n = i % 4, i // 4
        skus = SKUS if n % 2 else SKUS[::-1]
        if kind == 0:  # cancels: whole orders and some lines of others
            lines = [CancelLine(sku, 1) for sku in skus] if n % 2 else None
            return cancel_order(to_cancel[n], actor=ACTOR, reason="race", lines=lines)
        if kind == 1:  # captures: whole lines at a store, or a line split over the network
            if n % 2:
                return order([(sku, 1) for sku in skus], n=i, method="click_and_collect", store="ST-B")
            return order([(skus[0], 70), (skus[1], 1), (skus[2], 1)], n=i)
        if kind == 2:  # delta feeds from the POS, in both orders
            return apply_feed(
                DELTA, [FeedItem(point, sku, 1) for sku in skus for point in network], actor=ACTOR
            )
        point = "ST-A" if n % 2 else "ST-B"  # store movements
        if n % 3:
            return receive_stock(skus[0], point, 3, actor=ACTOR)
        return adjust_stock(skus[-1], point, 2, code="found", actor=ACTOR)

    # when
    results = run_concurrently(work, count=THREADS)

    # then: every caller got an answer of the domain
    unexpected = [
        r for r in results if not isinstance(r, Order | FeedResult | StockMovement | InsufficientStock)
    ]
    assert [(r, getattr(r, "errors", None)) for r in unexpected] == []
    outcomes = Counter(type(r).__name__ for r in results)
    assert outcomes["FeedResult"] == THREADS // 4
    assert outcomes["StockMovement"] == THREADS // 4
    # and the books balance: on hand is what the ledger says, reserved what the holds say
    for level in StockLevel.objects.all():
        ledger = StockMovement.objects.filter(sku_id=level.sku_id, stock_point_id=level.stock_point_id)
        held = Reservation.objects.active().filter(
            sku_id=level.sku_id, stock_point_id=level.stock_point_id, future_stock__isnull=True
        )
        assert level.on_hand == ledger.aggregate(total=Sum("quantity"))["total"]
        assert level.reserved == (held.aggregate(total=Sum("quantity"))["total"] or 0)
        assert 0 <= level.reserved <= level.on_hand
    for incoming in FutureStock.objects.all():
        held = Reservation.objects.active().filter(future_stock=incoming)
        assert incoming.reserved == (held.aggregate(total=Sum("quantity"))["total"] or 0)
    cancelled = Order.objects.filter(number__in=to_cancel, status="cancelled").count()
    assert cancelled == len([n for n in range(THREADS // 4) if n % 2 == 0])
