import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.models import ProtectionRule, StockLevel
from inventory.services.catalogue import update_sku, update_stock_point
from inventory.services.protection import delete_protection_rule, save_protection_rule
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory

# Rule changes re-resolve levels in a task started on commit: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def levels(transactional_db):
    store = StockPointFactory(kind="store")
    warehouse = StockPointFactory(kind="warehouse")
    lamp = SkuFactory(category="lamps")
    shirt = SkuFactory(category="shirts")
    return {
        "store_lamp": StockLevelFactory(stock_point=store, sku=lamp, on_hand=10),
        "store_shirt": StockLevelFactory(stock_point=store, sku=shirt, on_hand=10),
        "warehouse_lamp": StockLevelFactory(stock_point=warehouse, sku=lamp, on_hand=10),
    }


def protections(levels) -> dict[str, tuple[int, int]]:
    result = {}
    for name, level in levels.items():
        level.refresh_from_db()
        result[name] = (level.protection, level.atp)
    return result


def test_most_specific_rule_wins(levels):
    # given: stores keep 2, lamps keep 30%, and one override for the store's lamps
    save_protection_rule(ProtectionRule(stock_point_kind="store", units=2))
    assert protections(levels) == {"store_lamp": (2, 8), "store_shirt": (2, 8), "warehouse_lamp": (0, 10)}
    save_protection_rule(ProtectionRule(category="lamps", percent=30))
    assert protections(levels) == {"store_lamp": (3, 7), "store_shirt": (2, 8), "warehouse_lamp": (3, 7)}
    store_lamp = levels["store_lamp"]
    override = save_protection_rule(
        ProtectionRule(stock_point=store_lamp.stock_point, sku=store_lamp.sku, units=0)
    )
    assert protections(levels)["store_lamp"] == (0, 10)
    # when the override goes, the category rule applies again
    delete_protection_rule(override)
    assert protections(levels)["store_lamp"] == (3, 7)


def test_changing_a_rule_re_resolves_its_old_and_new_scope(levels):
    rule = save_protection_rule(ProtectionRule(stock_point_kind="store", units=4))
    rule.stock_point_kind = "warehouse"
    save_protection_rule(rule)
    assert protections(levels) == {"store_lamp": (0, 10), "store_shirt": (0, 10), "warehouse_lamp": (4, 6)}


def test_percent_is_rounded_up_and_follows_on_hand(levels):
    save_protection_rule(ProtectionRule(category="shirts", percent=25))
    level = levels["store_shirt"]
    StockLevel.objects.filter(pk=level.pk).update(on_hand=9)
    level.refresh_from_db()
    assert (level.protection, level.atp) == (3, 6)


def test_atp_never_goes_below_zero(levels):
    save_protection_rule(ProtectionRule(stock_point_kind="store", units=50))
    assert protections(levels)["store_shirt"] == (50, 0)


def test_moving_a_sku_to_another_category_or_a_store_to_another_kind_re_resolves(levels):
    save_protection_rule(ProtectionRule(category="lamps", units=5))
    update_sku(levels["store_shirt"].sku, category="lamps")
    assert protections(levels)["store_shirt"] == (5, 5)
    save_protection_rule(ProtectionRule(stock_point_kind="warehouse", percent=100))
    update_stock_point(levels["store_shirt"].stock_point, kind="warehouse")
    assert protections(levels)["store_shirt"] == (5, 5)  # the category rule is more specific


def test_a_rule_with_both_sku_and_category_is_invalid(levels):
    with pytest.raises(ValidationError):
        save_protection_rule(ProtectionRule(category="lamps", sku=levels["store_lamp"].sku, units=1))
    assert ProtectionRule.objects.count() == 0


def test_database_refuses_a_percent_over_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtectionRule.objects.create(percent=150)


def test_rule_changes_keep_their_history(levels):
    rule = save_protection_rule(ProtectionRule(stock_point_kind="store", units=2))
    rule.units = 3
    save_protection_rule(rule)
    assert list(rule.history.order_by("history_id").values_list("history_type", "units")) == [
        ("+", 2),
        ("~", 3),
    ]
