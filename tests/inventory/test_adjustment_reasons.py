"""A stock adjustment's reason fits its direction, whoever calls the service."""

import pytest

from inventory.errors import ReasonDoesNotFit
from inventory.models import AdjustmentCode, StockMovement
from inventory.services.movements import adjust_stock
from oms.core.actors import Actor
from tests.inventory.factories import StockLevelFactory

CLERK = Actor(label="lyon.staff", user_id=None)


@pytest.mark.parametrize(
    ("change", "code"),
    [(-1, "found"), (2, "damaged"), (2, "theft"), (2, "display"), (2, "expired")],
)
def test_a_reason_of_the_other_direction_is_refused_and_changes_nothing(db, change, code):
    level = StockLevelFactory(on_hand=5)
    with pytest.raises(ReasonDoesNotFit) as refused:
        adjust_stock(level.sku.code, level.stock_point.code, change, code=code, actor=CLERK)
    assert refused.value.code == "reason_does_not_fit"
    assert [error["field"] for error in refused.value.errors] == ["code"]
    level.refresh_from_db()
    assert level.on_hand == 5
    assert StockMovement.objects.count() == 0


def test_the_reasons_of_each_direction():
    assert AdjustmentCode.fitting(+1) == ["found", "supplier_error", "other"]
    assert AdjustmentCode.fitting(-1) == ["damaged", "theft", "display", "expired", "supplier_error", "other"]
