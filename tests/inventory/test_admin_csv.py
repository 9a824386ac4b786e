"""CSV import and export in the admin (django-import-export): rows written by our
services, all or nothing; stock through the feed, into the ledger."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Sku, StockLevel, StockMovement, StockPoint
from oms.models import Role
from oms.services.people import upsert_staff_user
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import PASSWORD, UserFactory

CSV_FORMAT = "0"  # the only format offered


@pytest.fixture
def head_office_client(client, db):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    return client


def upload(client, model: str, text: str, **extra):
    return client.post(
        reverse(f"admin:inventory_{model}_import"),
        {"format": CSV_FORMAT, "import_file": SimpleUploadedFile("file.csv", text.encode()), **extra},
    )


def test_a_product_file_creates_and_updates_skus_through_the_import_service(head_office_client):
    # given
    SkuFactory(code="CHINO-BEI-40", name="Chino", price="49.00", ean=None)
    text = (
        "code,ean,name,category,price\n"
        "CHINO-BEI-40,,Chino beige 40,trousers,59.00\n"
        "SHIRT-BLC-M,3760000000017,Linen shirt white M,shirts,39.90\n"
    )
    # when
    response = upload(head_office_client, "sku", text)
    # then
    assert response.status_code == 302
    assert list(Sku.objects.order_by("code").values_list("code", "ean", "name", "category", "price")) == [
        ("CHINO-BEI-40", None, "Chino beige 40", "trousers", Decimal("59.00")),
        ("SHIRT-BLC-M", "3760000000017", "Linen shirt white M", "shirts", Decimal("39.90")),
    ]


def test_a_bad_product_row_refuses_the_whole_file_and_is_named(head_office_client):
    text = "code,name,price\nGOOD-1,Good,10.00\nBAD 2,Bad,-3\n"
    response = upload(head_office_client, "sku", text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Use letters, digits" in html
    assert Sku.objects.count() == 0


def test_a_stock_point_file_goes_through_the_catalogue(head_office_client):
    text = (
        "code,name,kind,city,latitude,longitude,services,opening_hours\n"
        'ST-NANTES-01,Nantes,store,Nantes,47.21,-1.55,click_and_collect;returns,"{""mon"": [[""10:00"", ""19:00""]]}"\n'
    )
    response = upload(head_office_client, "stockpoint", text)
    assert response.status_code == 302
    point = StockPoint.objects.get(code="ST-NANTES-01")
    assert (point.services, point.opening_hours) == (
        ["click_and_collect", "returns"],
        {"mon": [["10:00", "19:00"]]},
    )
    [entry] = point.history.all()
    assert entry.history_type == "+"


def test_a_stock_file_is_applied_as_a_feed_and_written_to_the_ledger(head_office_client):
    # given
    point = StockPointFactory(code="ST-LYON-01")
    level = StockLevelFactory(sku=SkuFactory(code="LAMP"), stock_point=point, on_hand=4)
    SkuFactory(code="SHIRT")
    text = "stock_point,sku,quantity\nST-LYON-01,LAMP,10\nST-LYON-01,SHIRT,3\n"
    # when
    response = upload(head_office_client, "stocklevel", text, mode="absolute")
    # then
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.on_hand == 10
    assert StockLevel.objects.get(sku__code="SHIRT").on_hand == 3
    assert sorted(
        StockMovement.objects.values_list("sku__code", "reason", "quantity", "on_hand_after", "actor")
    ) == [("LAMP", "feed", 6, 10, "ho"), ("SHIRT", "feed", 3, 3, "ho")]


def test_a_delta_stock_file_that_would_go_negative_changes_nothing(head_office_client):
    level = StockLevelFactory(
        sku=SkuFactory(code="LAMP"), stock_point=StockPointFactory(code="ST-1"), on_hand=2
    )
    response = upload(
        head_office_client, "stocklevel", "stock_point,sku,quantity\nST-1,LAMP,-5\n", mode="delta"
    )
    assert response.status_code == 200
    assert "Would take on hand below zero (on hand is 2)." in response.content.decode()
    level.refresh_from_db()
    assert level.on_hand == 2
    assert StockMovement.objects.count() == 0


def test_an_unknown_sku_in_a_stock_file_is_named(head_office_client):
    StockPointFactory(code="ST-1")
    response = upload(
        head_office_client, "stocklevel", "stock_point,sku,quantity\nST-1,NOPE,5\n", mode="absolute"
    )
    assert "Unknown SKU NOPE." in response.content.decode()
    assert StockMovement.objects.count() == 0


def test_stock_levels_export_as_csv_rows(head_office_client):
    StockLevelFactory(
        sku=SkuFactory(code="LAMP"), stock_point=StockPointFactory(code="ST-1"), on_hand=7, reserved=2
    )
    response = head_office_client.post(
        reverse("admin:inventory_stocklevel_export"),
        {
            "format": CSV_FORMAT,
            **{
                f"stocklevelexportresource_{name}": "on"
                for name in ("stock_point", "sku", "on_hand", "reserved", "protection", "atp", "counted_at")
            },
        },
    )
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "stock_point,sku,on_hand,reserved,protection,atp,counted_at",
        "ST-1,LAMP,7,2,0,5,",
    ]


def test_products_export_as_csv_rows(head_office_client):
    SkuFactory(code="LAMP", ean="3760000000017", name="Brass lamp", category="lighting", price="19.90")
    response = head_office_client.post(
        reverse("admin:inventory_sku_export"),
        {
            "format": CSV_FORMAT,
            **{
                f"skuresource_{name}": "on"
                for name in ("code", "ean", "name", "category", "weight_grams", "price", "is_active")
            },
        },
    )
    assert response.content.decode().splitlines() == [
        "code,ean,name,category,weight_grams,price,is_active",
        "LAMP,3760000000017,Brass lamp,lighting,300,19.90,1",
    ]


def test_staff_without_write_permissions_cannot_import(client, db):
    UserFactory(username="viewer", role=Role.HEAD_OFFICE, is_staff=True)
    client.login(username="viewer", password=PASSWORD)
    response = upload(client, "sku", "code,name\nX,Y\n")
    assert response.status_code == 403
    assert Sku.objects.count() == 0
