"""Shapes of the unified-stock API: validation of input, rendering of output.

No business rule lives here: the views hand validated data to
`inventory.services` and render what they return. The stock feed and
availability, which carry thousands of rows, are checked and rendered by plain
loops instead of one nested serializer per row.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from inventory.models import (
    CHANNEL_RE,
    CODE_VALIDATOR,
    HOURS_RE,
    Service,
    Sku,
    StockPoint,
    validate_opening_hours,
)
from inventory.selectors import SkuAvailability
from inventory.services.feeds import ABSOLUTE, DELTA, FeedItem
from oms.core.api.input import MoneyField, StrictModelSerializer, StrictSerializer, text_problem
from oms.core.countries import CountryCodeField
from oms.core.errors import item_errors

MAX_FEED_ITEMS = 50_000
MAX_FEED_QUANTITY = 100_000_000
MAX_AVAILABILITY_SKUS = 500

# --- Stock points ---------------------------------------------------------------


class AddressSerializer(StrictSerializer):
    """The `address_*`, `postal_code`, `city` and `country` columns as one object."""

    line1 = serializers.CharField(source="address_line1", max_length=200, required=False, allow_blank=True)
    line2 = serializers.CharField(source="address_line2", max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = CountryCodeField(required=False)


@extend_schema_field(
    {
        "type": "object",
        "description": "Opening ranges per day (mon…sun); a day absent or empty is closed.",
        "additionalProperties": {
            "type": "array",
            "items": {
                "type": "array",
                "items": {"type": "string", "pattern": HOURS_RE.pattern},
                "minItems": 2,
                "maxItems": 2,
            },
        },
        "example": {"mon": [["09:00", "12:30"], ["14:00", "19:00"]], "sat": [["10:00", "18:00"]]},
    }
)
class OpeningHoursField(serializers.JSONField):
    pass


class StockPointSerializer(StrictModelSerializer):
    address = AddressSerializer(source="*", required=False)
    services = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices), required=False)
    opening_hours = OpeningHoursField(required=False, validators=[validate_opening_hours])

    class Meta:
        model = StockPoint
        fields = [
            "code",
            "name",
            "kind",
            "address",
            "latitude",
            "longitude",
            "services",
            "opening_hours",
            "daily_capacity",
            "processing_time_hours",
            "priority",
            "region",
            "is_active",
        ]
        # The same bounds on every database (PostgreSQL's integer and smallint).
        extra_kwargs = {"priority": {"max_value": 32_767}}

    def validate_code(self, value: str) -> str:
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(_("The code of a stock point cannot change."))
        return value

    def validate_services(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


# Model field → API path, to report the model's own validation like the input.
STOCK_POINT_ERROR_PATHS = {
    "address_line1": ("address", "line1"),
    "address_line2": ("address", "line2"),
    "postal_code": ("address", "postal_code"),
    "city": ("address", "city"),
    "country": ("address", "country"),
}


# --- Products (SKUs) --------------------------------------------------------------


class ProductSerializer(StrictModelSerializer):
    sku = serializers.CharField(
        source="code",
        max_length=64,
        validators=[
            CODE_VALIDATOR,
            UniqueValidator(
                Sku.objects.all(), message=gettext_lazy("A product with this SKU already exists.")
            ),
        ],
    )
    price = MoneyField(required=False)

    class Meta:
        model = Sku
        fields = ["sku", "ean", "name", "category", "weight_grams", "price", "is_active"]
        # The same bound on every database (PostgreSQL's integer).
        extra_kwargs = {"weight_grams": {"max_value": 2_147_483_647}}

    def validate_sku(self, value: str) -> str:
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(_("The SKU of a product cannot change."))
        return value


PRODUCT_ERROR_PATHS = {"code": ("sku",)}


# --- Stock feed -------------------------------------------------------------------


class FeedItemSerializer(serializers.Serializer):
    """One row of a feed (documentation: rows are checked by `feed_items`)."""

    stock_point = serializers.CharField(help_text=gettext_lazy("Code of the stock point."))
    sku = serializers.CharField(help_text=gettext_lazy("SKU code."))
    quantity = serializers.IntegerField(
        min_value=-MAX_FEED_QUANTITY,
        max_value=MAX_FEED_QUANTITY,
        help_text=gettext_lazy("On hand (absolute, ≥ 0) or change of on hand (delta)."),
    )


@extend_schema_field(FeedItemSerializer(many=True, allow_empty=False, max_length=MAX_FEED_ITEMS))
class FeedItemsField(serializers.ListField):
    """A list of 1 to 50,000 rows, kept as parsed JSON: `feed_items` checks the rows."""

    child = serializers.JSONField()
    checks_own_text = True  # `feed_items` does, row by row, without a second walk

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_empty=False, max_length=MAX_FEED_ITEMS, **kwargs)

    def run_child_validation(self, data: list) -> list:
        return data


def feed_items(rows: list) -> tuple[list[FeedItem], list[dict[str, object]]]:
    """The well-formed rows as FeedItems (each with its index), and the errors of the
    malformed ones by index, which `apply_feed` refuses together with the rows it
    finds bad itself (unknown codes, impossible quantities): one answer lists every
    bad row. Known codes and quantities that make sense for the mode are the
    service's to check.

    A plain loop with a fast path for well-formed rows: 50,000 rows take tens of
    milliseconds, where one nested serializer per row takes seconds."""
    items: list[FeedItem] = []
    errors: list[dict[str, object]] = []
    for index, row in enumerate(rows):
        try:
            point, sku, quantity = row["stock_point"], row["sku"], row["quantity"]
        except (KeyError, TypeError):
            pass
        else:
            if (
                type(point) is str
                and type(sku) is str
                and type(quantity) is int
                and 0 < len(point) <= 64
                and 0 < len(sku) <= 64
                and -MAX_FEED_QUANTITY <= quantity <= MAX_FEED_QUANTITY
                and point.isascii()
                and sku.isascii()
                and "\x00" not in point
                and "\x00" not in sku
            ):
                items.append(FeedItem(point, sku, quantity, index))
                continue
        problems = _row_problems(row)
        if problems:
            errors += item_errors("index", index, problems)
        else:  # well-formed after all: codes beyond ASCII
            items.append(FeedItem(row["stock_point"], row["sku"], row["quantity"], index))
    return items, errors


def _row_problems(row: object) -> dict[str | None, str]:
    if not isinstance(row, dict):
        return {None: _("Each item must be an object with stock_point, sku and quantity.")}
    problems: dict[str | None, str] = {}
    for name in ("stock_point", "sku"):
        code = row.get(name)
        if code is None:
            problems[name] = _("This field is required.")
        elif not isinstance(code, str) or not 0 < len(code) <= 64:
            problems[name] = _("A code (text of 1 to 64 characters) is required.")
        elif text_problem(code):
            problems[name] = text_problem(code)
    quantity = row.get("quantity")
    if quantity is None:
        problems["quantity"] = _("This field is required.")
    elif type(quantity) is not int:
        problems["quantity"] = _("A whole number is required.")
    elif not -MAX_FEED_QUANTITY <= quantity <= MAX_FEED_QUANTITY:
        problems["quantity"] = _("The quantity must be between %(min)d and %(max)d.") % {
            "min": -MAX_FEED_QUANTITY,
            "max": MAX_FEED_QUANTITY,
        }
    return problems


class FeedSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=[(ABSOLUTE, ABSOLUTE), (DELTA, DELTA)])
    as_of = serializers.DateTimeField(
        required=False,
        help_text=gettext_lazy(
            "Absolute feeds only: when the snapshot was taken. Movements recorded since "
            "are re-applied on top; a snapshot older than the last one is skipped."
        ),
    )
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    items = FeedItemsField(
        help_text=gettext_lazy(
            "1 to 50,000 rows. Bounds: each quantity between -100,000,000 and 100,000,000; "
            "the delta rows of one stock level add up to at most 1,000,000,000 either way; "
            "no stock level goes below 0 or above 1,000,000,000 units. A feed breaking a "
            "bound is refused whole (400 invalid_feed, the rows listed by index)."
        )
    )

    def validate(self, attrs: dict) -> dict:
        # Runs once every top-level field is valid; `apply_feed` refuses malformed rows.
        attrs["items"], attrs["malformed"] = feed_items(attrs["items"])
        return attrs


class FeedResultSerializer(serializers.Serializer):
    applied = serializers.IntegerField(help_text=gettext_lazy("Rows applied."))
    changed = serializers.IntegerField(help_text=gettext_lazy("Rows that changed on hand."))
    created = serializers.IntegerField(help_text=gettext_lazy("Stock levels created."))
    skipped_stale = serializers.IntegerField(
        help_text=gettext_lazy("Rows older than the level's last snapshot, not applied.")
    )


# --- Availability -------------------------------------------------------------------


# A channel's code, as a pattern the schema documents (blank is allowed by the field).
CHANNEL_CODE = RegexValidator(
    CHANNEL_RE,
    gettext_lazy("Unknown channel %(value)s: use web, app, store, call_centre or marketplace:<name>."),
)


class QueryChoiceField(serializers.ChoiceField):
    """A choice in the query string where an empty value is an error, not "absent"
    (DRF reads an empty form value of an optional field as missing)."""

    def get_value(self, dictionary):
        if self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)


class AvailabilityQuerySerializer(StrictSerializer):
    sku = serializers.ListField(
        child=serializers.CharField(max_length=64),
        allow_empty=False,
        max_length=MAX_AVAILABILITY_SKUS,
        help_text=gettext_lazy("SKU code; repeat the parameter for more (500 at most)."),
    )
    channel = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        validators=[CHANNEL_CODE],
        help_text=gettext_lazy(
            "web, app, store, call_centre or marketplace:<name>. Omitted: every active "
            "stock point, with no channel allocation applied."
        ),
    )
    stock_points = QueryChoiceField(
        choices=["true", "false"],
        required=False,
        default="true",
        help_text=gettext_lazy(
            "false: totals and incoming stock only, without the list of stock points "
            "(much faster for many SKUs, e.g. a product listing page)."
        ),
    )


class PointAtpSerializer(serializers.Serializer):
    stock_point = serializers.CharField()
    atp = serializers.IntegerField()


class IncomingSerializer(serializers.Serializer):
    date = serializers.DateField()
    quantity = serializers.IntegerField()


class SkuAvailabilitySerializer(serializers.Serializer):
    """Documentation of `availability_data`'s output."""

    sku = serializers.CharField()
    channel = serializers.CharField()
    atp = serializers.IntegerField(help_text=gettext_lazy("Units available to promise now."))
    stock_points = PointAtpSerializer(
        many=True, help_text=gettext_lazy("Stock points with units to promise, best first.")
    )
    incoming = IncomingSerializer(
        many=True, help_text=gettext_lazy("Future stock not yet promised, by expected date.")
    )


class AvailabilitySerializer(serializers.Serializer):
    results = SkuAvailabilitySerializer(many=True)


def availability_data(result: SkuAvailability) -> dict[str, object]:
    return {
        "sku": result.sku,
        "channel": result.channel,
        "atp": result.atp,
        "stock_points": [{"stock_point": p.stock_point, "atp": p.atp} for p in result.stock_points],
        "incoming": [{"date": i.date.isoformat(), "quantity": i.quantity} for i in result.incoming],
    }
