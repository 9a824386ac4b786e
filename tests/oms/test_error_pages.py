"""The error pages: 400, 403, 404 and 500 in the layout, in the reader's language,
with a way back. A store-staff user on /orders/ got a bare English "403 Forbidden";
the API docs answered an anonymous visitor with a bare 401 in JSON."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import api_client_for
from tests.oms.factories import PASSWORD

LAYOUT = '<link rel="stylesheet" href="/static/css/oms.css">'
HOME_LINK = '<a class="button primary" href="/">'


def page(response) -> str:
    return response.content.decode()


# --- Each page: its status, in the layout, a way back ----------------------------------


def test_store_staff_on_orders_get_the_403_page_in_the_layout(client, store_staff):
    client.force_login(store_staff)
    response = client.get("/orders/")
    html = page(response)
    assert response.status_code == 403
    assert (LAYOUT in html, HOME_LINK in html) == (True, True)
    assert '<h1 id="error-heading">Not allowed</h1>' in html
    assert "This screen is not for your role." in html
    assert 'href="/stock/lookup/"' in html  # the menu of their role


def test_store_staff_on_orders_get_the_403_page_in_french(client, store_staff):
    client.force_login(store_staff)
    response = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page(response)
    assert response.status_code == 403
    assert '<html lang="fr">' in html
    assert '<h1 id="error-heading">Accès refusé</h1>' in html
    assert "Cet écran n’est pas destiné à votre rôle." in html
    assert f"{HOME_LINK}Aller à l’accueil</a>" in html


def test_the_language_cookie_chooses_french_too(client, store_staff, settings):
    client.force_login(store_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = page(client.get("/orders/"))
    assert '<h1 id="error-heading">Accès refusé</h1>' in html


def test_the_404_page_is_in_the_layout_with_a_way_back(client, customer_service):
    client.force_login(customer_service)
    response = client.get("/orders/NOPE-1/", HTTP_REFERER="http://testserver/orders/?q=NOPE")
    html = page(response)
    assert response.status_code == 404
    assert LAYOUT in html
    assert '<h1 id="error-heading">Page not found</h1>' in html
    assert "No order NOPE-1." in html
    assert '<a class="button" href="http://testserver/orders/?q=NOPE">Back to the previous screen</a>' in html
    assert HOME_LINK in html


def test_the_404_page_of_an_unknown_address_shows_no_internals(client, customer_service):
    client.force_login(customer_service)
    response = client.get("/no-such-screen/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page(response)
    assert response.status_code == 404
    assert '<h1 id="error-heading">Page introuvable</h1>' in html
    assert "tried" not in html and "oms.urls" not in html


def test_the_way_back_never_leads_to_another_site(client, customer_service):
    client.force_login(customer_service)
    html = page(client.get("/orders/NOPE-1/", HTTP_REFERER="https://evil.example/"))
    assert "evil.example" not in html
    assert "Back to the previous screen" not in html


def test_the_400_page_is_in_the_layout_and_in_french(client, customer_service):
    client.force_login(customer_service)
    response = client.get("/orders/%00/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page(response)
    assert response.status_code == 400
    assert LAYOUT in html
    assert '<h1 id="error-heading">Requête invalide</h1>' in html
    assert "Le texte ne peut pas contenir de caractère NUL (U+0000)." in html


def test_the_csrf_refusal_is_the_403_page(db, customer_service):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_service)
    response = client.post("/orders/WEB-1/cancel/", {"reason": "customer_request"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = page(response)
    assert response.status_code == 403
    assert LAYOUT in html
    assert "Le formulaire a expiré ou vient d’un autre site." in html


# --- 500: no database needed ------------------------------------------------------------


@pytest.mark.urls("tests.oms.error_urls")
def test_the_500_page_renders_without_the_database(client):
    # No `db` fixture: pytest-django refuses every query, as a database that is down.
    client.raise_request_exception = False
    response = client.get("/fails/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page(response)
    assert response.status_code == 500
    assert LAYOUT in html
    assert '<h1 id="error-heading">Une erreur est survenue</h1>' in html
    assert f"{HOME_LINK}Aller à l’accueil</a>" in html


@pytest.mark.urls("tests.oms.error_urls")
def test_a_500_under_the_api_is_json(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/fails/")
    assert (response.status_code, response.json()["error"]) == (500, "server_error")


# --- API documentation --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_an_anonymous_visitor_of_the_api_docs_is_asked_to_log_in(db, client, url):
    response = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def test_an_anonymous_browser_asking_for_the_schema_is_asked_to_log_in(db, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/api/schema/")


def test_after_logging_in_the_visitor_is_back_on_the_docs(client, head_office):
    response = client.post(
        "/accounts/login/?next=/api/docs/",
        {"username": head_office.username, "password": PASSWORD, "next": "/api/docs/"},
    )
    assert (response.status_code, response["Location"]) == (302, "/api/docs/")
    assert b"swagger-ui" in client.get("/api/docs/").content


def test_api_clients_keep_their_json(db, head_office):
    anonymous = APIClient().get("/api/schema/")
    bad_token = APIClient(HTTP_AUTHORIZATION="Token nope").get("/api/docs/", HTTP_ACCEPT="text/html")
    with_token = api_client_for(head_office).get("/api/schema/", {"format": "json"})
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "not_authenticated")
    assert (bad_token.status_code, bad_token.json()["error"]) == (401, "authentication_failed")
    assert (with_token.status_code, with_token["Content-Type"]) == (200, "application/vnd.oai.openapi+json")
