"""The stock point's admin form: services as checkboxes, opening hours per weekday,
closures as date ranges, saved through the catalogue service."""

import pytest
from django.urls import reverse

from inventory.models import StockPoint
from oms.models import Role
from oms.services.people import upsert_staff_user
from tests.inventory.factories import StockPointFactory
from tests.oms.factories import PASSWORD

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def head_office_client(client, db):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    client.login(username="ho", password=PASSWORD)
    return client


def change_form_data(point: StockPoint, **overrides) -> dict[str, str]:
    """What the change form posts for `point` with every day closed, no service
    and no closure, before `overrides`."""
    data = {
        "name": point.name,
        "kind": point.kind,
        "region": point.region,
        "is_active": "on",
        "address_line1": "",
        "address_line2": "",
        "postal_code": "",
        "city": point.city,
        "country": point.country,
        "latitude": str(point.latitude),
        "longitude": str(point.longitude),
        "daily_capacity": str(point.daily_capacity),
        "processing_time_hours": str(point.processing_time_hours),
        "priority": str(point.priority),
        **{f"opening_hours_{day}_closed": "on" for day in DAYS},
        "closures_0_start": "",
        "closures_0_end": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_change_form_shows_services_as_checkboxes_and_hours_per_weekday(head_office_client):
    # given
    point = StockPointFactory(
        services=["click_and_collect", "returns"],
        opening_hours={"mon": [["14:00", "19:00"]], "tue": [["10:00", "12:30"], ["14:00", "19:00"]]},
        closures=[["2026-12-25", "2026-12-26"]],
    )
    # when
    response = head_office_client.get(reverse("admin:inventory_stockpoint_change", args=[point.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('type="checkbox" name="services"') == 6
    assert 'name="services" value="click_and_collect" id="id_services_1" checked' in html
    assert 'name="services" value="ship_from_store" id="id_services_0">' in html
    assert '<input type="time" name="opening_hours_tue_open2" value="14:00"' in html
    assert '<input type="time" name="opening_hours_mon_open" value="14:00"' in html
    assert (
        'name="opening_hours_sun_closed" id="id_opening_hours_sun_closed" aria-label="Sunday closed" checked'
        in html
    )
    assert '<input type="date" name="closures_0_start" value="2026-12-25"' in html
    assert '<input type="date" name="closures_0_end" value="2026-12-26"' in html
    assert "Monday" in html and "Sunday" in html


def test_the_form_speaks_french(head_office_client):
    point = StockPointFactory()
    response = head_office_client.get(
        reverse("admin:inventory_stockpoint_change", args=[point.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = response.content.decode()
    assert '<th scope="row">Lundi</th>' in html
    assert '<th scope="col">Fermé</th>' in html
    assert "Click &amp; Collect (retrait en magasin)</label>" in html


def test_saving_the_form_stores_services_hours_and_closures_in_the_sourcing_format(head_office_client):
    # given
    point = StockPointFactory(services=[], opening_hours={})
    data = change_form_data(
        point,
        services=["returns", "click_and_collect"],
        opening_hours_mon_closed=None,
        opening_hours_mon_open="10:00",
        opening_hours_mon_close="12:30",
        opening_hours_mon_open2="14:00",
        opening_hours_mon_close2="19:00",
        opening_hours_sat_closed=None,
        opening_hours_sat_open="09:30",
        opening_hours_sat_close="20:00",
        closures_0_start="2026-12-25",
        closures_0_end="2026-12-26",
        closures_1_start="2026-08-15",
        closures_1_end="",
    )
    # when
    response = head_office_client.post(reverse("admin:inventory_stockpoint_change", args=[point.pk]), data)
    # then
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.services == ["click_and_collect", "returns"]
    assert point.opening_hours == {
        "mon": [["10:00", "12:30"], ["14:00", "19:00"]],
        "sat": [["09:30", "20:00"]],
    }
    assert point.closures == [["2026-08-15", "2026-08-15"], ["2026-12-25", "2026-12-26"]]
    [latest, *_older] = point.history.all()
    assert (latest.history_type, latest.history_user.username) == ("~", "ho")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "opening_hours_mon_closed": None,
                "opening_hours_mon_open": "19:00",
                "opening_hours_mon_close": "09:00",
            },
            "Monday: the closing time must be after the opening time.",
        ),
        (
            {"opening_hours_tue_open": "09:00", "opening_hours_tue_close": "18:00"},
            "Tuesday is marked closed: leave its hours empty.",
        ),
        (
            {"opening_hours_wed_closed": None},
            "Wednesday: give its opening and closing times, or tick Closed.",
        ),
        (
            {
                "opening_hours_thu_closed": None,
                "opening_hours_thu_open": "09:00",
                "opening_hours_thu_close": "13:00",
                "opening_hours_thu_open2": "12:00",
                "opening_hours_thu_close2": "18:00",
            },
            "Thursday: the afternoon must start after the morning closes.",
        ),
        (
            {
                "opening_hours_fri_closed": None,
                "opening_hours_fri_open": "9h",
                "opening_hours_fri_close": "18:00",
            },
            "Friday: 9h is not a time (HH:MM).",
        ),
        ({"closures_0_start": "2026-02-30"}, "Closure 1: 2026-02-30 is not a date (YYYY-MM-DD)."),
        (
            {"closures_0_start": "2026-12-26", "closures_0_end": "2026-12-25"},
            "Closure 1: the last day is before the first day.",
        ),
        ({"closures_0_end": "2026-12-25"}, "Closure 1: give its first day."),
    ],
)
def test_bad_hours_or_closures_are_refused_with_a_clear_message(head_office_client, overrides, message):
    # given
    point = StockPointFactory(opening_hours={"sat": [["10:00", "19:00"]]}, closures=[])
    # when
    response = head_office_client.post(
        reverse("admin:inventory_stockpoint_change", args=[point.pk]), change_form_data(point, **overrides)
    )
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    point.refresh_from_db()
    assert (point.opening_hours, point.closures) == ({"sat": [["10:00", "19:00"]]}, [])


def test_a_refusal_is_explained_in_french(head_office_client):
    point = StockPointFactory(opening_hours={})
    data = change_form_data(
        point, opening_hours_mon_closed=None, opening_hours_mon_open="19:00", opening_hours_mon_close="09:00"
    )
    response = head_office_client.post(
        reverse("admin:inventory_stockpoint_change", args=[point.pk]), data, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Lundi : l’heure de fermeture doit suivre l’heure d’ouverture." in response.content.decode()


def test_a_stock_point_added_in_the_admin_goes_through_the_catalogue(head_office_client):
    point = StockPoint(name="Nantes", kind="store", city="Nantes", latitude=47.2, longitude=-1.55)
    data = change_form_data(point, code="ST-NANTES-01", services=["returns"])
    data.update(country="FR", processing_time_hours="24", daily_capacity="100", priority="100")
    response = head_office_client.post(reverse("admin:inventory_stockpoint_add"), data)
    assert response.status_code == 302
    created = StockPoint.objects.get(code="ST-NANTES-01")
    assert (created.services, created.opening_hours, created.closures) == (["returns"], {}, [])


def test_is_closed_on_reads_closures_and_weekly_hours(db):
    import datetime as dt

    point = StockPointFactory(
        opening_hours={"fri": [["09:00", "18:00"]]}, closures=[["2026-12-25", "2026-12-26"]]
    )
    assert point.is_closed_on(dt.date(2026, 12, 25)) is True  # a Friday, but shut
    assert point.is_closed_on(dt.date(2026, 12, 18)) is False  # a Friday
    assert point.is_closed_on(dt.date(2026, 12, 19)) is True  # a Saturday: no hours
