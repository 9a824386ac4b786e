"""The tablet layout: every entry of the main menu is on screen at 1024×768, in
English and in French, for the role with the longest menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.oms.factories import PASSWORD

pytestmark = pytest.mark.e2e

HEAD_OFFICE_MENU = 7  # stock, receive, adjust, count, orders, review queue, admin


@pytest.mark.parametrize("language", ["EN", "FR"])
def test_every_menu_entry_is_on_screen_on_a_tablet(
    transactional_db, live_server, page: Page, store, other_store, head_office, language
):
    # given: head office signed in, in the chosen language
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("head.office")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("form.lang").get_by_role("button", name=language).click()
    expect(page.locator("html")).to_have_attribute("lang", language.lower())
    # then: each entry is visible, inside the 1024 px, and large enough to touch
    links = page.locator("nav.nav a")
    expect(links).to_have_count(HEAD_OFFICE_MENU)
    for index in range(HEAD_OFFICE_MENU):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1024, (link.inner_text(), box)
        assert box["height"] >= 44, (link.inner_text(), box)
    page.screenshot(path=f"/tmp/e2e-menu-{language}.png")
