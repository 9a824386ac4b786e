"""The payment card of the order screen on a 1024×768 tablet: an order with several
payment operations, one a capture the provider refused with a long message, fits
the page (no sideways scrolling) and shows the whole message, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from oms import payments
from oms.core.actors import Actor
from oms.payments import ProviderResult
from oms.services.capture import place_order
from oms.services.payments import record_operation_result, request_capture, request_refund
from oms.services.transitions import transition_order
from oms.states import OrderStatus
from tests.e2e.test_customer_service import sign_in
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

pytestmark = pytest.mark.e2e

DECLINED = (
    "Sandbox: capture declined by the issuing bank (card expired, do not honour); "
    "the customer must update the card on file before another attempt is made"
)


class DecliningSecondCapture:
    """The outside world: a provider that refuses the second capture at length."""

    def capture(self, authorisation, amount, currency, *, key):
        if key.endswith("ship-2"):
            return ProviderResult(False, error=DECLINED)
        return ProviderResult(True, provider_reference=f"cap-{key}")

    def refund(self, authorisation, amount, currency, *, key):
        return ProviderResult(True, provider_reference=f"ref-{key}")

    def void(self, authorisation, *, key):
        return ProviderResult(True, provider_reference=f"void-{key}")


@pytest.mark.parametrize("language", ["EN", "FR"])
def test_payment_operations_fit_the_order_card_at_1024_px(
    transactional_db, live_server, page: Page, customer_service, language, monkeypatch
):
    monkeypatch.setitem(payments.PROVIDERS, "sandbox", DecliningSecondCapture())
    # given: an order with a capture, a refund with its reason, and a refused capture
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse", name="Orléans warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Brass desk lamp"), stock_point=warehouse, on_hand=9)
    order, _ = place_order(place_order_command([("LAMP", 3, "19.90")]), actor=Actor(label="api:webshop"))
    shipping = Actor.system("shipping")
    transition_order(order, OrderStatus.IN_FULFILMENT, actor=shipping, reason="sourced")
    first = request_capture(order.number, Decimal("19.90"), actor=shipping, key=f"{order.number}/ship-1")
    record_operation_result(first.pk, ProviderResult(True, provider_reference="cap-1"))
    refund = request_refund(
        order.number,
        Decimal("5.00"),
        actor=Actor(label="customer.service"),
        key=f"{order.number}/refund-1",
        reason="Lamp arrived with a scratch on the base; customer keeps it with a discount",
    )
    record_operation_result(refund.pk, ProviderResult(True, provider_reference="ref-1"))
    second = request_capture(order.number, Decimal("39.80"), actor=shipping, key=f"{order.number}/ship-2")
    record_operation_result(second.pk, ProviderResult(False, error=DECLINED))

    # when: customer service opens the order in the chosen language
    sign_in(page, live_server.url, "customer.service")
    page.locator("form.lang").get_by_role("button", name=language).click()
    expect(page.locator("html")).to_have_attribute("lang", language.lower())
    page.goto(f"{live_server.url}/orders/{order.number}/")

    # then: nothing is wider than the window, and the refusal is shown whole
    message = page.locator(".operations").get_by_text(DECLINED)
    expect(message).to_be_visible()
    page.screenshot(path=f"/tmp/e2e-order-payments-{language}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    card = page.locator(".fact-card", has=page.locator("#payment-title")).bounding_box()
    box = message.bounding_box()
    assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    assert message.evaluate(
        "el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 1"
    )
