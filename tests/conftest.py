"""Shared fixtures. The suite runs on whatever DATABASE_URL names (PostgreSQL in
CI, SQLite by default); tests marked `postgres` need real concurrent transactions
and are skipped elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oms.core.actors import Actor
from oms.models import Role
from tests.inventory.factories import StockPointFactory
from tests.oms.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: SQLite has one writer at a time, so it cannot show real "
        "concurrent transactions (set DATABASE_URL, as .ci/run does)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def store(db):
    return StockPointFactory(
        kind="store",
        code="ST-LYON-01",
        name="Lyon Part-Dieu",
        latitude=45.7606,
        longitude=4.8593,
        city="Lyon",
    )


@pytest.fixture
def other_store(db):
    return StockPointFactory(
        kind="store",
        code="ST-PARIS-01",
        name="Paris Rivoli",
        latitude=48.8606,
        longitude=2.3376,
        city="Paris",
    )


@pytest.fixture
def store_staff(db, store):
    return UserFactory(username="lyon.staff", role=Role.STORE_STAFF, stores=[store])


@pytest.fixture
def head_office(db):
    return UserFactory(username="head.office", role=Role.HEAD_OFFICE, is_staff=True)


@pytest.fixture
def customer_service(db):
    return UserFactory(username="customer.service", role=Role.CUSTOMER_SERVICE)


@pytest.fixture
def integration(db):
    return UserFactory(username="integration-erp", role=Role.INTEGRATION)


@pytest.fixture
def api(integration) -> APIClient:
    """An API client authenticated with an integration's token."""
    token = Token.objects.create(user=integration)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


def api_client_for(user) -> APIClient:
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
