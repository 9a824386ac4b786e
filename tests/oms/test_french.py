"""French across the admin: our catalogue's own words do not replace Django's."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.inventory.factories import SkuFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, UserFactory


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_admin_in_french_keeps_djangos_word_for_change(client, db):
    # given: a superuser reading in French, and a stock point
    point = StockPointFactory(code="WH-ORLEANS", name="Orléans")
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    # when
    index = client.get(reverse("admin:index")).content.decode()
    change = client.get(reverse("admin:inventory_stockpoint_change", args=[point.pk])).content.decode()
    # then
    assert "Variation" not in index and "Variation" not in change
    assert index.count(">Modification</a>") >= 10  # Django's own word for "Change"
    assert "<h1>Modification de point de stock</h1>" in change


def test_known_channels_and_categories_have_a_french_name(db):
    # given
    web = ChannelFactory(code="web", name="Web shop")
    zalando = ChannelFactory(code="marketplace:zalando", name="Zalando")
    chino = SkuFactory(code="PACHI-BEI-40", category="trousers")
    # when
    with translation.override("fr"):
        said = (web.label, zalando.label, chino.category_label)
    # then
    assert said == ("Boutique en ligne", "Zalando", "pantalons")
