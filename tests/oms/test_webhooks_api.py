"""`/api/v1/webhooks/`: each integration manages its own subscriptions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.models import Role, WebhookSubscription
from tests.conftest import api_client_for
from tests.oms.factories import UserFactory

LIST = "/api/v1/webhooks/"


def detail(subscription: WebhookSubscription) -> str:
    return reverse("webhook-detail", args=[subscription.pk])


def hook(owner, url: str = "https://shop.example.com/hooks", events: list[str] | None = None):
    return WebhookSubscription.objects.create(owner=owner, url=url, events=events or ["order.created"])


def test_the_route_is_the_one_of_the_contract():
    assert reverse("webhook-list") == LIST


def test_an_integration_subscribes_and_gets_its_signing_secret_once(api, integration):
    # when
    response = api.post(
        LIST,
        {"url": "https://shop.example.com/hooks", "events": ["order.created", "order.shipped"]},
        format="json",
    )
    # then: "order.shipped" is not an event
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert response.json()["errors"] == [{"field": "events", "detail": "Unknown event(s): order.shipped."}]
    assert WebhookSubscription.objects.count() == 0
    # when
    response = api.post(
        LIST,
        {
            "url": "https://shop.example.com/hooks",
            "events": ["order.created", "shipment.shipped", "order.created"],
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    subscription = WebhookSubscription.objects.get()
    body = response.json()
    assert body == {
        "id": subscription.pk,
        "url": "https://shop.example.com/hooks",
        "events": ["order.created", "shipment.shipped"],
        "is_active": True,
        "secret": subscription.secret,
        "created_at": body["created_at"],
    }
    assert (subscription.owner_id, body["secret"][:6], len(body["secret"])) == (integration.pk, "whsec_", 49)
    # and later reads show it masked
    shown = api.get(detail(subscription)).json()["secret"]
    assert shown == f"{subscription.secret[:6]}…{subscription.secret[-4:]}"
    assert api.get(LIST).json()["results"][0]["secret"] == shown


def test_every_event_can_be_subscribed_with_a_star(api):
    response = api.post(LIST, {"url": "http://10.0.0.5:8080/oms", "events": ["*"]}, format="json")
    assert (response.status_code, response.json()["events"]) == (201, ["*"])


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "ftp://shop.example.com/hooks", "events": ["order.created"]}, ["url"]),
        ({"url": "not a url", "events": ["order.created"]}, ["url"]),
        ({"url": "https://shop.example.com/hooks", "events": []}, ["events"]),
        ({"url": "javascript:alert(1)", "events": ["nope"]}, ["url", "events"]),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_created(api, body, fields):
    response = api.post(LIST, body, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == fields
    assert WebhookSubscription.objects.count() == 0


def test_a_malformed_body_is_refused(api):
    response = api.post(
        LIST, {"url": "https://shop.example.com/hooks", "events": "order.created"}, format="json"
    )
    assert (response.status_code, response.json()["error"], response.json()["errors"]) == (
        400,
        "invalid",
        [{"field": "events", "detail": 'Expected a list of items but got type "str".'}],
    )
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.CUSTOMER_SERVICE])
def test_only_head_office_and_integrations_may_subscribe(db, role, store):
    user = UserFactory(role=role, stores=[store] if role == Role.STORE_STAFF else [])
    client = api_client_for(user)
    response = client.post(LIST, {"url": "https://shop.example.com/hooks", "events": ["*"]}, format="json")
    assert (response.status_code, response.json()["error"]) == (403, "permission_denied")
    assert client.get(LIST).status_code == 403
    assert WebhookSubscription.objects.count() == 0


def test_head_office_may_subscribe(head_office):
    response = api_client_for(head_office).post(
        LIST, {"url": "https://bi.example.com/hooks", "events": ["*"]}, format="json"
    )
    assert response.status_code == 201
    assert WebhookSubscription.objects.get().owner_id == head_office.pk


def test_anonymous_callers_are_refused(anonymous_api, db):
    response = anonymous_api.post(
        LIST, {"url": "https://shop.example.com/hooks", "events": ["*"]}, format="json"
    )
    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    assert anonymous_api.get(LIST).status_code == 401
    assert WebhookSubscription.objects.count() == 0


def test_each_caller_sees_only_its_own_subscriptions(api, integration):
    mine = hook(integration, "https://shop.example.com/a")
    theirs = hook(UserFactory(role=Role.INTEGRATION), "https://erp.example.com/b")
    response = api.get(LIST)
    assert [row["url"] for row in response.json()["results"]] == ["https://shop.example.com/a"]
    assert api.get(detail(mine)).status_code == 200
    assert api.get(detail(theirs)).status_code == 404


def test_a_subscription_is_changed_by_its_owner_only(api, integration):
    # given
    mine = hook(integration)
    theirs = hook(UserFactory(role=Role.INTEGRATION))
    # when
    changed = api.patch(detail(mine), {"events": ["order.confirmed"], "is_active": False}, format="json")
    refused = api.patch(detail(mine), {"url": "ftp://x"}, format="json")
    foreign = api.patch(detail(theirs), {"events": ["*"]}, format="json")
    put = api.put(detail(mine), {"url": "https://x.example.com", "events": ["*"]}, format="json")
    # then
    assert (changed.status_code, refused.status_code, foreign.status_code, put.status_code) == (
        200,
        400,
        404,
        405,
    )
    mine.refresh_from_db()
    assert (mine.url, mine.events, mine.is_active) == (
        "https://shop.example.com/hooks",
        ["order.confirmed"],
        False,
    )
    theirs.refresh_from_db()
    assert theirs.events == ["order.created"]


def test_a_subscription_is_deleted_by_its_owner_only(api, integration):
    mine = hook(integration)
    theirs = hook(UserFactory(role=Role.INTEGRATION))
    assert api.delete(detail(theirs)).status_code == 404
    assert api.delete(detail(mine)).status_code == 204
    assert list(WebhookSubscription.objects.values_list("pk", flat=True)) == [theirs.pk]


@pytest.mark.parametrize("count", [2, 20])
def test_listing_takes_the_same_queries_for_2_or_20_subscriptions(
    api, integration, count, django_assert_num_queries
):
    for number in range(count):
        hook(integration, f"https://shop.example.com/hooks/{number}")
    # token with its user and profile (role), count, page
    with django_assert_num_queries(3):
        response = api.get(LIST)
    assert response.json()["count"] == count


def test_an_id_that_is_not_a_number_is_not_found(api):
    assert api.get(f"{LIST}abc/").status_code == 404
