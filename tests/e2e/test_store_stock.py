"""Store staff on a tablet: sign in, scan a SKU, see the stock, receive units."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from inventory.models import MovementReason, StockLevel, StockMovement
from tests.e2e.conftest import TABLET
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_store_staff_scans_a_sku_and_receives_stock(
    transactional_db, live_server, page: Page, store, other_store, store_staff
):
    # given: a shirt with 10 units in Lyon (2 protected) and 4 in Paris
    shirt = SkuFactory(code="SHIRT-1", ean="3760000000017", name="Linen shirt blue")
    lyon = StockLevelFactory(sku=shirt, stock_point=store, on_hand=10, protection=2)
    StockLevelFactory(sku=shirt, stock_point=other_store, on_hand=4)

    # when: signing in through the login page
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("lyon.staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".store-chip")).to_have_text("Lyon Part-Dieu")

    # and scanning the EAN into the focused field (a scanner types, then Enter)
    page.locator("a.tile", has_text="Stock lookup").click()
    scan = page.get_by_label("Scan or type a SKU, an EAN or a name")
    expect(scan).to_be_focused()
    page.evaluate("window.sameDocument = true")
    page.keyboard.type("3760000000017")
    page.keyboard.press("Enter")

    # then: the SKU opens without a page reload, with my store and the nearest one
    expect(page.get_by_test_id("here-atp")).to_have_text("8")
    expect(page.get_by_test_id("here-on-hand")).to_have_text("10")
    expect(page).to_have_url(f"{live_server.url}/stock/sku/SHIRT-1/")
    nearest = page.locator(".store-list li").first
    expect(nearest).to_contain_text("Paris Rivoli")
    expect(nearest.locator(".distance")).to_have_text("393.6 km")
    expect(nearest.locator(".atp")).to_have_text("4")
    expect(page.get_by_test_id("network-atp")).to_have_text("12")
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path="/tmp/e2e-lookup.png")

    # when: receiving 3 units from the SKU's page
    page.locator(".here").get_by_role("link", name="Receive").click()
    expect(page.get_by_label("SKU or EAN")).to_have_value("SHIRT-1")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Units received").fill("3")
    page.get_by_role("button", name="Record the receipt").click()

    # then: the new on hand is on screen, and in the ledger
    expect(page.get_by_test_id("on-hand")).to_have_text("13")
    expect(page.get_by_label("SKU or EAN")).to_be_focused()
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path="/tmp/e2e-receive.png")
    movement = StockMovement.objects.get()
    assert (
        movement.sku,
        movement.stock_point,
        movement.reason,
        movement.quantity,
        movement.on_hand_after,
        movement.actor,
        movement.user,
    ) == (shirt, store, MovementReason.RECEIPT, 3, 13, "lyon.staff", store_staff)
    assert StockLevel.objects.get(pk=lyon.pk).on_hand == 13


def test_refused_adjustment_is_explained_on_screen(
    transactional_db, live_server, page: Page, store, store_staff
):
    # given: 2 units of a shirt in Lyon, and a signed-in member of staff
    shirt = SkuFactory(code="SHIRT-2", ean="3760000000024", name="Linen shirt white")
    lyon = StockLevelFactory(sku=shirt, stock_point=store, on_hand=2)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lyon.staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # when: removing 5 damaged units
    page.goto(f"{live_server.url}/stock/adjust/")
    expect(page.get_by_label("SKU or EAN")).to_be_focused()
    page.keyboard.type("3760000000024")
    page.get_by_label("Units", exact=True).fill("5")
    page.get_by_label("Damaged").check()
    page.get_by_role("button", name="Record the adjustment").click()

    # then: the refusal (422) is swapped in with its reason, and nothing changed
    expect(page.get_by_test_id("outcome")).to_contain_text(
        "On hand of SHIRT-2 at ST-LYON-01 is 2: it cannot change by -5."
    )
    page.screenshot(path="/tmp/e2e-refusal.png")
    assert StockMovement.objects.count() == 0
    assert StockLevel.objects.get(pk=lyon.pk).on_hand == 2


def test_lookup_in_french_counts_pages_and_shows_the_whole_network(
    transactional_db, live_server, browser, store, other_store, store_staff
):
    # given: 42 chinos; the first is in Lyon (3 held for an order, 2 protected), at
    # the warehouse, at a supplier, and arriving at the warehouse in January
    chinos = [SkuFactory(code=f"CHINO-{n:02d}", name=f"Chino stretch {n:02d}") for n in range(42)]
    warehouse = StockPointFactory(code="WH-ORLEANS", name="Entrepôt d'Orléans", kind="warehouse")
    supplier = StockPointFactory(code="SUP-DUPONT", name="Atelier Dupont", kind="supplier")
    StockLevelFactory(sku=chinos[0], stock_point=store, on_hand=10, reserved=3, protection=2)
    StockLevelFactory(sku=chinos[0], stock_point=other_store, on_hand=4)
    StockLevelFactory(sku=chinos[0], stock_point=warehouse, on_hand=120, reserved=8)
    StockLevelFactory(sku=chinos[0], stock_point=supplier, on_hand=40)
    FutureStockFactory(
        sku=chinos[0], stock_point=warehouse, quantity=60, reserved=5, expected_date=date(2027, 1, 15)
    )
    context = browser.new_context(viewport=TABLET, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill("lyon.staff")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.locator(".store-chip")).to_have_text("Lyon Part-Dieu")

        # when: typing "chino"
        page.goto(f"{live_server.url}/stock/lookup/")
        page.keyboard.type("chino")
        page.keyboard.press("Enter")

        # then: the real count, and pages of 20 with large buttons
        expect(page.get_by_test_id("match-count")).to_contain_text(
            re.compile(r"42 SKU correspondent à «\s*chino\s*»")
        )
        expect(page.get_by_test_id("match-count")).to_contain_text("Résultats 1 à 20.")
        next_page = page.get_by_test_id("next-page")
        assert next_page.bounding_box()["height"] >= 48
        page.screenshot(path="/tmp/e2e-lookup-fr-page1.png", full_page=True)
        next_page.click()
        expect(page.get_by_test_id("match-count")).to_contain_text("Résultats 21 à 40.")
        expect(page).to_have_url(f"{live_server.url}/stock/lookup/?q=chino&page=2")
        page.get_by_test_id("previous-page").click()
        expect(page.get_by_test_id("match-count")).to_contain_text("Résultats 1 à 20.")

        # when: opening the first chino
        page.locator(".pick-list a", has_text="Chino stretch 00").click()

        # then: why available is below on hand, the warehouse, the supplier, the incoming stock
        expect(page.get_by_test_id("here-atp")).to_have_text("5")
        expect(page.get_by_test_id("here-reserved")).to_have_text("3")
        expect(page.get_by_test_id("here-protection")).to_have_text("2")
        expect(page.get_by_test_id("here-why")).to_contain_text(
            "3 sont réservées pour des commandes et 2 protégées"
        )
        expect(page.get_by_test_id("other-points")).to_contain_text("Entrepôt d'Orléans")
        expect(page.get_by_test_id("other-points")).to_contain_text("Atelier Dupont")
        expect(page.get_by_test_id("incoming")).to_contain_text("15 jan. 2027")
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        page.screenshot(path="/tmp/e2e-lookup-fr-sku.png", full_page=True)
    finally:
        context.close()
