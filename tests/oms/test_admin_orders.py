"""Head office's admin of the order domain: channels and review rules saved through
the master-data service, customers flagged, orders read-only with their timeline."""

from decimal import Decimal

import pytest
from django.urls import reverse

from oms.core.actors import Actor
from oms.models import Channel, Customer, Order, ReviewRule, Role, TimelineEntry
from oms.services.capture import place_order
from oms.services.people import upsert_staff_user
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import PASSWORD, ChannelFactory, place_order_command

ADMIN_PAGES = [
    "admin:oms_channel_changelist",
    "admin:oms_channel_add",
    "admin:oms_reviewrule_changelist",
    "admin:oms_reviewrule_add",
    "admin:oms_customer_changelist",
    "admin:oms_order_changelist",
]


@pytest.fixture
def head_office_client(client, db):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    return client


@pytest.fixture
def order(db) -> Order:
    ChannelFactory(code="web", name="Web shop")
    point = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=point, on_hand=50)
    placed, _created = place_order(
        place_order_command([("LAMP", 2, "19.90")]), actor=Actor(label="api:webshop")
    )
    return placed


@pytest.mark.parametrize("admin_page", ADMIN_PAGES)
def test_head_office_reaches_every_order_admin_page(head_office_client, order, admin_page):
    assert head_office_client.get(reverse(admin_page)).status_code == 200


def test_the_order_list_searches_by_customer_email(head_office_client, order):
    response = head_office_client.get(
        reverse("admin:oms_order_changelist"), {"q": "camille.martin@example.fr"}
    )
    assert [row.number for row in response.context["cl"].result_list] == [order.number]


def test_an_order_shows_its_lines_and_timeline_read_only(head_office_client, order):
    # when
    response = head_office_client.get(reverse("admin:oms_order_change", args=[order.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<tr data-kind="order_created">' in html
    assert "Order created" in html
    assert "Stock reserved" in html
    assert reverse("orders:detail", args=[order.number]) in html
    assert 'name="_save"' not in html
    assert "LAMP" in html


def test_an_order_cannot_be_changed_or_deleted_from_the_admin(head_office_client, order):
    # given
    before = (order.status, order.total_amount, order.ship_city)
    entries = TimelineEntry.objects.filter(order=order).count()
    # when
    change = head_office_client.post(
        reverse("admin:oms_order_change", args=[order.pk]),
        {"status": "cancelled", "total_amount": "0", "ship_city": "Paris"},
    )
    delete = head_office_client.post(reverse("admin:oms_order_delete", args=[order.pk]), {"post": "yes"})
    add = head_office_client.get(reverse("admin:oms_order_add"))
    # then
    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    order.refresh_from_db()
    assert (order.status, order.total_amount, order.ship_city) == before
    assert TimelineEntry.objects.filter(order=order).count() == entries


def test_a_channel_added_in_the_admin_is_validated_and_saved(head_office_client):
    url = reverse("admin:oms_channel_add")
    refused = head_office_client.post(url, {"code": "fax", "name": "Fax", "order_prefix": ""})
    accepted = head_office_client.post(
        url, {"code": "marketplace:zalando", "name": "Zalando", "order_prefix": "ZA", "is_active": "on"}
    )
    assert refused.status_code == 200
    assert "Unknown channel fax" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Channel.objects.values_list("code", "name", "order_prefix")) == [
        ("marketplace:zalando", "Zalando", "ZA")
    ]


def test_an_amount_rule_needs_a_threshold(head_office_client):
    url = reverse("admin:oms_reviewrule_add")
    refused = head_office_client.post(url, {"kind": "amount_over", "threshold": "", "is_active": "on"})
    wrong = head_office_client.post(url, {"kind": "flagged_customer", "threshold": "50", "is_active": "on"})
    accepted = head_office_client.post(url, {"kind": "amount_over", "threshold": "400", "is_active": "on"})
    assert "An amount rule needs a threshold above zero." in refused.content.decode()
    assert "Only an amount rule takes a threshold: leave it empty." in wrong.content.decode()
    assert accepted.status_code == 302
    assert list(ReviewRule.objects.values_list("kind", "threshold", "channel")) == [
        ("amount_over", Decimal("400.00"), None)
    ]


def test_a_rule_added_in_the_admin_sends_the_next_order_to_review(head_office_client, order):
    head_office_client.post(
        reverse("admin:oms_reviewrule_add"), {"kind": "amount_over", "threshold": "30", "is_active": "on"}
    )
    second, _created = place_order(
        place_order_command([("LAMP", 2, "19.90")], external_reference="WEB-1002"),
        actor=Actor(label="api:webshop"),
    )
    assert second.status == "awaiting_review"


def test_head_office_flags_a_customer_but_cannot_change_their_details(head_office_client, order):
    customer = order.customer
    response = head_office_client.post(
        reverse("admin:oms_customer_change", args=[customer.pk]),
        {
            "is_flagged": "on",
            "flag_reason": "chargebacks",
            "email": "someone@else.fr",
            "orders-TOTAL_FORMS": "0",
            "orders-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.is_flagged, customer.flag_reason, customer.email) == (
        True,
        "chargebacks",
        "camille.martin@example.fr",
    )
