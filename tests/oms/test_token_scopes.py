"""API token scopes and channels (issue 7 §1.11), and `create_api_token` (§2.4)."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.models import Reservation, Sku, StockLevel, StockPoint
from oms.core.actors import Actor
from oms.models import Order, OutboxEvent, TimelineEntry, TokenAccess, WebhookSubscription
from oms.services.capture import place_order
from oms.states import OrderStatus
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.dns import fake_getaddrinfo
from tests.oms.factories import ChannelFactory, place_order_command
from tests.oms.test_api_orders import order_body

ORDERS = "/api/v1/orders/"
FEED = {
    "mode": "delta",
    "reference": "POS-1",
    "items": [{"stock_point": "WH-1", "sku": "LAMP", "quantity": 3}],
}
NEW_POINT = {"code": "WH-2", "name": "Warehouse 2", "kind": "warehouse", "latitude": 45.0, "longitude": 5.0}
NEW_PRODUCT = {"sku": "MUG", "name": "Mug"}
NEW_HOOK = {"url": "https://shop.example.com/hooks", "events": ["order.created"]}


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """The webhook URL's host resolves to a public address (the outside world, faked)."""
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)


def create_token(name: str, *options: str) -> str:
    out = StringIO()
    call_command("create_api_token", name, *options, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def client_of(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def network(db):
    """Two channels, a warehouse with lamps, and one order on each channel."""
    ChannelFactory(code="web")
    ChannelFactory(code="marketplace")
    warehouse = StockPointFactory(code="WH-1", kind="warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=warehouse, on_hand=20)
    web, _ = place_order(
        place_order_command([("LAMP", 1)], channel="web", external_reference="W-1"), actor=Actor.system("t")
    )
    market, _ = place_order(
        place_order_command([("LAMP", 1)], channel="marketplace", external_reference="M-1"),
        actor=Actor.system("t"),
    )
    return {"web": web.number, "marketplace": market.number}


def state() -> tuple:
    """Everything a refused write must leave as it was."""
    return (
        sorted(Order.objects.values_list("number", "status")),
        Reservation.objects.filter(status="active").count(),
        list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved")),
        TimelineEntry.objects.count(),
        OutboxEvent.objects.count(),
        StockPoint.objects.count(),
        Sku.objects.count(),
        WebhookSubscription.objects.count(),
    )


# --- Full access stays the default ------------------------------------------------------


def test_a_token_without_scopes_does_everything_an_integration_may(network):
    # given
    key = create_token("erp")
    erp = client_of(key)
    # when
    results = [
        erp.get(ORDERS).status_code,
        erp.get(f"{ORDERS}{network['marketplace']}/").status_code,
        erp.post(
            ORDERS, order_body(lines=(("LAMP", 1, "19.90"),), channel="marketplace"), format="json"
        ).status_code,
        erp.post(f"{ORDERS}{network['web']}/cancel/", {"reason": "test"}, format="json").status_code,
        erp.post("/api/v1/stock/feed/", FEED, format="json").status_code,
        erp.post("/api/v1/stock-points/", NEW_POINT, format="json").status_code,
        erp.post("/api/v1/webhooks/", NEW_HOOK, format="json").status_code,
    ]
    # then
    assert results == [200, 200, 201, 200, 200, 201, 201]
    assert TokenAccess.objects.count() == 0


# --- Scopes -----------------------------------------------------------------------------

WRITES = [
    ("orders:write", "post", ORDERS, lambda numbers: order_body(lines=(("LAMP", 1, "19.90"),))),
    ("orders:write", "post", "{cancel}", lambda numbers: {"reason": "test"}),
    ("stock:write", "post", "/api/v1/stock/feed/", lambda numbers: FEED),
    ("catalogue:write", "post", "/api/v1/stock-points/", lambda numbers: NEW_POINT),
    ("catalogue:write", "patch", "/api/v1/stock-points/WH-1/", lambda numbers: {"name": "Renamed"}),
    ("catalogue:write", "post", "/api/v1/products/", lambda numbers: NEW_PRODUCT),
    ("catalogue:write", "patch", "/api/v1/products/LAMP/", lambda numbers: {"name": "Renamed"}),
    ("webhooks:write", "post", "/api/v1/webhooks/", lambda numbers: NEW_HOOK),
]
READS = [
    ("orders:write", ORDERS),
    ("orders:write", "{detail}"),
    ("stock:write", "/api/v1/availability/?sku=LAMP&channel=web"),
    ("catalogue:write", "/api/v1/stock-points/"),
    ("catalogue:write", "/api/v1/products/LAMP/"),
    ("webhooks:write", "/api/v1/webhooks/"),
]


def path_of(template: str, numbers: dict[str, str]) -> str:
    return template.format(cancel=f"{ORDERS}{numbers['web']}/cancel/", detail=f"{ORDERS}{numbers['web']}/")


@pytest.mark.parametrize(("scope", "method", "path", "body"), WRITES)
def test_a_write_needs_its_scope_and_a_refused_write_changes_nothing(network, scope, method, path, body):
    # given: a token with every scope but the one this write needs
    others = [
        s for s in ("read", "orders:write", "stock:write", "catalogue:write", "webhooks:write") if s != scope
    ]
    refused_client = client_of(create_token("narrow", *[f"--scope={s}" for s in others]))
    allowed_client = client_of(create_token("wide", f"--scope={scope}"))
    before = state()
    # when
    refused = getattr(refused_client, method)(path_of(path, network), body(network), format="json")
    # then
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "insufficient_scope",
        "detail": f"This token does not have the scope “{scope}”.",
    }
    assert state() == before
    # and the scope alone allows it
    allowed = getattr(allowed_client, method)(path_of(path, network), body(network), format="json")
    assert allowed.status_code in (200, 201), allowed.json()


@pytest.mark.parametrize(("scope", "path"), READS)
def test_reads_need_read_or_the_write_scope_of_the_family(network, scope, path):
    webhooks_only = client_of(create_token("hooks", "--scope=webhooks:write"))
    stock_only = client_of(create_token("pos", "--scope=stock:write"))
    reader = client_of(create_token("bi", "--scope=read"))
    family = client_of(create_token("family", f"--scope={scope}"))
    narrow = stock_only if scope != "stock:write" else webhooks_only
    refused = narrow.get(path_of(path, network))
    assert (refused.status_code, refused.json()["error"], refused.json()["detail"]) == (
        403,
        "insufficient_scope",
        "This token does not have the scope “read”.",
    )
    assert reader.get(path_of(path, network)).status_code == 200
    assert family.get(path_of(path, network)).status_code == 200


def test_a_read_token_writes_nothing(network):
    reader = client_of(create_token("bi", "--scope=read"))
    before = state()
    responses = [
        reader.post(ORDERS, order_body(lines=(("LAMP", 1, "19.90"),)), format="json"),
        reader.post(f"{ORDERS}{network['web']}/cancel/", {"reason": "x"}, format="json"),
        reader.post("/api/v1/stock/feed/", FEED, format="json"),
        reader.delete("/api/v1/webhooks/1/"),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert state() == before


# --- Channels ---------------------------------------------------------------------------


@pytest.fixture
def marketplace_client(network) -> APIClient:
    return client_of(create_token("marketplace", "--scope=orders:write", "--channel=marketplace"))


def test_a_marketplace_token_lists_only_its_orders(network, marketplace_client):
    response = marketplace_client.get(ORDERS)
    assert response.status_code == 200
    assert [order["number"] for order in response.json()["results"]] == [network["marketplace"]]
    assert marketplace_client.get(ORDERS, {"channel": "web"}).json()["results"] == []


def test_another_channels_order_does_not_exist_for_a_marketplace_token(network, marketplace_client):
    own = marketplace_client.get(f"{ORDERS}{network['marketplace']}/")
    other = marketplace_client.get(f"{ORDERS}{network['web']}/")
    assert own.status_code == 200
    assert other.status_code == 404
    assert other.json()["error"] == "not_found"


def test_a_marketplace_token_cannot_cancel_another_channels_order(network, marketplace_client):
    before = state()
    response = marketplace_client.post(f"{ORDERS}{network['web']}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": f"No order {network['web']}."}
    assert state() == before
    assert Order.objects.get(number=network["web"]).status == OrderStatus.CONFIRMED
    # its own order it cancels
    own = marketplace_client.post(f"{ORDERS}{network['marketplace']}/cancel/", {"reason": "x"}, format="json")
    assert (own.status_code, own.json()["status"]) == (200, "cancelled")


def test_a_marketplace_token_cannot_place_orders_for_another_channel(network, marketplace_client):
    before = state()
    response = marketplace_client.post(
        ORDERS, order_body(lines=(("LAMP", 1, "19.90"),), channel="web"), format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "channel_not_allowed",
        "detail": "This token does not act for the channel “web”.",
        "errors": [{"field": "channel", "detail": "This token does not act for the channel “web”."}],
    }
    assert state() == before
    own = marketplace_client.post(
        ORDERS,
        order_body(lines=(("LAMP", 1, "19.90"),), channel="marketplace", external_reference="M-2"),
        format="json",
    )
    assert (own.status_code, own.json()["channel"]) == (201, "marketplace")


def test_channels_alone_keep_every_scope(network):
    key = create_token("marketplace", "--channel=marketplace")
    access = TokenAccess.objects.get(token__key=key)
    assert access.scopes == ["catalogue:write", "orders:write", "read", "stock:write", "webhooks:write"]
    assert access.channels == ["marketplace"]
    assert client_of(key).post("/api/v1/stock/feed/", FEED, format="json").status_code == 200


def test_scopes_are_read_with_the_token_in_one_query(network, django_assert_num_queries):
    # given
    key = create_token("marketplace", "--scope=read", "--channel=marketplace")
    client = client_of(key)
    # then: the token, its user, profile and scopes in one query; the list (count, page) and the
    # throttle add none beyond the list's own
    from oms.core.api.authentication import TokenAuthentication

    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate_credentials(key)
        assert (user.profile.role, token.access.channels) == ("integration", ["marketplace"])
    with django_assert_num_queries(3):
        assert client.get(ORDERS).status_code == 200


# --- create_api_token ---------------------------------------------------------------------


def test_create_api_token_twice_refuses_and_keeps_the_first_token(db):
    # given
    first = create_token("erp")
    # when
    with pytest.raises(CommandError) as refused:
        create_token("erp")
    # then
    assert str(refused.value) == "The integration erp already has a token: rotate it to replace it."
    assert list(Token.objects.values_list("key", flat=True)) == [first]
    assert client_of(first).get("/api/v1/stock-points/").status_code == 200


def test_create_api_token_refusal_exits_non_zero(db, capsys):
    from oms.management.commands.create_api_token import Command

    create_token("erp")
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "create_api_token", "erp"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "CommandError: The integration erp already has a token: rotate it to replace it.\n"
    )


def test_rotate_revokes_the_old_token_says_so_and_keeps_the_scopes(network):
    # given
    old = create_token("marketplace", "--scope=orders:write", "--channel=marketplace")
    # when
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "marketplace", "--rotate", stdout=out, stderr=err)
    new = out.getvalue().strip()
    # then
    assert err.getvalue().strip() == "The previous token of marketplace, if any, is revoked."
    assert client_of(old).get(ORDERS).status_code == 401
    assert client_of(new).get(ORDERS).status_code == 200
    access = TokenAccess.objects.get(token__key=new)
    assert (access.scopes, access.channels) == (["orders:write"], ["marketplace"])


def test_rotate_with_new_scopes_replaces_them(network):
    create_token("pos", "--scope=stock:write")
    new = create_token("pos", "--rotate", "--scope=read")
    assert TokenAccess.objects.get(token__key=new).scopes == ["read"]
    assert TokenAccess.objects.count() == 1


def test_unknown_scope_or_channel_is_refused_and_creates_nothing(network):
    with pytest.raises(CommandError) as bad_scope:
        create_token("erp", "--scope=orders:delete")
    with pytest.raises(CommandError) as bad_channel:
        create_token("erp", "--channel=nowhere")
    assert "invalid choice: 'orders:delete'" in str(bad_scope.value)
    assert str(bad_channel.value) == "Unknown channel(s): nowhere."
    assert Token.objects.count() == 0


def test_scope_refusals_speak_the_callers_language(network):
    reader = client_of(create_token("bi", "--scope=read"))
    response = reader.post("/api/v1/stock/feed/", FEED, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert response.json()["detail"] == "Ce jeton n’a pas la portée « stock:write »."


def test_a_marketplace_subscriber_hears_only_of_its_channels_orders(network, marketplace_client):
    # given: the marketplace and a full-access integration both subscribe to every event
    from oms.services.event_delivery import dispatch_outbox_event

    hooks = client_of(create_token("marketplace-hooks", "--scope=webhooks:write", "--channel=marketplace"))
    erp = client_of(create_token("erp"))
    for client in (hooks, erp):
        assert (
            client.post(
                "/api/v1/webhooks/", {"url": NEW_HOOK["url"], "events": ["*"]}, format="json"
            ).status_code
            == 201
        )
    market_hook, erp_hook = WebhookSubscription.objects.order_by("pk")
    # when: the events of both fixture orders are fanned out
    fanned = {
        event.payload["channel"]: sorted(
            WebhookSubscription.objects.filter(
                deliveries__pk__in=dispatch_outbox_event(event.pk).deliveries
            ).values_list("pk", flat=True)
        )
        for event in OutboxEvent.objects.filter(event_type="order.created")
    }
    # then
    assert fanned == {"marketplace": [market_hook.pk, erp_hook.pk], "web": [erp_hook.pk]}
