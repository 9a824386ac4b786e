"""`/api/v1/webhooks/`: each integration manages its own subscriptions."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from oms.models import Role, WebhookSubscription
from tests.conftest import api_client_for
from tests.oms.dns import fake_getaddrinfo
from tests.oms.factories import UserFactory

LIST = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)


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
    response = api.post(LIST, {"url": "http://93.184.215.20:8080/oms", "events": ["*"]}, format="json")
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


PUBLIC_ONLY = "webhooks go to public addresses only."


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("http://127.0.0.1:5432/", f"127.0.0.1 is a loopback address (127.0.0.1): {PUBLIC_ONLY}"),
        ("http://127.8.9.10/", f"127.8.9.10 is a loopback address (127.8.9.10): {PUBLIC_ONLY}"),
        ("http://localhost:6379/", f"localhost is this machine: {PUBLIC_ONLY}"),
        ("http://api.localhost/", f"api.localhost is this machine: {PUBLIC_ONLY}"),
        ("http://[::1]/hooks", f"::1 is a loopback address (::1): {PUBLIC_ONLY}"),
        (
            "http://[::ffff:127.0.0.1]/",
            f"::ffff:127.0.0.1 is a loopback address (::ffff:127.0.0.1): {PUBLIC_ONLY}",
        ),
        (
            "http://[::ffff:10.0.0.1]/",
            f"::ffff:10.0.0.1 is a private address (::ffff:10.0.0.1): {PUBLIC_ONLY}",
        ),
        (
            "http://[64:ff9b::a9fe:a9fe]/",
            f"64:ff9b::a9fe:a9fe is a link-local address (64:ff9b::a9fe:a9fe): {PUBLIC_ONLY}",
        ),
        ("http://[2002:7f00:1::]/", f"2002:7f00:1:: is a loopback address (2002:7f00:1::): {PUBLIC_ONLY}"),
        (
            "http://169.254.169.254/latest/meta-data/",
            f"169.254.169.254 is a link-local address (169.254.169.254): {PUBLIC_ONLY}",
        ),
        ("http://[fe80::1]/", f"fe80::1 is a link-local address (fe80::1): {PUBLIC_ONLY}"),
        ("http://10.0.0.1/", f"10.0.0.1 is a private address (10.0.0.1): {PUBLIC_ONLY}"),
        ("http://172.16.5.4/", f"172.16.5.4 is a private address (172.16.5.4): {PUBLIC_ONLY}"),
        ("https://192.168.1.1/", f"192.168.1.1 is a private address (192.168.1.1): {PUBLIC_ONLY}"),
        ("http://[fd00::1]/", f"fd00::1 is a private address (fd00::1): {PUBLIC_ONLY}"),
        ("http://100.64.0.1/", f"100.64.0.1 is a reserved address (100.64.0.1): {PUBLIC_ONLY}"),
        ("http://0.0.0.0/", f"0.0.0.0 is an unspecified address (0.0.0.0): {PUBLIC_ONLY}"),
        ("http://[::]/", f":: is an unspecified address (::): {PUBLIC_ONLY}"),
        ("http://224.0.0.1/", f"224.0.0.1 is a multicast address (224.0.0.1): {PUBLIC_ONLY}"),
        ("http://240.0.0.1/", f"240.0.0.1 is a private address (240.0.0.1): {PUBLIC_ONLY}"),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            f"metadata.google.internal is a link-local address (169.254.169.254): {PUBLIC_ONLY}",
        ),
        (
            "https://intranet.example.com/hooks",
            f"intranet.example.com is a private address (10.20.30.40): {PUBLIC_ONLY}",
        ),
        (
            "https://half-inside.example.com/hooks",
            f"half-inside.example.com is a private address (192.168.1.10): {PUBLIC_ONLY}",
        ),
        ("https://nowhere.example.com/hooks", "nowhere.example.com does not resolve to an address."),
        ("https://user:secret@shop.example.com/hooks", "A webhook URL cannot carry a user name or password."),
        ("https://token@shop.example.com/hooks", "A webhook URL cannot carry a user name or password."),
        ("ftp://shop.example.com/hooks", "Give an http:// or https:// URL."),
        ("file:///etc/passwd", "Give an http:// or https:// URL."),
        ("gopher://127.0.0.1:6379/_INFO", "Give an http:// or https:// URL."),
    ],
)
def test_webhooks_to_inside_the_network_are_refused_and_nothing_is_saved(api, url, detail):
    # when
    response = api.post(LIST, {"url": url, "events": ["*"]}, format="json")
    # then
    assert (response.status_code, response.json()["errors"]) == (400, [{"field": "url", "detail": detail}])
    assert WebhookSubscription.objects.count() == 0


def test_a_subscription_cannot_be_moved_inside_the_network(api, integration):
    mine = hook(integration)
    response = api.patch(detail(mine), {"url": "http://169.254.169.254/"}, format="json")
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.url == "https://shop.example.com/hooks"


def test_a_subscription_whose_host_is_gone_can_still_be_deactivated(api, integration):
    mine = hook(integration, "https://gone.example.com/hooks")  # no longer resolves
    response = api.patch(detail(mine), {"is_active": False}, format="json")
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.is_active is False


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://127.0.0.1:8080/hooks", 201),
        ("http://localhost:8080/hooks", 201),
        ("http://[::1]:8080/hooks", 201),
        ("http://10.0.0.1/hooks", 400),
        ("http://0.0.0.0:8080/hooks", 400),
        ("http://169.254.169.254/", 400),
        ("http://192.168.1.1/", 400),
    ],
)
def test_allowing_loopback_allows_loopback_only(api, settings, url, status):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    response = api.post(LIST, {"url": url, "events": ["*"]}, format="json")
    assert response.status_code == status
    assert WebhookSubscription.objects.count() == (1 if status == 201 else 0)


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
