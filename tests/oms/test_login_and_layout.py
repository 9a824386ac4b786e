"""Signing in and out, the home screen per role, the shared layout and languages."""

from __future__ import annotations

import json
import re

import pytest

from oms.models import Role
from tests.inventory.factories import StockPointFactory
from tests.oms.factories import PASSWORD, UserFactory


def test_anonymous_home_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_is_a_tablet_form(client):
    response = client.get("/accounts/login/?next=/stock/lookup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" action="/accounts/login/"' in html
    assert 'name="username"' in html
    assert 'type="password"' in html
    assert '<input type="hidden" name="next" value="/stock/lookup/">' in html
    assert "Log out" not in html


def test_login_with_the_right_password_goes_home(client, store_staff):
    response = client.post("/accounts/login/", {"username": "lyon.staff", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_with_a_wrong_password_is_refused(client, store_staff):
    response = client.post("/accounts/login/", {"username": "lyon.staff", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'class="notice refusal"' in response.content.decode()


def test_logout_is_a_post_form(client, store_staff):
    client.force_login(store_staff)
    html = client.get("/").content.decode()
    assert re.search(r'<form class="logout" method="post" action="/accounts/logout/">', html)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_layout_sets_csrf_for_htmx_and_loads_local_assets(client, store_staff):
    client.force_login(store_staff)
    response = client.get("/")
    html = response.content.decode()
    token = re.search(r"""<body hx-headers='\{"X-CSRFToken": "([^"]+)"\}'>""", html)
    assert token is not None
    assert len(token.group(1)) == 64
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/css/oms.css">' in html
    assert "//cdn" not in html
    assert "unpkg" not in html


def test_layout_tells_htmx_to_swap_refusals(client, store_staff):
    client.force_login(store_staff)
    html = client.get("/").content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", html)
    handling = json.loads(meta.group(1))["responseHandling"]
    assert {"code": "422", "swap": True} in handling
    assert handling.index({"code": "422", "swap": True}) < handling.index(
        {"code": "[45]..", "swap": False, "error": True}
    )


def test_store_staff_home_shows_their_store_and_stock_tiles(client, store_staff):
    client.force_login(store_staff)
    html = client.get("/").content.decode()
    assert "Lyon Part-Dieu" in html
    tiles = re.findall(r'<a class="tile[^"]*" href="([^"]+)"', html)
    assert tiles == ["/stock/lookup/", "/stock/receive/", "/stock/adjust/", "/stock/count/"]
    assert 'href="/admin/"' not in html
    assert 'href="/api/docs/"' not in html


def test_head_office_home_links_admin_and_api_docs(client, head_office, store):
    client.force_login(head_office)
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
    assert 'href="/stock/lookup/"' in html


def test_customer_service_home_has_no_stock_actions_and_no_dead_links(client, customer_service):
    client.force_login(customer_service)
    response = client.get("/")
    html = response.content.decode()
    assert 'href="/stock/lookup/"' in html
    assert "/stock/receive/" not in html
    assert '<a class="tile" href="/orders/">' in html
    for href in set(re.findall(r'href="(/[^"]*)"', html)) - {"/static/css/oms.css"}:
        assert client.get(href).status_code in (200, 302), href


def test_store_picker_shows_only_my_stores(client, store, other_store):
    StockPointFactory(code="ST-NICE-01", name="Nice Masséna", kind="store")
    user = UserFactory(username="two.stores", role=Role.STORE_STAFF, stores=[store, other_store])
    client.force_login(user)
    html = client.get("/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options == ["ST-LYON-01", "ST-PARIS-01"]


def test_picking_a_store_outside_mine_is_404(client, store_staff, other_store):
    client.force_login(store_staff)
    assert client.get("/", {"store": other_store.code}).status_code == 404
    assert client.get("/").context["scope"].current.code == "ST-LYON-01"


def test_single_store_staff_see_their_store_without_a_picker(client, store_staff):
    client.force_login(store_staff)
    html = client.get("/").content.decode()
    assert '<span class="store-chip" title="ST-LYON-01">Lyon Part-Dieu</span>' in html
    assert "store-picker" not in html


def test_english_by_default(client, store_staff):
    client.force_login(store_staff)
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/", "/stock/lookup/", "/accounts/login/"])
def test_set_language_switches_to_french(client, store_staff, url):
    client.force_login(store_staff)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.cookies["django_language"].value == "fr"
    html = client.get(url).content.decode()
    assert '<html lang="fr">' in html
    assert re.search(r'value="fr" title="[^"]+" aria-pressed="true">FR</button>', html)


def test_language_switch_is_a_post_form_to_set_language(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<form class="lang" method="post" action="/i18n/setlang/">' in html
    assert 'name="language" value="en"' in html
    assert 'name="language" value="fr"' in html


def test_screens_are_translated_into_french(client, store_staff):
    client.force_login(store_staff)
    client.cookies["django_language"] = "fr"
    lookup = client.get("/stock/lookup/").content.decode()
    receive = client.get("/stock/receive/").content.decode()
    assert "Consultation du stock" in lookup
    assert "Stock lookup" not in lookup
    assert "Enregistrer la réception" in receive
