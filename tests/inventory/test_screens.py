"""Store stock screens: lookup, SKU detail, receipt, adjustment and count."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import AdjustmentCode, MovementReason, StockLevel, StockMovement
from oms.models import Role
from tests.inventory.factories import FutureStockFactory, SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
SCREENS = ["/stock/lookup/", "/stock/sku/SHIRT-1/", "/stock/receive/", "/stock/adjust/", "/stock/count/"]
MOVEMENT_SCREENS = ["/stock/receive/", "/stock/adjust/", "/stock/count/"]


@pytest.fixture
def shirt(db):
    return SkuFactory(code="SHIRT-1", ean="3760000000017", name="Linen shirt blue")


@pytest.fixture
def shelf(shirt, store):
    """10 units of the shirt at the Lyon store (2 of them protected)."""
    return StockLevelFactory(sku=shirt, stock_point=store, on_hand=10, protection=2)


@pytest.fixture
def paris_shelf(shirt, other_store):
    return StockLevelFactory(sku=shirt, stock_point=other_store, on_hand=4)


@pytest.fixture
def staff_client(client, store_staff):
    client.force_login(store_staff)
    return client


def valid_post(screen: str, store_code: str) -> dict[str, object]:
    """A valid form of each movement screen for the shirt."""
    data: dict[str, object] = {"sku": "SHIRT-1", "store": store_code, "note": ""}
    if screen == "/stock/receive/":
        data |= {"quantity": 3, "reference": "DN-1"}
    elif screen == "/stock/adjust/":
        data |= {"direction": "remove", "quantity": 1, "code": AdjustmentCode.DAMAGED}
    else:
        data |= {"counted": 7}
    return data


def on_hand(level: StockLevel) -> int:
    level.refresh_from_db()
    return level.on_hand


# --- Access -------------------------------------------------------------------------


@pytest.mark.parametrize("url", SCREENS)
def test_anonymous_is_sent_to_login(client, shirt, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", MOVEMENT_SCREENS)
def test_anonymous_post_is_sent_to_login_and_writes_nothing(client, shelf, store, url):
    response = client.post(url, valid_post(url, store.code))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


@pytest.mark.parametrize("url", MOVEMENT_SCREENS)
def test_staff_cannot_act_on_another_store(staff_client, shelf, paris_shelf, other_store, url):
    response = staff_client.post(url, valid_post(url, other_store.code), **HTMX)
    assert response.status_code == 404
    assert StockMovement.objects.count() == 0
    assert (on_hand(paris_shelf), on_hand(shelf)) == (4, 10)


@pytest.mark.parametrize("url", [*MOVEMENT_SCREENS, "/stock/lookup/", "/stock/sku/SHIRT-1/"])
def test_staff_cannot_open_another_store(staff_client, shelf, other_store, url):
    response = staff_client.get(f"{url}?store={other_store.code}")
    assert response.status_code == 404
    assert staff_client.session.get("oms.store") is None


@pytest.mark.parametrize("url", MOVEMENT_SCREENS)
def test_customer_service_cannot_record_movements(client, customer_service, shelf, store, url):
    client.force_login(customer_service)
    assert client.get(url).status_code == 403
    response = client.post(url, {k: v for k, v in valid_post(url, store.code).items() if k != "store"})
    assert response.status_code == 403
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


@pytest.mark.parametrize("url", MOVEMENT_SCREENS)
def test_customer_service_cannot_name_a_store(client, customer_service, shelf, store, url):
    client.force_login(customer_service)
    response = client.post(url, valid_post(url, store.code))
    assert response.status_code == 404
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


def test_head_office_receives_at_any_active_store(client, head_office, paris_shelf, other_store):
    client.force_login(head_office)
    response = client.post("/stock/receive/", valid_post("/stock/receive/", other_store.code))
    assert response.status_code == 200
    movement = StockMovement.objects.get()
    assert (movement.stock_point, movement.quantity, movement.actor) == (other_store, 3, "head.office")
    assert on_hand(paris_shelf) == 7


def test_head_office_cannot_pick_an_inactive_store(client, head_office, shirt):
    closed = StockPointFactory(code="ST-CLOSED", kind="store", is_active=False)
    client.force_login(head_office)
    response = client.post("/stock/receive/", valid_post("/stock/receive/", closed.code))
    assert response.status_code == 404
    assert StockMovement.objects.count() == 0


# --- Lookup -------------------------------------------------------------------------


def test_lookup_page_has_a_focused_scan_field(staff_client):
    response = staff_client.get("/stock/lookup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html
    assert "autofocus" in html
    assert 'hx-get="/stock/lookup/"' in html
    assert 'hx-target="#results"' in html


def test_scanning_an_ean_opens_the_sku(staff_client, shelf):
    response = staff_client.get("/stock/lookup/", {"q": "3760000000017"})
    assert response.status_code == 302
    assert response["Location"] == "/stock/sku/SHIRT-1/"


def test_scanning_an_ean_with_htmx_loads_the_sku_into_the_results(staff_client, shelf):
    response = staff_client.get("/stock/lookup/", {"q": "3760000000017"}, **HTMX)
    assert response.status_code == 200
    assert json.loads(response["HX-Location"]) == {"path": "/stock/sku/SHIRT-1/", "target": "#results"}


def test_exact_code_wins_over_name_matches(staff_client, shelf):
    SkuFactory(code="SHIRT-10", name="Shirt SHIRT-1 lookalike")
    response = staff_client.get("/stock/lookup/", {"q": "shirt-1"})
    assert response.status_code == 302
    assert response["Location"] == "/stock/sku/SHIRT-1/"


def test_several_matches_are_listed_to_tap(staff_client, shirt):
    SkuFactory(code="SHIRT-2", ean="3760000000024", name="Linen shirt white")
    SkuFactory(code="TROUSERS-1", ean="3760000000031", name="Chino trousers")
    response = staff_client.get("/stock/lookup/", {"q": "linen"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "2 SKUs match “linen”" in html
    assert html.count('hx-get="/stock/sku/') == 2
    assert 'href="/stock/sku/SHIRT-1/"' in html
    assert 'href="/stock/sku/SHIRT-2/"' in html
    assert "TROUSERS-1" not in html


def test_several_matches_full_page_without_javascript(staff_client, shirt):
    SkuFactory(code="SHIRT-2", ean="3760000000024", name="Linen shirt white")
    response = staff_client.get("/stock/lookup/", {"q": "linen"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'href="/stock/sku/SHIRT-2/"' in html
    assert "HX-Request" in response["Vary"]


def test_no_match_says_so(staff_client, shirt):
    response = staff_client.get("/stock/lookup/", {"q": "9999999999999"}, **HTMX)
    assert response.status_code == 200
    assert "No SKU matches “9999999999999”." in response.content.decode()


def test_inactive_skus_are_not_found(staff_client):
    SkuFactory(code="OLD-1", ean="3760000000048", name="Old shirt", is_active=False)
    response = staff_client.get("/stock/lookup/", {"q": "3760000000048"})
    assert response.status_code == 200
    assert "No SKU matches “3760000000048”." in response.content.decode()


def test_customer_service_can_look_up_without_a_store(client, customer_service, shelf, paris_shelf):
    client.force_login(customer_service)
    response = client.get("/stock/sku/SHIRT-1/")
    assert response.status_code == 200
    assert response.context["stock"].here is None
    assert response.context["movements"] == []
    html = response.content.decode()
    assert "/stock/receive/" not in html
    assert [entry.stock_point.code for entry in response.context["stock"].nearest] == [
        "ST-LYON-01",
        "ST-PARIS-01",
    ]


# --- SKU detail ---------------------------------------------------------------------


def test_sku_detail_shows_my_store_the_nearest_stores_and_the_network(
    staff_client, shelf, paris_shelf, store_staff
):
    warehouse = StockPointFactory(code="WH-1", kind="warehouse", latitude=47.0, longitude=3.0)
    StockLevelFactory(sku=shelf.sku, stock_point=warehouse, on_hand=100)
    StockMovement.objects.create(
        sku=shelf.sku,
        stock_point=shelf.stock_point,
        quantity=2,
        on_hand_after=10,
        reason=MovementReason.RECEIPT,
        actor="lyon.staff",
    )
    response = staff_client.get("/stock/sku/SHIRT-1/")
    assert response.status_code == 200
    stock = response.context["stock"]
    assert (stock.here.atp, stock.here.on_hand) == (8, 10)
    assert [(e.stock_point.code, e.atp, e.distance_km) for e in stock.nearest] == [("ST-PARIS-01", 4, 393.6)]
    assert stock.network_atp == 112
    html = response.content.decode()
    assert '<span class="figure-value" data-testid="here-atp">8</span>' in html
    assert "393.6 km" in html
    assert '<span class="network-value" data-testid="network-atp">112</span>' in html
    assert "/stock/receive/?sku=SHIRT-1" in html
    assert [m.reason for m in response.context["movements"]] == [MovementReason.RECEIPT]


def test_sku_detail_with_htmx_is_a_partial(staff_client, shelf):
    response = staff_client.get("/stock/sku/SHIRT-1/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="here-atp">8<' in html


def test_sku_detail_of_an_unknown_sku_is_404(staff_client):
    assert staff_client.get("/stock/sku/NOPE/").status_code == 404


def test_history_restore_gets_the_full_page(staff_client, shelf):
    response = staff_client.get("/stock/sku/SHIRT-1/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()


def test_sku_detail_query_count_does_not_grow_with_stock_levels(staff_client, store):
    # given: one SKU stocked in 2 stock points, another in 20
    few, many = SkuFactory(code="FEW"), SkuFactory(code="MANY")
    StockLevelFactory(sku=few, stock_point=store)
    StockLevelFactory(sku=few, stock_point=StockPointFactory())
    StockLevelFactory(sku=many, stock_point=store)
    for _ in range(19):
        StockLevelFactory(sku=many, stock_point=StockPointFactory())
    staff_client.get("/stock/sku/FEW/")  # session warmed up
    # when
    with CaptureQueriesContext(connection) as with_two:
        assert staff_client.get("/stock/sku/FEW/").status_code == 200
    with CaptureQueriesContext(connection) as with_twenty:
        response = staff_client.get("/stock/sku/MANY/")
    # then
    assert len(response.context["stock"].nearest) == 8
    assert len(with_twenty) == len(with_two)


def test_picking_a_store_is_remembered(client, store, other_store, shelf, paris_shelf):
    user = UserFactory(username="two.stores", role=Role.STORE_STAFF, stores=[store, other_store])
    client.force_login(user)
    first = client.get("/stock/sku/SHIRT-1/")
    assert first.context["scope"].current == store
    assert '<select id="store-picker" name="store" data-autosubmit>' in first.content.decode()
    picked = client.get("/stock/sku/SHIRT-1/", {"store": other_store.code})
    assert picked.context["scope"].current == other_store
    later = client.get("/stock/sku/SHIRT-1/")
    assert later.context["scope"].current == other_store
    assert (later.context["stock"].here.atp, later.context["stock"].here.on_hand) == (4, 4)


# --- Receipt ------------------------------------------------------------------------


def test_receive_form_is_prefilled_from_the_sku_detail(staff_client, shelf):
    response = staff_client.get("/stock/receive/", {"sku": "SHIRT-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="sku" value="SHIRT-1"' in html
    assert '<input type="hidden" name="store" value="ST-LYON-01">' in html
    assert 'hx-post="/stock/receive/"' in html


def test_receive_writes_one_ledger_row(staff_client, shelf, store, store_staff):
    response = staff_client.post(
        "/stock/receive/",
        {"sku": "SHIRT-1", "quantity": 3, "reference": "DN-42", "note": "morning truck", "store": store.code},
        **HTMX,
    )
    assert response.status_code == 200
    movement = StockMovement.objects.get()
    assert (
        movement.sku,
        movement.stock_point,
        movement.reason,
        movement.quantity,
        movement.on_hand_after,
        movement.reference,
        movement.note,
        movement.actor,
        movement.user,
    ) == (
        shelf.sku,
        store,
        MovementReason.RECEIPT,
        3,
        13,
        "DN-42",
        "morning truck",
        "lyon.staff",
        store_staff,
    )
    assert on_hand(shelf) == 13
    html = response.content.decode()
    assert "<html" not in html
    assert '<strong data-testid="on-hand">13</strong>' in html
    assert "Received 3 × Linen shirt blue." in html


def test_receive_by_ean_full_page(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/receive/", {"sku": "3760000000017", "quantity": 5, "store": store.code}
    )
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert StockMovement.objects.get().quantity == 5
    assert on_hand(shelf) == 15


def test_receive_creates_the_stock_level_if_missing(staff_client, shirt, store):
    response = staff_client.post("/stock/receive/", {"sku": "SHIRT-1", "quantity": 2})
    assert response.status_code == 200
    assert StockLevel.objects.get(sku=shirt, stock_point=store).on_hand == 2


def test_receive_of_an_unknown_sku_is_refused(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/receive/", {"sku": "0000000000000", "quantity": 3, "store": store.code}, **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html
    assert "No SKU has the code or EAN 0000000000000." in html
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


@pytest.mark.parametrize("quantity", [0, -3, "three", 100_001])
def test_receive_of_a_wrong_quantity_is_refused(staff_client, shelf, store, quantity):
    response = staff_client.post(
        "/stock/receive/", {"sku": "SHIRT-1", "quantity": quantity, "store": store.code}, **HTMX
    )
    assert response.status_code == 422
    assert "Not recorded: check the fields." in response.content.decode()
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


# --- Adjustment ---------------------------------------------------------------------


def test_adjust_removes_units_with_a_reason(staff_client, shelf, store, store_staff):
    response = staff_client.post(
        "/stock/adjust/",
        {
            "sku": "SHIRT-1",
            "direction": "remove",
            "quantity": 2,
            "code": "damaged",
            "note": "torn",
            "store": store.code,
        },
        **HTMX,
    )
    assert response.status_code == 200
    movement = StockMovement.objects.get()
    assert (
        movement.reason,
        movement.code,
        movement.quantity,
        movement.on_hand_after,
        movement.note,
        movement.actor,
        movement.user,
    ) == (MovementReason.ADJUSTMENT, AdjustmentCode.DAMAGED, -2, 8, "torn", "lyon.staff", store_staff)
    assert on_hand(shelf) == 8
    html = response.content.decode()
    assert '<strong data-testid="on-hand">8</strong>' in html
    assert "Damaged" in html


def test_adjust_adds_found_units(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/adjust/",
        {"sku": "SHIRT-1", "direction": "add", "quantity": 1, "code": "found", "store": store.code},
    )
    assert response.status_code == 200
    movement = StockMovement.objects.get()
    assert (movement.code, movement.quantity, movement.on_hand_after) == ("found", 1, 11)


def test_adjust_below_zero_is_refused_with_its_reason(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/adjust/",
        {"sku": "SHIRT-1", "direction": "remove", "quantity": 11, "code": "theft", "store": store.code},
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html
    assert "On hand of SHIRT-1 at ST-LYON-01 is 10: it cannot change by -11." in html
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


def test_adjust_needs_a_known_reason(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/adjust/",
        {"sku": "SHIRT-1", "direction": "remove", "quantity": 1, "code": "bored", "store": store.code},
        **HTMX,
    )
    assert response.status_code == 422
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


# --- Count --------------------------------------------------------------------------


def test_count_records_the_difference(staff_client, shelf, store, store_staff):
    response = staff_client.post(
        "/stock/count/", {"sku": "3760000000017", "counted": 7, "store": store.code}, **HTMX
    )
    assert response.status_code == 200
    movement = StockMovement.objects.get()
    assert (movement.reason, movement.quantity, movement.on_hand_after, movement.actor, movement.user) == (
        MovementReason.COUNT,
        -3,
        7,
        "lyon.staff",
        store_staff,
    )
    assert on_hand(shelf) == 7
    assert '<strong data-testid="on-hand">7</strong>' in response.content.decode()


def test_count_that_matches_records_nothing(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/count/", {"sku": "SHIRT-1", "counted": 10, "store": store.code}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "matches the stock: nothing to record." in html
    assert '<strong data-testid="on-hand">10</strong>' in html
    assert StockMovement.objects.count() == 0


def test_count_cannot_be_negative(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/count/", {"sku": "SHIRT-1", "counted": -1, "store": store.code}, **HTMX
    )
    assert response.status_code == 422
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


# --- Lookup: the real count, page by page ------------------------------------------


def test_lookup_says_the_real_count_and_pages_through_the_matches(staff_client):
    # given: 42 chinos, more than one page
    for number in range(42):
        SkuFactory(code=f"CHINO-{number:02d}", name=f"Chino stretch {number:02d}")
    # when
    first = staff_client.get("/stock/lookup/", {"q": "chino"}, **HTMX)
    last = staff_client.get("/stock/lookup/", {"q": "chino", "page": 3}, **HTMX)
    # then
    html = first.content.decode()
    assert "42 SKUs match “chino”: tap one." in html
    assert "Showing 1–20." in html
    assert "Page 1 of 3" in html
    assert html.count('hx-get="/stock/sku/') == 20
    assert 'hx-get="/stock/lookup/?q=chino&amp;page=2"' in html
    assert 'rel="prev"' not in html
    assert [sku.code for sku in first.context["skus"]][:2] == ["CHINO-00", "CHINO-01"]
    last_html = last.content.decode()
    assert "42 SKUs match “chino”: tap one." in last_html
    assert "Showing 41–42." in last_html
    assert [sku.code for sku in last.context["skus"]] == ["CHINO-40", "CHINO-41"]
    assert 'href="/stock/lookup/?q=chino&amp;page=2"' in last_html
    assert 'rel="next"' not in last_html


def test_a_page_of_matches_costs_the_same_queries_for_25_as_for_45(staff_client):
    for number in range(25):
        SkuFactory(code=f"FEW-{number:02d}", name="Few")
    for number in range(45):
        SkuFactory(code=f"MANY-{number:02d}", name="Many")
    staff_client.get("/stock/lookup/", {"q": "few"})  # session warmed up
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/stock/lookup/", {"q": "few", "page": 2})
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/stock/lookup/", {"q": "many", "page": 2})
    assert len(many) == len(few)


def test_a_scanned_ean_opens_its_sku_even_beyond_the_first_page(staff_client):
    for number in range(30):
        SkuFactory(code=f"A-{number:02d}", name="Polo 3760000000994 edition")
    SkuFactory(code="Z-POLO", ean="3760000000994", name="Polo")
    response = staff_client.get("/stock/lookup/", {"q": "3760000000994"})
    assert response.status_code == 302
    assert response["Location"] == "/stock/sku/Z-POLO/"


# --- SKU detail: the whole network, and why available is below on hand -----------


def test_sku_detail_lists_warehouses_suppliers_and_incoming_stock_with_dates(staff_client, shelf):
    # given
    warehouse = StockPointFactory(code="WH-ORLEANS", name="Orléans warehouse", kind="warehouse")
    supplier = StockPointFactory(code="SUP-1", name="Atelier Dupont", kind="supplier")
    StockLevelFactory(sku=shelf.sku, stock_point=warehouse, on_hand=100, reserved=7)
    StockLevelFactory(sku=shelf.sku, stock_point=supplier, on_hand=30)
    FutureStockFactory(
        sku=shelf.sku,
        stock_point=warehouse,
        quantity=50,
        reserved=5,
        expected_date=date(2027, 1, 15),
        reference="PO-88",
    )
    FutureStockFactory(
        sku=shelf.sku, stock_point=warehouse, quantity=9, expected_date=date(2027, 1, 2), is_received=True
    )
    # when
    response = staff_client.get("/stock/sku/SHIRT-1/")
    # then
    stock = response.context["stock"]
    assert [(e.stock_point.code, e.atp, e.on_hand, e.reserved) for e in stock.other_points] == [
        ("WH-ORLEANS", 93, 100, 7),
        ("SUP-1", 30, 30, 0),
    ]
    assert [(i.stock_point.code, i.expected_date, i.quantity, i.free) for i in stock.incoming] == [
        ("WH-ORLEANS", date(2027, 1, 15), 50, 45)
    ]
    html = response.content.decode()
    assert "Orléans warehouse" in html
    assert "Atelier Dupont" in html
    assert "Drop-ship supplier" in html
    assert '<time datetime="2027-01-15">15 Jan 2027</time>' in html
    assert "PO-88 · 5 pre-ordered" in html
    assert "100 on hand · 7 reserved · 0 protected" in html


def test_sku_detail_explains_why_available_is_below_on_hand(staff_client, shelf):
    # given: 10 on hand, 2 protected, 3 held for an order
    StockLevel.objects.filter(pk=shelf.pk).update(reserved=3)
    # when
    response = staff_client.get("/stock/sku/SHIRT-1/")
    # then
    html = response.content.decode()
    assert '<span class="figure-value" data-testid="here-atp">5</span>' in html
    assert '<span class="figure-value" data-testid="here-reserved">3</span>' in html
    assert '<span class="figure-value" data-testid="here-protection">2</span>' in html
    assert (
        "Available is below on hand: of 10 on hand, 3 are reserved for orders and 2 protected "
        "for this store, so 5 can be promised."
    ) in html
    assert "3 reserved · 2 protected" in html


def test_sku_detail_in_french_dates_and_words(staff_client, shelf):
    warehouse = StockPointFactory(code="WH-ORLEANS", name="Entrepôt d'Orléans", kind="warehouse")
    FutureStockFactory(sku=shelf.sku, stock_point=warehouse, quantity=50, expected_date=date(2027, 1, 15))
    response = staff_client.get("/stock/sku/SHIRT-1/", HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert "Entrepôts et fournisseurs" in html
    assert "Stock à venir" in html
    assert '<time datetime="2027-01-15">15 jan. 2027</time>' in html
    assert (
        "sur 10 unités en stock, 0 sont réservées pour des commandes et 2 protégées pour ce magasin" in html
    )


# --- Adjust: reasons fit the direction ------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "code", "message"),
    [
        (
            "remove",
            "found",
            "“Found” is a reason for adding units, not for removing them: choose Damaged, "
            "Theft or loss, Used for display, Expired, Supplier error, Other.",
        ),
        (
            "add",
            "damaged",
            "“Damaged” is a reason for removing units, not for adding them: choose Found, "
            "Supplier error, Other.",
        ),
        (
            "add",
            "theft",
            "“Theft or loss” is a reason for removing units, not for adding them: choose Found, "
            "Supplier error, Other.",
        ),
    ],
)
def test_adjust_refuses_a_reason_of_the_other_direction(staff_client, shelf, store, direction, code, message):
    response = staff_client.post(
        "/stock/adjust/",
        {"sku": "SHIRT-1", "direction": direction, "quantity": 1, "code": code, "store": store.code},
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html
    assert f'<p class="field-error">{message}</p>' in html.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert StockMovement.objects.count() == 0
    assert on_hand(shelf) == 10


def test_adjust_refusal_is_translated(staff_client, shelf, store):
    response = staff_client.post(
        "/stock/adjust/",
        {"sku": "SHIRT-1", "direction": "remove", "quantity": 1, "code": "found", "store": store.code},
        HTTP_ACCEPT_LANGUAGE="fr",
        **HTMX,
    )
    assert response.status_code == 422
    assert "est un motif d’ajout" in response.content.decode()
    assert on_hand(shelf) == 10


@pytest.mark.parametrize(
    ("direction", "code"), [("add", "supplier_error"), ("remove", "supplier_error"), ("remove", "expired")]
)
def test_adjust_accepts_a_reason_that_fits(staff_client, shelf, store, direction, code):
    response = staff_client.post(
        "/stock/adjust/",
        {"sku": "SHIRT-1", "direction": direction, "quantity": 1, "code": code, "store": store.code},
        **HTMX,
    )
    assert response.status_code == 200
    assert StockMovement.objects.get().code == code
