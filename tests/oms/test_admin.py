import pytest
from django.urls import reverse

from inventory.models import ProtectionRule, StockLevel
from oms.models import Role
from oms.services.people import upsert_staff_user
from tests.inventory.factories import StockLevelFactory
from tests.oms.factories import PASSWORD

ADMIN_PAGES = [
    "admin:inventory_stockpoint_changelist",
    "admin:inventory_sku_changelist",
    "admin:inventory_stocklevel_changelist",
    "admin:inventory_stockmovement_changelist",
    "admin:inventory_protectionrule_changelist",
    "admin:inventory_channelallocation_changelist",
    "admin:inventory_futurestock_changelist",
    "admin:inventory_reservation_changelist",
    "admin:inventory_protectionrule_add",
]


@pytest.fixture
def head_office_client(client, db):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    return client


@pytest.mark.parametrize("admin_page", ADMIN_PAGES)
def test_head_office_reaches_every_stock_admin_page(head_office_client, admin_page):
    StockLevelFactory()
    assert head_office_client.get(reverse(admin_page)).status_code == 200


def test_store_staff_cannot_use_the_admin(client, store_staff):
    client.login(username=store_staff.username, password=PASSWORD)
    response = client.get(reverse("admin:inventory_protectionrule_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db(transaction=True)
def test_a_rule_added_in_the_admin_is_applied_and_kept_in_history(client):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    level = StockLevelFactory(on_hand=10, stock_point__kind="store")
    response = client.post(
        reverse("admin:inventory_protectionrule_add"),
        {"stock_point_kind": "store", "category": "", "units": "3", "percent": "0", "note": "shelf losses"},
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.protection, level.atp) == (3, 7)
    rule = ProtectionRule.objects.get()
    [entry] = rule.history.all()
    assert (entry.history_type, entry.history_user.username) == ("+", "ho")


def test_levels_and_the_ledger_cannot_be_edited_in_the_admin(head_office_client):
    level = StockLevelFactory(on_hand=4)
    url = reverse("admin:inventory_stocklevel_change", args=[level.pk])
    head_office_client.post(url, {"on_hand": "400"})
    assert StockLevel.objects.get(pk=level.pk).on_hand == 4
