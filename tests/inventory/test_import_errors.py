"""The bulk imports report bad rows in the one error shape: by `index`, each
problem with its `field` and `detail` (they nested `{"index", "errors": {…}}`)."""

from __future__ import annotations

import pytest

from inventory.models import Sku
from inventory.services.imports import import_skus
from oms.core.errors import InvalidInput


def test_bad_rows_of_a_sku_import_are_listed_by_index_field_by_field(db):
    rows = [
        {"code": "LAMP", "name": "Lamp", "price": "10.00"},
        {"code": "LAMP", "name": "Lamp again", "price": "10.00"},
        {"code": "SHIRT", "name": "Shirt", "colour": "blue"},
    ]
    with pytest.raises(InvalidInput) as refused:
        import_skus(rows)
    assert str(refused.value) == "2 row(s) of the SKU import are invalid; nothing was imported."
    assert refused.value.errors == [
        {"index": 1, "field": "code", "detail": "Same code as row 0."},
        {"index": 2, "field": "colour", "detail": "Unknown field."},
    ]
    assert Sku.objects.count() == 0
