"""Customer service at a desk (or a 1024×768 tablet): sign in, find an order by the
customer's e-mail, open it, cancel one unit of a line, see the timeline update."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from inventory.models import StockLevel
from oms.core.actors import Actor
from oms.models import Order, Payment, ReviewRule, TimelineEntry
from oms.payments import ProviderResult
from oms.services.capture import CustomerInput, place_order
from oms.services.notes import add_note
from oms.services.payments import record_operation_result, request_capture
from oms.services.transitions import transition_order
from oms.states import OrderStatus
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import PASSWORD, ChannelFactory, place_order_command

pytestmark = pytest.mark.e2e

WEBSHOP = Actor(label="api:webshop")


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_customer_service_finds_an_order_and_cancels_a_line(
    transactional_db, live_server, page: Page, customer_service
):
    # given: Camille's order of 2 lamps and a shirt, another customer's order, and
    # one large order held for review
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", name="Orléans warehouse")
    for code, name in [("LAMP-BRASS", "Brass desk lamp"), ("SHIRT-LINEN", "Linen shirt blue")]:
        StockLevelFactory(sku=SkuFactory(code=code, name=name), stock_point=warehouse, on_hand=50)
    order, _ = place_order(
        place_order_command(
            [("LAMP-BRASS", 2, "49.90"), ("SHIRT-LINEN", 1, "35.00")], external_reference="SHOP-20417"
        ),
        actor=WEBSHOP,
    )
    add_note(order.number, actor=Actor(label="marie.cs"), text="Customer asked for delivery after 5 pm.")
    place_order(
        place_order_command(
            [("SHIRT-LINEN", 1, "35.00")],
            customer=CustomerInput(email="paul.girard@example.fr", first_name="Paul", last_name="Girard"),
        ),
        actor=WEBSHOP,
    )
    ReviewRule.objects.create(kind=ReviewRule.Kind.AMOUNT_OVER, threshold=Decimal("1000"))
    place_order(
        place_order_command(
            [("LAMP-BRASS", 30, "49.90")],
            customer=CustomerInput(email="big.buyer@example.fr", first_name="Léa", last_name="Roux"),
        ),
        actor=WEBSHOP,
    )

    # when: signing in and searching by e-mail (typed in another case)
    sign_in(page, live_server.url, "customer.service")
    expect(page.locator("#review-badge")).to_have_text("1")
    page.locator("nav").get_by_role("link", name="Orders", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/orders/")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Order number, e-mail, phone, name or channel reference").fill(
        "Camille.Martin@Example.fr"
    )

    # then: the results narrow to her order without a page load
    rows = page.locator(".orders-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(order.number)
    expect(rows.first).to_contain_text("Confirmed")
    expect(page).to_have_url(re.compile(r"/orders/\?q=Camille\.Martin%40Example\.fr"))
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path="/tmp/e2e-cs-search.png")

    # when: opening it
    rows.first.get_by_role("link", name=order.number).click()
    expect(page).to_have_url(f"{live_server.url}/orders/{order.number}/")
    expect(page.locator("h1")).to_contain_text(f"Order {order.number}")
    expect(page.locator("#order .tl").first).to_contain_text("Customer asked for delivery after 5 pm.")
    page.screenshot(path="/tmp/e2e-cs-order.png")

    # and: cancelling one of the two lamps, with a reason (and confirming)
    page.evaluate("window.sameDocument = true")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Units of LAMP-BRASS to cancel").fill("1")
    page.get_by_label("Reason for cancelling these units").fill("Customer wants only one lamp")
    page.get_by_role("button", name="Cancel these units").click()

    # then: the timeline shows the authorisation reduced by the lamp's price, after
    # the cancellation; the line shows 1 cancelled and the total follows; no page reload
    newest, cancelled = page.locator("#order .tl").nth(0), page.locator("#order .tl").nth(1)
    expect(newest).to_contain_text("Authorisation reduced")
    expect(newest).to_contain_text("Amount: 49.90")
    expect(cancelled).to_contain_text("Lines cancelled")
    expect(cancelled).to_contain_text("LAMP-BRASS: 1 unit(s) cancelled, 1 released from stock")
    expect(cancelled).to_contain_text("Reason: Customer wants only one lamp")
    expect(cancelled).to_contain_text("customer.service")
    expect(page.get_by_test_id("order-total")).to_contain_text("84.90")
    expect(page.get_by_test_id("to-capture")).to_have_text("84.90")
    expect(page.locator('tr[data-sku="LAMP-BRASS"] [data-testid="cancelled"]')).to_have_text("1")
    expect(page.get_by_test_id("outcome")).to_contain_text("Units cancelled: their stock is released.")
    assert page.evaluate("window.sameDocument") is True
    page.locator(".lines-card").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('.lines-card').offsetTop - 80)")
    page.screenshot(path="/tmp/e2e-cs.png")
    page.screenshot(path="/tmp/e2e-cs-full.png", full_page=True)

    # and: in the database
    entry = TimelineEntry.objects.filter(order=order, kind="lines_cancelled").get()
    assert (entry.kind, entry.actor, entry.data) == (
        "lines_cancelled",
        "customer.service",
        {
            "lines": [{"sku": "LAMP-BRASS", "quantity": 1, "released": 1}],
            "reason": "Customer wants only one lamp",
        },
    )
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("84.90")
    assert StockLevel.objects.get(sku__code="LAMP-BRASS").reserved == 31


def test_customer_service_releases_an_order_from_the_review_queue(
    transactional_db, live_server, page: Page, customer_service
):
    # given: two orders held for review (one large, one from a flagged customer)
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", name="Orléans warehouse")
    StockLevelFactory(sku=SkuFactory(code="SOFA", name="Three-seat sofa"), stock_point=warehouse, on_hand=20)
    ReviewRule.objects.create(kind=ReviewRule.Kind.AMOUNT_OVER, threshold=Decimal("1000"))
    first, _ = place_order(
        place_order_command(
            [("SOFA", 2, "899.00")],
            customer=CustomerInput(email="lea.roux@example.fr", first_name="Léa", last_name="Roux"),
        ),
        actor=WEBSHOP,
    )
    second, _ = place_order(
        place_order_command(
            [("SOFA", 3, "899.00")],
            customer=CustomerInput(email="tom.petit@example.fr", first_name="Tom", last_name="Petit"),
        ),
        actor=WEBSHOP,
    )

    # when: opening the queue from the menu
    sign_in(page, live_server.url, "customer.service")
    expect(page.locator("#review-badge")).to_have_text("2")
    page.locator("nav").get_by_role("link", name=re.compile("Review queue")).click()
    items = page.locator(".review-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(first.number)  # oldest first
    expect(items.first).to_contain_text("Amount over 1000")
    page.screenshot(path="/tmp/e2e-cs-review.png")

    # and: releasing the first with a note
    page.evaluate("window.sameDocument = true")
    page.get_by_label(f"Review note for {first.number}").fill("Called the customer: genuine order")
    items.first.get_by_role("button", name="Release").click()

    # then: the item says so, the menu count drops, without a page load
    expect(items.first.get_by_test_id("outcome")).to_contain_text(
        "Released: the order goes on to fulfilment."
    )
    expect(items.first).to_contain_text("Confirmed")
    expect(page.locator("#review-badge")).to_have_text("1")
    expect(page.locator("#queue-count")).to_have_text("1 order waiting.")
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path="/tmp/e2e-cs-released.png")
    assert Order.objects.get(pk=first.pk).status == "confirmed"
    assert Order.objects.get(pk=second.pk).status == "awaiting_review"
    assert TimelineEntry.objects.filter(order=first).latest("id").data == {
        "note": "Called the customer: genuine order"
    }


def test_customer_service_refunds_part_of_a_shipped_order(
    transactional_db, live_server, page: Page, customer_service
):
    # given: an order of 2 lamps (39.80), in fulfilment and captured in full
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", name="Orléans warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Brass desk lamp"), stock_point=warehouse, on_hand=9)
    order, _ = place_order(place_order_command([("LAMP", 2, "19.90")]), actor=WEBSHOP)
    shipping = Actor.system("shipping")
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=shipping, reason="sourced")
    capture = request_capture(order.number, Decimal("39.80"), actor=shipping, key=f"{order.number}/ship")
    record_operation_result(capture.pk, ProviderResult(True, provider_reference="cap-1"))

    # when: refunding 15.00 for a scratched lamp from the order screen (and confirming)
    sign_in(page, live_server.url, "customer.service")
    page.goto(f"{live_server.url}/orders/{order.number}/")
    page.evaluate("window.sameDocument = true")
    page.get_by_text("Refund…").click()
    page.get_by_label("Amount (EUR)").fill("15.00")
    page.locator(".payment-action").get_by_label("Reason").fill("Lamp arrived scratched")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refund to the original payment method").click()

    # then: the provider was asked, the payment and the timeline say so, without a reload
    expect(page.get_by_test_id("outcome")).to_be_visible()
    expect(page.get_by_test_id("outcome")).to_contain_text("Refund asked of the payment provider")
    expect(page.locator("#payment-title + p .status")).to_have_text("Partially refunded")
    expect(page.locator("#order .tl").first).to_contain_text("Refund issued")
    expect(page.locator("#order .tl").first).to_contain_text("customer.service")
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path="/tmp/e2e-cs-refund.png", full_page=True)
    payment = Payment.objects.get(order=order)
    assert (payment.captured_amount, payment.refunded_amount) == (Decimal("39.80"), Decimal("15.00"))
