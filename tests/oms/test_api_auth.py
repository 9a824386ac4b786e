from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from inventory.models import StockPoint
from oms.models import Role
from tests.conftest import api_client_for
from tests.oms.factories import PASSWORD, UserFactory

STOCK_POINTS = "/api/v1/stock-points/"
NEW_POINT = {"code": "WH-2", "name": "Warehouse 2", "kind": "warehouse", "latitude": 45.0, "longitude": 5.0}


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def create_token(name: str, *options: str) -> str:
    out = StringIO()
    call_command("create_api_token", name, *options, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", STOCK_POINTS),
        ("post", STOCK_POINTS),
        ("get", "/api/v1/products/"),
        ("post", "/api/v1/stock/feed/"),
        ("get", "/api/v1/availability/?sku=A"),
    ],
)
def test_anonymous_requests_get_401_with_a_token_challenge(anonymous_api, method, path):
    response = getattr(anonymous_api, method)(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_unknown_token_is_401(db):
    response = token_client("0" * 40).get(STOCK_POINTS)
    assert response.status_code == 401
    assert response.json() == {"error": "authentication_failed", "detail": "Invalid token."}


def test_token_of_a_deactivated_account_is_401(db):
    # given: an integration whose account head office switched off
    key = create_token("erp")
    get_user_model().objects.filter(username="api-erp").update(is_active=False)
    # when
    response = token_client(key).get(STOCK_POINTS)
    # then
    assert response.status_code == 401
    assert response.json() == {"error": "authentication_failed", "detail": "User inactive or deleted."}


def test_created_token_authenticates_an_integration_that_may_write(db):
    # given
    key = create_token("erp")
    # when
    read = token_client(key).get(STOCK_POINTS)
    write = token_client(key).post(STOCK_POINTS, NEW_POINT, format="json")
    # then
    assert read.status_code == 200
    assert write.status_code == 201
    user = get_user_model().objects.get(username="api-erp")
    assert (user.profile.role, user.has_usable_password()) == (Role.INTEGRATION, False)


def test_a_rotated_token_revokes_the_previous_one(db):
    old = create_token("erp")
    new = create_token("erp", "--rotate")
    assert token_client(old).get(STOCK_POINTS).status_code == 401
    assert token_client(new).get(STOCK_POINTS).status_code == 200


def test_user_without_a_role_is_refused(db):
    # given
    user = get_user_model().objects.create_user("nobody", password=PASSWORD)
    client = api_client_for(user)
    # when
    read = client.get(STOCK_POINTS)
    write = client.post(STOCK_POINTS, NEW_POINT, format="json")
    # then
    assert (read.status_code, write.status_code) == (403, 403)
    assert read.json()["error"] == "permission_denied"
    assert StockPoint.objects.count() == 0


def test_session_login_works_for_staff(head_office):
    client = APIClient()
    assert client.login(username=head_office.username, password=PASSWORD)
    assert client.get(STOCK_POINTS).status_code == 200


def test_malformed_json_is_400_and_changes_nothing(api):
    response = api.post(STOCK_POINTS, '{"code": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert StockPoint.objects.count() == 0


# --- OpenAPI -----------------------------------------------------------------------


def test_schema_requires_authentication(anonymous_api):
    response = anonymous_api.get("/api/schema/")
    assert response.status_code == 401


def test_schema_documents_the_stock_api(api):
    # when
    response = api.get("/api/schema/", {"format": "json"})
    # then
    assert response.status_code == 200
    schema = response.json()
    assert {
        "/api/v1/stock-points/",
        "/api/v1/stock-points/{code}/",
        "/api/v1/products/",
        "/api/v1/products/{sku}/",
        "/api/v1/stock/feed/",
        "/api/v1/availability/",
    } <= set(schema["paths"])
    availability = schema["paths"]["/api/v1/availability/"]["get"]
    assert availability["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Availability"
    }
    assert sorted(schema["components"]["schemas"]["SkuAvailability"]["properties"]) == [
        "atp",
        "channel",
        "incoming",
        "sku",
        "stock_points",
    ]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_render_for_a_logged_in_user(head_office):
    client = APIClient()
    assert client.login(username=head_office.username, password=PASSWORD)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_store_staff_token_reads_but_cannot_write(db, store):
    staff = UserFactory(role=Role.STORE_STAFF, stores=[store])
    client = api_client_for(staff)
    assert client.get(STOCK_POINTS).status_code == 200
    assert client.post(STOCK_POINTS, NEW_POINT, format="json").status_code == 403
    assert list(StockPoint.objects.values_list("code", flat=True)) == ["ST-LYON-01"]
