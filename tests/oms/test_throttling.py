"""Throttling (issue 7 §1.10): failed sign-ins lock out a username from an address;
the API has a rate per caller and answers 429 with Retry-After over it."""

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.authtoken.models import Token

from inventory.models import StockPoint
from oms.models import Role
from tests.conftest import api_client_for
from tests.oms.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def sign_in(client: Client, password: str, **headers):
    return client.post(LOGIN, {"username": "lyon.staff", "password": password}, **headers)


def test_forty_wrong_passwords_lock_out_the_right_one(client, store_staff):
    # given
    for _attempt in range(40):
        sign_in(client, "wrong-guess")
    # when
    response = sign_in(client, PASSWORD)
    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "<h1>Too many sign-in attempts</h1>" in html
    assert "Try again in 15 minutes." in html
    assert '<link rel="stylesheet" href="/static/css/oms.css">' in html


def test_the_lockout_page_speaks_french(client, store_staff):
    for _attempt in range(5):
        sign_in(client, "wrong-guess", HTTP_ACCEPT_LANGUAGE="fr")
    response = sign_in(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Trop de tentatives de connexion</h1>" in html
    assert "Réessayez dans 15 minutes." in html


def test_fewer_failures_than_the_limit_still_sign_in(client, store_staff):
    for _attempt in range(4):
        assert sign_in(client, "wrong-guess").status_code == 200
    response = sign_in(client, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_the_lockout_is_per_username_and_address(client, store_staff):
    # given: lyon.staff locked out from 127.0.0.1
    UserFactory(username="paris.staff")
    for _attempt in range(5):
        sign_in(client, "wrong-guess")
    # when: another user from that address, and lyon.staff from another address
    other_user = Client().post(LOGIN, {"username": "paris.staff", "password": PASSWORD})
    other_address = Client(REMOTE_ADDR="10.1.2.3").post(
        LOGIN, {"username": "lyon.staff", "password": PASSWORD}
    )
    # then
    assert (other_user.status_code, other_address.status_code) == (302, 302)


def test_the_admin_sign_in_is_locked_out_too(client, head_office):
    for _attempt in range(5):
        client.post("/admin/login/", {"username": "head.office", "password": "wrong-guess"})
    response = client.post("/admin/login/", {"username": "head.office", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- API ---------------------------------------------------------------------------


def test_api_over_the_rate_is_429_with_retry_after(db, settings, monkeypatch):
    # given: a rate of 3 a minute, on a clock that stands still
    from oms.core.api.throttling import CallerRateThrottle

    monkeypatch.setattr(CallerRateThrottle, "timer", lambda self: 1_000_000.0)
    settings.API_THROTTLE_RATE = "3/min"
    erp = api_client_for(UserFactory(role=Role.INTEGRATION))
    served = [erp.get("/api/v1/stock-points/").status_code for _ in range(3)]
    # when
    refused = erp.get("/api/v1/stock-points/")
    refused_write = erp.post("/api/v1/stock-points/", {"code": "WH-2", "name": "W", "kind": "warehouse"})
    # then
    assert served == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "error": "throttled",
        "detail": "Request was throttled. Expected available in 60 seconds.",
    }
    assert refused_write.status_code == 429
    assert StockPoint.objects.count() == 0


def test_the_rate_is_per_token(db, settings):
    settings.API_THROTTLE_RATE = "2/min"
    erp = api_client_for(UserFactory(role=Role.INTEGRATION))
    shop = api_client_for(UserFactory(role=Role.INTEGRATION))
    assert [erp.get("/api/v1/products/").status_code for _ in range(3)] == [200, 200, 429]
    assert shop.get("/api/v1/products/").status_code == 200


def test_the_default_rate_is_high_and_set_by_the_environment(settings):
    from oms.core.api.throttling import CallerRateThrottle

    assert settings.API_THROTTLE_RATE == "6000/min"
    assert CallerRateThrottle().parse_rate(settings.API_THROTTLE_RATE) == (6000, 60)


def test_throttling_does_not_touch_redis(db, settings):
    # given: a default cache that cannot answer (Redis down)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
        "throttle": settings.CACHES["throttle"],
    }
    erp = api_client_for(UserFactory(role=Role.INTEGRATION))
    # when
    response = erp.get("/api/v1/stock-points/")
    # then
    assert response.status_code == 200
    assert Token.objects.count() == 1


def test_every_operation_documents_429_and_the_scope_refusals():
    from django.utils import translation
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert all("429" in op["responses"] for op in operations)
    assert all("`insufficient_scope`" in op["responses"]["403"]["description"] for op in operations)
    assert "orders:write" in schema["info"]["description"]


def test_head_office_unlocks_a_locked_out_colleague_in_the_admin(client, store_staff):
    # given: lyon.staff locked out
    from axes.models import AccessAttempt

    from oms.services.people import upsert_staff_user

    for _attempt in range(5):
        sign_in(client, "wrong-guess")
    [attempt] = AccessAttempt.objects.all()
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    admin = Client()
    assert admin.login(username="ho", password=PASSWORD)
    # when
    listed = admin.get("/admin/axes/accessattempt/")
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    # then
    assert (listed.status_code, deleted.status_code) == (200, 302)
    assert sign_in(client, PASSWORD).status_code == 302
