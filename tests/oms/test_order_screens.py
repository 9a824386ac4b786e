"""Customer-service order screens: search, order detail, actions allowed by state,
the review queue; who may use them; constant query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from inventory.models import Reservation, StockLevel
from oms.core.actors import Actor
from oms.core.errors import InvalidInput, NotFound
from oms.models import Order, OrderLine, OutboxEvent, PaymentOperation, ReviewRule, TimelineEntry
from oms.services.capture import CustomerInput, place_order
from oms.services.holds import release_expired_holds
from oms.services.notes import MAX_NOTE_LENGTH, add_note
from oms.services.transitions import transition_order
from oms.states import OrderStatus
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

HTMX = {"HTTP_HX_REQUEST": "true"}
API = Actor(label="api:webshop")


# --- Data ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in French leaves French active in this thread (LocaleMiddleware
    does not switch back): the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def warehouse(db):
    """A warehouse and a Lyon store taking e-reservations, with lamps and shirts, two channels."""
    ChannelFactory(code="web", name="Web shop")
    ChannelFactory(code="call_centre", name="Call centre")
    point = StockPointFactory(code="WH-ORLEANS", kind="warehouse", priority=10)
    lyon = StockPointFactory(code="ST-LYON-02", name="Lyon Confluence", services=["e_reservation"])
    for code, name in [("LAMP", "Brass desk lamp"), ("SHIRT", "Linen shirt blue")]:
        sku = SkuFactory(code=code, name=name)
        StockLevelFactory(sku=sku, stock_point=point, on_hand=500)
        StockLevelFactory(sku=sku, stock_point=lyon, on_hand=500)
    return point


def new_order(
    lines=(("LAMP", 2, "19.90"),),
    *,
    email: str = "camille.martin@example.fr",
    first: str = "Camille",
    last: str = "Martin",
    phone: str = "06 12 34 56 78",
    paid: bool = True,
    **overrides,
) -> Order:
    """An order placed through the capture service (stock reserved, timeline written).
    Not `paid`: an e-reservation at the Lyon store, which has no payment, so that
    cancelling it asks nothing of the payment provider."""
    if not paid:
        overrides |= {"method": "e_reservation", "pickup_store": "ST-LYON-02", "payment": None}
    command = place_order_command(
        list(lines),
        customer=CustomerInput(email=email, first_name=first, last_name=last, phone=phone),
        **overrides,
    )
    order, _created = place_order(command, actor=API)
    return order


@pytest.fixture
def order(warehouse) -> Order:
    """2 lamps and 1 shirt held at the Lyon store (an e-reservation: no payment)."""
    return new_order([("LAMP", 2, "19.90"), ("SHIRT", 1, "35.00")], paid=False)


@pytest.fixture
def held(warehouse) -> Order:
    """An order over the review threshold: it awaits review."""
    ReviewRule.objects.create(kind=ReviewRule.Kind.AMOUNT_OVER, threshold=Decimal("500.00"))
    return new_order([("LAMP", 30, "19.90")], email="big.spender@example.fr", last="Durand", paid=False)


@pytest.fixture
def cs(client, customer_service):
    client.force_login(customer_service)
    return client


def snapshot(order: Order) -> tuple:
    """Everything an action could change about an order."""
    return (
        Order.objects.get(pk=order.pk).status,
        list(TimelineEntry.objects.filter(order=order).values_list("kind", "data")),
        list(OrderLine.objects.filter(order=order).values_list("status", "cancelled_quantity")),
        list(
            Reservation.objects.filter(reference__startswith=f"{order.number}/").values_list(
                "status", "quantity"
            )
        ),
        list(StockLevel.objects.order_by("pk").values_list("reserved", flat=True)),
        OutboxEvent.objects.count(),
    )


def new_kinds(order: Order, before: int) -> list[str]:
    return list(TimelineEntry.objects.filter(order=order).order_by("id").values_list("kind", flat=True))[
        before:
    ]


def timeline_size(order: Order) -> int:
    return TimelineEntry.objects.filter(order=order).count()


def reserved(code: str) -> int:
    return sum(StockLevel.objects.filter(sku__code=code).values_list("reserved", flat=True))


def ship(order: Order) -> None:
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=API)
    transition_order(order, OrderStatus.SHIPPED, actor=API)


def actions_of(order: Order) -> dict[str, tuple[str, dict[str, str]]]:
    """Every action of the order screen, with a valid form."""
    number = order.number
    return {
        "cancel": (f"/orders/{number}/cancel/", {"reason": "duplicate"}),
        "cancel-lines": (f"/orders/{number}/cancel-lines/", {"reason": "too many", "cancel-LAMP": "1"}),
        "note": (f"/orders/{number}/notes/", {"text": "Called the customer"}),
        "release": (f"/orders/{number}/release/", {"note": "Checked with the bank"}),
        "review-cancel": (f"/orders/{number}/review-cancel/", {"note": "Fraud"}),
    }


# --- Access ------------------------------------------------------------------------------


def screens_of(order: Order) -> list[str]:
    return ["/orders/", "/orders/review/", "/orders/review/count/", f"/orders/{order.number}/"]


def test_anonymous_people_are_sent_to_login(client, held):
    for url in screens_of(held):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}"), url
    before = snapshot(held)
    for url, data in actions_of(held).values():
        response = client.post(url, data, **HTMX)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(held) == before


def test_store_staff_get_403_on_every_screen(client, store_staff, held):
    client.force_login(store_staff)
    for url in screens_of(held):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("action", ["cancel", "cancel-lines", "note", "release", "review-cancel"])
def test_store_staff_cannot_act_and_nothing_changes(client, store_staff, held, action):
    # given
    client.force_login(store_staff)
    before = snapshot(held)
    url, data = actions_of(held)[action]
    # when
    response = client.post(url, data, **HTMX)
    # then
    assert response.status_code == 403
    assert snapshot(held) == before


def test_integration_accounts_cannot_use_the_screens(client, integration, order):
    client.force_login(integration)
    assert client.get(f"/orders/{order.number}/").status_code == 403


@pytest.mark.parametrize("role", ["customer_service", "head_office"])
def test_customer_service_and_head_office_open_every_screen(client, role, request, held):
    client.force_login(request.getfixturevalue(role))
    for url in screens_of(held):
        assert client.get(url).status_code == 200, url


def test_actions_are_posts_only(cs, order):
    before = snapshot(order)
    for url, _data in actions_of(order).values():
        assert cs.get(url).status_code == 405, url
    assert snapshot(order) == before


def test_menu_and_home_link_the_order_screens_for_customer_service(cs):
    html = cs.get("/").content.decode()
    assert '<a class="tile" href="/orders/">' in html
    assert 'href="/orders/review/"' in html
    assert 'hx-get="/orders/review/count/" hx-trigger="load"' in html


def test_store_staff_see_no_order_links(client, store_staff):
    client.force_login(store_staff)
    assert "/orders/" not in client.get("/").content.decode()


# --- Search ------------------------------------------------------------------------------


@pytest.fixture
def orders(warehouse) -> dict[str, Order]:
    return {
        "camille": new_order(external_reference="SHOP-1001"),
        "anne": new_order(
            email="Anne.Le-Goff@Example.fr",
            first="Anne",
            last="Le Goff",
            phone="07 98 76 54 32",
            external_reference="SHOP-1002",
        ),
        "phone": new_order(
            channel="call_centre",
            email="",
            first="Paul",
            last="Girard",
            phone="+33 4 78 00 00 01",
            external_reference="CALL-77",
        ),
    }


def numbers_found(client, text: str, **filters: str) -> list[str]:
    response = client.get("/orders/", {"q": text, **filters})
    assert response.status_code == 200
    return [order.number for order in response.context["page"]]


def test_search_by_order_number_in_any_case_or_its_start(cs, orders):
    number = orders["anne"].number
    assert numbers_found(cs, number.lower()) == [number]
    assert numbers_found(cs, f"  {number}  ") == [number]
    assert numbers_found(cs, number[:-2]) == [number]


def test_search_by_email_in_any_case(cs, orders):
    assert numbers_found(cs, "anne.le-goff@example.FR") == [orders["anne"].number]


def test_search_by_phone_written_another_way(cs, orders):
    # given: stored as +33478000001, typed as a French number with dots
    assert numbers_found(cs, "04.78.00.00.01") == [orders["phone"].number]
    assert numbers_found(cs, "+33 7 98 76 54 32") == [orders["anne"].number]


def test_search_by_last_name_or_full_name(cs, orders):
    assert numbers_found(cs, "le goff") == [orders["anne"].number]
    assert numbers_found(cs, "Anne Le Goff") == [orders["anne"].number]
    assert numbers_found(cs, "girard paul") == [orders["phone"].number]
    assert numbers_found(cs, "Anne Martin") == []


def test_search_by_channel_reference(cs, orders):
    assert numbers_found(cs, "call-77") == [orders["phone"].number]


def test_search_filters_by_status_and_channel(cs, orders):
    transition_order(orders["camille"], OrderStatus.IN_FULFILMENT, actor=API)
    assert numbers_found(cs, "", status="in_fulfilment") == [orders["camille"].number]
    assert numbers_found(cs, "", channel="call_centre") == [orders["phone"].number]
    assert numbers_found(cs, "Martin", channel="call_centre") == []


def test_search_lists_newest_first_and_says_when_nothing_matches(cs, orders):
    assert numbers_found(cs, "") == [orders["phone"].number, orders["anne"].number, orders["camille"].number]
    response = cs.get("/orders/", {"q": "nobody@example.fr"})
    assert "No order matches “nobody@example.fr”." in response.content.decode()


def test_search_rows_show_the_order_at_a_glance(cs, orders):
    html = cs.get("/orders/", {"q": orders["anne"].number}).content.decode()
    assert (
        f'<a class="order-link" href="/orders/{orders["anne"].number}/">{orders["anne"].number}</a>' in html
    )
    assert "Anne Le Goff" in html
    assert "Web shop" in html
    assert "Home delivery" in html
    assert "39.80&nbsp;EUR" in html
    assert '<span class="status status-confirmed">Confirmed</span>' in html


def test_live_search_answers_htmx_with_the_results_only(cs, orders):
    page = cs.get("/orders/").content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    response = cs.get("/orders/", {"q": "le goff"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert orders["anne"].number in html
    assert "HX-Request" in response["Vary"]


def test_search_is_paginated(cs, warehouse):
    for index in range(27):
        new_order(email=f"client{index}@example.fr")
    first = cs.get("/orders/")
    second = cs.get("/orders/", {"page": 2})
    assert (len(first.context["page"].object_list), len(second.context["page"].object_list)) == (25, 2)
    assert 'href="?page=2"' in first.content.decode()


def test_search_page_queries_do_not_grow_with_the_orders(cs, warehouse):
    for index in range(2):
        new_order(email=f"few{index}@example.fr", channel="call_centre")
    cs.get("/orders/")  # session warmed up
    with CaptureQueriesContext(connection) as with_two:
        assert len(cs.get("/orders/", {"channel": "call_centre"}).context["page"].object_list) == 2
    for index in range(18):
        new_order(email=f"more{index}@example.fr", channel="call_centre")
    with CaptureQueriesContext(connection) as with_twenty:
        assert len(cs.get("/orders/", {"channel": "call_centre"}).context["page"].object_list) == 20
    assert len(with_twenty) == len(with_two)


# --- Order detail ---------------------------------------------------------------------


def test_detail_shows_lines_allocations_payments_and_timeline(cs, warehouse):
    # given: a paid order, with a capture that went through and one that failed
    order = new_order([("LAMP", 2, "19.90"), ("SHIRT", 1, "35.00")])
    payment = order.payments.get()
    PaymentOperation.objects.create(
        payment=payment, kind="capture", amount=Decimal("39.80"), key="k1", outcome="succeeded"
    )
    PaymentOperation.objects.create(
        payment=payment,
        kind="capture",
        amount=Decimal("35.00"),
        key="k2",
        outcome="failed",
        error="Card expired",
    )
    # when
    response = cs.get(f"/orders/{order.number}/")
    html = response.content.decode()
    # then: header, customer, delivery
    assert response.status_code == 200
    assert f"Order {order.number}" in html
    assert '<span class="status status-confirmed">Confirmed</span>' in html
    assert '<a href="mailto:camille.martin@example.fr">camille.martin@example.fr</a>' in html
    assert "+33612345678" in html
    assert "12 rue de la République" in html
    # lines with their allocations
    rows = re.findall(r'<tr data-sku="([^"]+)">(.*?)</tr>', html, re.S)
    assert [sku for sku, _row in rows] == ["LAMP", "SHIRT"]
    lamp_row = rows[0][1]
    assert "Brass desk lamp" in lamp_row
    assert '<span class="status status-open">Reserved</span>' in lamp_row
    assert "WH-ORLEANS × 2" in lamp_row
    assert "19.90" in lamp_row
    # payment and its operations
    assert "sandbox" in html
    assert "74.80" in html
    assert html.count('<span class="status status-succeeded">Succeeded</span>') == 1
    assert "Card expired" in html
    # timeline, newest first, in words
    titles = re.findall(r'<span class="tl-title">([^<]+)</span>', html)
    assert titles == ["Payment authorised", "Stock reserved", "Order created"]
    assert "74.80 authorised by sandbox (reference auth-123)" in html
    assert "LAMP × 2" in html
    assert "Channel Web shop, 2 lines." in html
    assert "api:webshop" in html


def test_detail_in_french_writes_amounts_and_reasons_in_french(cs, warehouse, customer_service):
    # given: a paid order taken into fulfilment, read by someone who chose French
    order = new_order([("LAMP", 2, "19.90"), ("SHIRT", 1, "35.00")])
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=Actor.system("sourcing"), reason="sourced")
    cs.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    # when
    html = cs.get(f"/orders/{order.number}/").content.decode()
    # then: a decimal comma, and the reason code told in words
    assert "Montant de 74,80 autorisé par sandbox (référence auth-123)" in html
    assert "74.80" not in html
    assert "Motif\xa0: points de stock choisis pour chaque ligne" in html  # French spacing


def test_review_reasons_in_french_write_the_threshold_with_a_comma(cs, held):
    cs.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = cs.get("/orders/review/").content.decode()
    assert "Montant supérieur à 500,00" in html


def test_detail_tells_every_kind_of_timeline_entry(cs, order, customer_service):
    # given: lines cancelled, a note, then the rest cancelled
    cs.post(f"/orders/{order.number}/cancel-lines/", {"reason": "changed mind", "cancel-SHIRT": "1"})
    add_note(order.number, actor=Actor(label="customer.service"), text="Customer called\nback")
    cs.post(f"/orders/{order.number}/cancel/", {"reason": "duplicate"})
    # when
    html = cs.get(f"/orders/{order.number}/").content.decode()
    # then
    titles = re.findall(r'<span class="tl-title">([^<]+)</span>', html)
    assert titles == [
        "Status changed",
        "Order cancelled",
        "Note",
        "Lines cancelled",
        "Stock reserved",
        "Order created",
    ]
    assert "SHIRT: 1 unit(s) cancelled, 1 released from stock" in html
    assert "Reason: changed mind" in html
    assert "Customer called<br>back" in html
    assert "Reason: duplicate" in html
    change = re.search(r'<span class="tl-change">(.*?)</span>\s*</div>', html, re.S).group(1)
    assert "Confirmed" in change and "Cancelled" in change


def test_detail_of_an_order_held_for_review_shows_why_and_how_to_decide(cs, held):
    html = cs.get(f"/orders/{held.number}/").content.decode()
    assert '<span class="status status-awaiting_review">Awaiting review</span>' in html
    assert "<li>Amount over 500.00</li>" in html
    assert "Held for review" in html
    assert f'hx-post="/orders/{held.number}/release/"' in html
    assert f'hx-post="/orders/{held.number}/review-cancel/"' in html


def test_e_reservation_shows_its_store_and_deadline(cs, order):
    html = cs.get(f"/orders/{order.number}/").content.decode()
    local = timezone.localtime(order.hold_until)
    assert "E-reservation" in html
    assert "Lyon Confluence" in html
    assert f"Held until</dt><dd>{local:%-d %b %Y}, {local:%H:%M}</dd>" in html
    assert "ST-LYON-02 × 2" in html
    assert "No payment recorded: paid in store, or at collection." in html


def test_pre_order_shows_its_promised_date(cs, warehouse):
    ChannelFactory(code="app", accepts_preorders=True)
    expected = date.today() + timedelta(days=12)
    FutureStockFactory(
        sku=SkuFactory(code="DESK"), stock_point=warehouse, quantity=10, expected_date=expected
    )
    order = new_order([("DESK", 2)], channel="app")
    html = cs.get(f"/orders/{order.number}/").content.decode()
    assert f"Promised for</dt><dd>{expected:%-d %b %Y}</dd>" in html
    assert "WH-ORLEANS × 2 · pre-order" in html
    assert '<span class="status status-backordered">Pre-ordered</span>' in html
    assert f"DESK × 2, promised for {expected.day} {expected:%b %Y}" in html
    assert "DESK × 2 on incoming stock" in html


def test_an_expired_e_reservation_tells_what_happened(cs, order):
    # given: the deadline passed and the expiry job ran
    release_expired_holds(now=order.hold_until + timedelta(minutes=1))
    # when
    html = cs.get(f"/orders/{order.number}/").content.decode()
    # then
    titles = re.findall(r'<span class="tl-title">([^<]+)</span>', html)
    assert titles[:3] == ["Status changed", "Stock released", "E-reservation expired"]
    assert "3 unit(s) back in stock" in html
    assert "Reason: not collected before the deadline" in html
    assert "System (e-reservation expiry)" in html
    assert '<span class="status status-expired">Expired</span>' in html
    assert "No cancellation: the order is Expired." in html


def test_an_unknown_order_is_404(cs, warehouse):
    assert cs.get("/orders/WEB-NOPE-NOPE/").status_code == 404
    assert cs.post("/orders/WEB-NOPE-NOPE/notes/", {"text": "hello"}, **HTMX).status_code == 404


def test_detail_answers_htmx_with_the_order_only(cs, order):
    html = cs.get(f"/orders/{order.number}/", **HTMX).content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<article id="order"')


def test_detail_queries_do_not_grow_with_lines_and_timeline(cs, warehouse):
    # given: one order with 1 line and 3 entries, one with 10 lines and 11 entries
    small = new_order([("LAMP", 1)])
    skus = [f"MUG-{index}" for index in range(10)]
    for code in skus:
        StockLevelFactory(sku=SkuFactory(code=code), stock_point=warehouse, on_hand=5)
    big = new_order([(code, 1) for code in skus])
    for index in range(8):
        add_note(big.number, actor=API, text=f"note {index}")
    cs.get(f"/orders/{small.number}/")  # session warmed up
    # when
    with CaptureQueriesContext(connection) as for_small:
        cs.get(f"/orders/{small.number}/")
    with CaptureQueriesContext(connection) as for_big:
        response = cs.get(f"/orders/{big.number}/")
    # then
    assert (len(response.context["detail"].lines), len(response.context["detail"].timeline)) == (10, 11)
    assert len(for_big) == len(for_small)


# --- Actions ---------------------------------------------------------------------------


def test_cancel_the_whole_order(cs, order, customer_service):
    # given
    before = timeline_size(order)
    # when
    response = cs.post(f"/orders/{order.number}/cancel/", {"reason": "duplicate"}, **HTMX)
    # then: the refreshed order comes back as a partial
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<span class="status status-cancelled">Cancelled</span>' in html
    assert "Order cancelled: its stock is released." in html
    assert f'action="/orders/{order.number}/cancel/"' not in html
    # and: the timeline, the lines, the stock
    assert new_kinds(order, before) == ["order_cancelled", "status_changed"]
    entry = TimelineEntry.objects.get(order=order, kind="order_cancelled")
    assert (entry.actor, entry.data) == ("customer.service", {"reason": "duplicate"})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert (reserved("LAMP"), reserved("SHIRT")) == (0, 0)
    assert Reservation.objects.active().count() == 0


def test_cancelling_without_a_reason_is_refused(cs, order):
    before = snapshot(order)
    response = cs.post(f"/orders/{order.number}/cancel/", {"reason": "  "}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Not done: check the form." in html
    assert "This field is required." in html
    assert snapshot(order) == before


def test_cancel_some_units_of_a_line(cs, order):
    # given
    before = timeline_size(order)
    # when
    response = cs.post(
        f"/orders/{order.number}/cancel-lines/",
        {"reason": "customer changed mind", "cancel-LAMP": "1", "cancel-SHIRT": ""},
        **HTMX,
    )
    # then
    assert response.status_code == 200
    assert "Units cancelled: their stock is released." in response.content.decode()
    assert new_kinds(order, before) == ["lines_cancelled"]
    entry = TimelineEntry.objects.get(order=order, kind="lines_cancelled")
    assert entry.data == {
        "lines": [{"sku": "LAMP", "quantity": 1, "released": 1}],
        "reason": "customer changed mind",
    }
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert list(order.lines.values_list("sku__code", "cancelled_quantity", "status")) == [
        ("LAMP", 1, "open"),
        ("SHIRT", 0, "open"),
    ]
    assert (reserved("LAMP"), reserved("SHIRT")) == (1, 1)


def test_cancelling_more_units_than_open_is_refused_with_the_line(cs, order):
    before = snapshot(order)
    response = cs.post(f"/orders/{order.number}/cancel-lines/", {"reason": "x", "cancel-LAMP": "3"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was cancelled." in html
    assert "LAMP: Between 1 and 2 units can be cancelled." in html
    assert snapshot(order) == before


def test_cancelling_no_units_is_refused(cs, order):
    before = snapshot(order)
    response = cs.post(f"/orders/{order.number}/cancel-lines/", {"reason": "x", "cancel-LAMP": "0"}, **HTMX)
    assert response.status_code == 422
    assert "Enter how many units to cancel on at least one line." in response.content.decode()
    assert snapshot(order) == before


def test_cancelling_every_unit_by_lines_cancels_the_order(cs, order):
    before = timeline_size(order)
    response = cs.post(
        f"/orders/{order.number}/cancel-lines/",
        {"reason": "all", "cancel-LAMP": "2", "cancel-SHIRT": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    assert new_kinds(order, before) == ["order_cancelled", "status_changed"]
    assert "Units cancelled: their stock is released." in response.content.decode()


def test_a_shipped_order_offers_no_cancellation_and_refuses_one(cs, order):
    # given
    ship(order)
    html = cs.get(f"/orders/{order.number}/").content.decode()
    assert f"/orders/{order.number}/cancel/" not in html
    assert f"/orders/{order.number}/cancel-lines/" not in html
    assert "No cancellation: the order is Shipped." in html
    before = snapshot(order)
    # when: posted anyway (an old screen)
    response = cs.post(f"/orders/{order.number}/cancel/", {"reason": "late"}, **HTMX)
    lines = cs.post(f"/orders/{order.number}/cancel-lines/", {"reason": "late", "cancel-LAMP": "1"}, **HTMX)
    # then
    assert (response.status_code, lines.status_code) == (422, 422)
    assert "Refused: the order is “Shipped” and cannot become “Cancelled”." in response.content.decode()
    assert snapshot(order) == before


def test_a_cancelled_order_offers_only_notes(cs, order):
    cs.post(f"/orders/{order.number}/cancel/", {"reason": "duplicate"})
    html = cs.get(f"/orders/{order.number}/").content.decode()
    assert re.findall(r'hx-post="([^"]+)"', html) == [f"/orders/{order.number}/notes/"]


def test_add_a_note(cs, order):
    before = timeline_size(order)
    response = cs.post(
        f"/orders/{order.number}/notes/", {"text": "  Customer asked for a gift wrap.  "}, **HTMX
    )
    assert response.status_code == 200
    assert "Note added." in response.content.decode()
    assert new_kinds(order, before) == ["note"]
    entry = TimelineEntry.objects.get(order=order, kind="note")
    assert (entry.actor, entry.data) == ("customer.service", {"text": "Customer asked for a gift wrap."})


def test_notes_are_allowed_in_every_status(cs, order):
    ship(order)
    response = cs.post(f"/orders/{order.number}/notes/", {"text": "Parcel left on time"}, **HTMX)
    assert response.status_code == 200
    assert TimelineEntry.objects.filter(order=order, kind="note").count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the note first: it is empty."),
        ("x" * (MAX_NOTE_LENGTH + 1), "A note holds 2000 characters at most; this one has 2001."),
    ],
)
def test_an_empty_or_too_long_note_is_refused(cs, order, text, message):
    before = snapshot(order)
    response = cs.post(f"/orders/{order.number}/notes/", {"text": text}, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot(order) == before


def test_note_service_refuses_an_unknown_order(db):
    with pytest.raises(NotFound):
        add_note("WEB-NOPE-NOPE", actor=API, text="hello")
    with pytest.raises(InvalidInput):
        add_note("WEB-NOPE-NOPE", actor=API, text="")
    assert TimelineEntry.objects.count() == 0


def test_release_an_order_from_review(cs, held):
    before = timeline_size(held)
    response = cs.post(f"/orders/{held.number}/release/", {"note": "Checked with the bank"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Released: the order goes on to fulfilment." in html
    assert '<span class="status status-confirmed">Confirmed</span>' in html
    assert 'id="review-badge" class="nav-count" hx-swap-oob="true" hidden' in html
    assert new_kinds(held, before) == ["status_changed", "review_released"]
    assert TimelineEntry.objects.get(order=held, kind="review_released").data == {
        "note": "Checked with the bank"
    }
    assert Order.objects.get(pk=held.pk).status == OrderStatus.CONFIRMED
    assert reserved("LAMP") == 30


def test_release_needs_a_note(cs, held):
    before = snapshot(held)
    response = cs.post(f"/orders/{held.number}/release/", {"note": ""}, **HTMX)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert snapshot(held) == before


def test_cancel_an_order_after_review(cs, held):
    before = timeline_size(held)
    response = cs.post(f"/orders/{held.number}/review-cancel/", {"note": "Stolen card"}, **HTMX)
    assert response.status_code == 200
    assert "Order cancelled after review: its stock is released." in response.content.decode()
    assert new_kinds(held, before) == ["order_cancelled", "status_changed"]
    assert TimelineEntry.objects.get(order=held, kind="order_cancelled").data == {"reason": "Stolen card"}
    assert reserved("LAMP") == 0


def test_releasing_an_order_not_in_review_is_refused(cs, order):
    before = snapshot(order)
    response = cs.post(f"/orders/{order.number}/release/", {"note": "ok"}, **HTMX)
    assert response.status_code == 422
    assert "Already done: the order is “Confirmed”." in response.content.decode()
    assert snapshot(order) == before


def test_actions_without_htmx_redirect_to_the_order(cs, order):
    response = cs.post(f"/orders/{order.number}/notes/", {"text": "From a browser without JavaScript"})
    assert (response.status_code, response["Location"]) == (302, f"/orders/{order.number}/")
    refused = cs.post(f"/orders/{order.number}/notes/", {"text": ""})
    assert refused.status_code == 422
    assert "<html" in refused.content.decode()


# --- Review queue -------------------------------------------------------------------------


def test_review_queue_lists_held_orders_oldest_first_with_reasons(cs, held, order):
    ReviewRule.objects.create(kind=ReviewRule.Kind.FLAGGED_CUSTOMER)
    newer = new_order([("LAMP", 40, "19.90")], email="second@example.fr", paid=False)
    response = cs.get("/orders/review/")
    html = response.content.decode()
    assert [item.order.number for item in response.context["items"]] == [held.number, newer.number]
    assert order.number not in html
    assert "<li>Amount over 500.00</li>" in html
    assert "2 orders waiting." in html


def test_review_queue_says_when_it_is_empty(cs, order):
    html = cs.get("/orders/review/").content.decode()
    assert "Nothing to review" in html


def test_release_from_the_queue_answers_with_the_item_and_the_new_count(cs, held):
    before = timeline_size(held)
    response = cs.post(
        f"/orders/{held.number}/release/", {"note": "Known customer", "screen": "queue"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="card review-item is-done" id="review-{held.number}">')
    assert "Released: the order goes on to fulfilment." in html
    assert '<span id="review-badge" class="nav-count" hx-swap-oob="true" hidden' in html
    assert new_kinds(held, before) == ["status_changed", "review_released"]


def test_a_refusal_in_the_queue_keeps_the_note_typed(cs, held):
    cs.post(f"/orders/{held.number}/release/", {"note": "first", "screen": "queue"}, **HTMX)
    before = snapshot(held)
    response = cs.post(f"/orders/{held.number}/release/", {"note": "again", "screen": "queue"}, **HTMX)
    assert response.status_code == 422
    assert "Already done: the order is “Confirmed”." in response.content.decode()
    assert snapshot(held) == before


def test_cancel_from_the_queue_without_htmx_goes_back_to_the_queue(cs, held):
    response = cs.post(f"/orders/{held.number}/review-cancel/", {"note": "Fraud", "screen": "queue"})
    assert (response.status_code, response["Location"]) == (302, "/orders/review/")
    assert Order.objects.get(pk=held.pk).status == OrderStatus.CANCELLED


def test_review_badge_counts_orders_awaiting_review(cs, held):
    html = cs.get("/orders/review/count/").content.decode()
    assert re.search(
        r'<span id="review-badge" class="nav-count" title="1 order awaiting review">1</span>', html
    )


def test_review_queue_queries_do_not_grow_with_the_orders(cs, held):
    cs.get("/orders/review/")
    with CaptureQueriesContext(connection) as with_one:
        cs.get("/orders/review/")
    for index in range(5):
        new_order([("LAMP", 30, "19.90")], email=f"big{index}@example.fr", paid=False)
    with CaptureQueriesContext(connection) as with_six:
        response = cs.get("/orders/review/")
    assert len(response.context["items"]) == 6
    assert len(with_six) == len(with_one)


# --- The reader's language: words, dates and amounts ---------------------------------

ENGLISH_WORDS = re.compile(
    r"\b(Order|created|Channel|reserved|Status|changed|Reason|Payment|authorised|"
    r"Amount|System|payments|Web shop|Call centre|call_centre|line|lines|Dec)\b"
)


def test_the_timeline_in_french_has_no_english_word(cs, warehouse):
    # given: an order placed by the call centre, paid, sourced, with a note
    order = new_order([("LAMP", 2, "19.90")], channel="call_centre")
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=Actor.system("payments"), reason="sourced")
    add_note(order.number, actor=Actor(label="customer.service"), text="Rappeler après 18 h")
    cs.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    # when
    html = cs.get(f"/orders/{order.number}/").content.decode()
    # then: every entry's title, sentences and time read in French
    timeline = html[html.index('class="timeline') :]
    said = re.findall(
        r'<span class="tl-title">([^<]+)</span>|<p class="tl-(?:detail|meta)[^"]*">(.*?)</p>', timeline, re.S
    )
    text = " ".join(" ".join(parts) for parts in said)
    assert "Canal Service client téléphonique, 1 ligne." in text
    assert "Système (paiements)" in text
    assert ENGLISH_WORDS.findall(re.sub(r"<[^>]+>", " ", text)) == []


def test_dates_read_day_first_in_english_and_french(cs, warehouse):
    # given: an order placed on 1 December 2026 at 20:43, Paris time
    order = new_order()
    placed = timezone.make_aware(timezone.datetime(2026, 12, 1, 20, 43))
    Order.objects.filter(pk=order.pk).update(created_at=placed)
    TimelineEntry.objects.filter(order=order).update(created_at=placed)
    # when
    english = cs.get(f"/orders/{order.number}/").content.decode()
    cs.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    french = cs.get(f"/orders/{order.number}/").content.decode()
    # then
    assert "placed 1 Dec 2026, 20:43" in english
    assert "1 Dec 2026, 20:43</time> · api:webshop" in english
    assert "12/01/2026" not in english and "p.m." not in english
    assert "passée le 1 déc. 2026 à 20:43" in french
    assert "1 déc. 2026, 20:43</time> · api:webshop" in french
    assert "Déc" not in french
