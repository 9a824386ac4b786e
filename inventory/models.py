"""Unified stock: stock points, SKUs, stock levels, the movement ledger, protection
stock, channel allocation, future stock and reservations.

Only `inventory.services` writes these tables. Every stock row is addressable by
`(sku, stock_point)` so that stock can later be sharded by SKU.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from stdnum import ean as gs1_ean
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid

from oms.core.countries import validate_country_code

CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
    _("Use letters, digits, '.', '_', ':' or '-' (64 characters at most)."),
)


def validate_ean(value: str) -> None:
    """A GS1 barcode number with its check digit: EAN-8, UPC-A (12 digits), EAN-13
    or GTIN-14, checked by python-stdnum."""
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(_("An EAN has 8, 12, 13 or 14 digits."))
    try:
        gs1_ean.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("The check digit of EAN %(value)s is wrong: the last digit should be %(digit)s."),
            params={"value": value, "digit": gs1_ean.calc_check_digit(value[:-1])},
        ) from None
    except NumberInvalid:
        raise ValidationError(_("An EAN has 8, 12, 13 or 14 digits.")) from None


CHANNEL_RE = re.compile(r"^(web|app|store|call_centre|marketplace:[a-z0-9][a-z0-9_-]{0,40})$")


def validate_channel(value: str) -> None:
    if not CHANNEL_RE.match(value):
        raise ValidationError(
            _("Unknown channel %(value)s: use web, app, store, call_centre or marketplace:<name>."),
            params={"value": value},
        )


class StockPointKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    STORE = "store", _("Store")
    SUPPLIER = "supplier", _("Drop-ship supplier")
    TRANSIT = "transit", _("In transit")


class Service(models.TextChoices):
    SHIP_FROM_STORE = "ship_from_store", _("Ship from store")
    CLICK_AND_COLLECT = "click_and_collect", _("Click & collect")
    SHIP_TO_STORE = "ship_to_store", _("Ship to store")
    E_RESERVATION = "e_reservation", _("E-reservation")
    ORDER_IN_STORE = "order_in_store", _("Order in store")
    RETURNS = "returns", _("Returns")


def validate_services(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Services must be a list of service codes."))
    unknown = sorted(set(value) - set(Service.values))
    if unknown:
        raise ValidationError(_("Unknown service(s): %(codes)s."), params={"codes": ", ".join(unknown)})


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_opening_hours(value: object) -> None:
    """`{"mon": [["09:00", "19:00"]], ...}`: days absent or empty are closed."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must be an object keyed by day (mon…sun)."))
    for day, ranges in value.items():
        if day not in DAYS:
            raise ValidationError(_("Unknown day %(day)s."), params={"day": day})
        if not isinstance(ranges, list):
            raise ValidationError(_("Opening hours of %(day)s must be a list."), params={"day": day})
        for pair in ranges:
            if (
                not isinstance(pair, list | tuple)
                or len(pair) != 2
                or not all(isinstance(t, str) and HOURS_RE.match(t) for t in pair)
                or pair[0] >= pair[1]
            ):
                raise ValidationError(
                    _('Opening hours of %(day)s must be pairs like ["09:00", "19:00"].'),
                    params={"day": day},
                )


def validate_closures(value: object) -> None:
    """`[["2026-12-25", "2026-12-26"], ...]`: date ranges, both days included."""
    if not isinstance(value, list):
        raise ValidationError(_("Closures must be a list of date ranges."))
    for pair in value:
        try:
            start, end = (dt.date.fromisoformat(day) for day in pair)
        except (TypeError, ValueError):
            raise ValidationError(
                _('Closures must be pairs of dates like ["2026-12-25", "2026-12-26"].')
            ) from None
        if end < start:
            raise ValidationError(
                _("The closure %(start)s – %(end)s ends before it starts."),
                params={"start": pair[0], "end": pair[1]},
            )


class StockPointQuerySet(models.QuerySet):
    def active(self) -> StockPointQuerySet:
        return self.filter(is_active=True)

    def stores(self) -> StockPointQuerySet:
        return self.filter(kind=StockPointKind.STORE)

    def offering(self, service: str) -> StockPointQuerySet:
        # Services are a JSON list; a case-insensitive text match on the quoted code
        # works on both PostgreSQL and SQLite.
        return self.filter(services__icontains=f'"{service}"')


class StockPoint(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=StockPointKind.choices)
    region = models.CharField(
        _("region"), max_length=64, blank=True, help_text=_("Group used for bulk rules.")
    )
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (cont.)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR", validators=[validate_country_code])
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    services = models.JSONField(_("services"), default=list, blank=True, validators=[validate_services])
    opening_hours = models.JSONField(
        _("opening hours"), default=dict, blank=True, validators=[validate_opening_hours]
    )
    closures = models.JSONField(
        _("closures"),
        default=list,
        blank=True,
        validators=[validate_closures],
        help_text=_("Date ranges the stock point is shut, both days included."),
    )
    daily_capacity = models.PositiveIntegerField(
        _("daily order capacity"), default=100, validators=[MaxValueValidator(1_000_000)]
    )
    processing_time_hours = models.PositiveIntegerField(
        _("processing time (hours)"), default=24, validators=[MaxValueValidator(24 * 60)]
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower is preferred by sourcing.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = StockPointQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("stock point")
        verbose_name_plural = _("stock points")
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def offers(self, service: str) -> bool:
        return service in self.services

    def is_closed_on(self, day: dt.date) -> bool:
        """Shut that day: a closure covers it, or it has no opening hours."""
        iso = day.isoformat()
        if any(start <= iso <= end for start, end in self.closures):
            return True
        return not self.opening_hours.get(DAYS[day.weekday()])


class SkuQuerySet(models.QuerySet):
    def active(self) -> SkuQuerySet:
        return self.filter(is_active=True)

    def matching(self, text: str) -> SkuQuerySet:
        """SKUs whose code or EAN is exactly `text`, or whose name contains it."""
        text = text.strip()
        return self.filter(Q(code__iexact=text) | Q(ean=text) | Q(name__icontains=text))


class Sku(models.Model):
    code = models.CharField(_("SKU"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    ean = models.CharField(
        _("EAN"),
        max_length=14,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_ean],
    )
    name = models.CharField(_("name"), max_length=255)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SkuQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="sku_price_gte_0")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def category_label(self) -> str:
        """The category in the reader's language when it is a known one."""
        return str(CATEGORY_NAMES[self.category]) if self.category in CATEGORY_NAMES else self.category


# Categories are data, but the usual ones (the demo's) have a name in each language.
CATEGORY_NAMES = {
    "accessories": pgettext_lazy("product category", "accessories"),
    "dresses": pgettext_lazy("product category", "dresses"),
    "home_linen": pgettext_lazy("product category", "home linen"),
    "jackets": pgettext_lazy("product category", "jackets"),
    "kids": pgettext_lazy("product category", "kids"),
    "knitwear": pgettext_lazy("product category", "knitwear"),
    "lamps": pgettext_lazy("product category", "lamps"),
    "nightwear": pgettext_lazy("product category", "nightwear"),
    "shirts": pgettext_lazy("product category", "shirts"),
    "shoes": pgettext_lazy("product category", "shoes"),
    "swimwear": pgettext_lazy("product category", "swimwear"),
    "trousers": pgettext_lazy("product category", "trousers"),
}


# Protection in units: the resolved rule's fixed units plus its percentage of on
# hand, rounded up. ATP never goes below zero. Both are computed by the database
# (generated columns) so that the reservation gate reads one row.
PROTECTION_EXPRESSION = F("protection_units") + (F("on_hand") * F("protection_percent") + Value(99)) / Value(
    100
)
ATP_EXPRESSION = Greatest(F("on_hand") - F("reserved") - PROTECTION_EXPRESSION, Value(0))


class StockLevelQuerySet(models.QuerySet):
    def at(self, stock_point: StockPoint | int) -> StockLevelQuerySet:
        return self.filter(stock_point=stock_point)

    def of(self, sku: Sku | int) -> StockLevelQuerySet:
        return self.filter(sku=sku)

    def of_codes(self, sku_codes: list[str]) -> StockLevelQuerySet:
        return self.filter(sku__code__in=list(sku_codes))

    def in_active_points(self) -> StockLevelQuerySet:
        return self.filter(stock_point__is_active=True)

    def available(self) -> StockLevelQuerySet:
        return self.filter(atp__gt=0)


class StockLevel(models.Model):
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="levels")
    stock_point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    protection_units = models.IntegerField(_("protection (rule units)"), default=0)
    protection_percent = models.IntegerField(_("protection (rule %)"), default=0)
    protection = models.GeneratedField(
        expression=PROTECTION_EXPRESSION, output_field=models.IntegerField(), db_persist=True
    )
    atp = models.GeneratedField(
        expression=ATP_EXPRESSION, output_field=models.IntegerField(), db_persist=True
    )
    counted_at = models.DateTimeField(
        _("last snapshot"), null=True, blank=True, help_text=_("as_of of the last absolute feed.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["sku", "stock_point"], name="stock_level_sku_point"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_level_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_level_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(protection_units__gte=0)
                & Q(protection_percent__gte=0)
                & Q(protection_percent__lte=100),
                name="stock_level_protection_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["stock_point", "sku"], name="stock_level_point_sku"),
            # Availability reads only levels with units to promise: an index-only scan
            # on PostgreSQL (SQLite has no covering indexes and skips it).
            models.Index(
                fields=["sku"],
                include=["stock_point", "atp", "on_hand", "protection"],
                condition=Q(atp__gt=0),
                name="stock_level_sku_available",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.stock_point_id}: {self.on_hand}"


class MovementReason(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    SALE = "sale", _("Sale")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Count")
    FEED = "feed", _("Stock feed")


class AdjustmentCode(models.TextChoices):
    """Why store staff adjusted stock by hand (kept in the movement's `code`)."""

    DAMAGED = "damaged", _("Damaged")
    THEFT = "theft", _("Theft or loss")
    DISPLAY = "display", _("Used for display")
    FOUND = "found", _("Found")
    EXPIRED = "expired", pgettext_lazy("stock adjustment reason", "Expired")
    SUPPLIER_ERROR = "supplier_error", _("Supplier error")
    OTHER = "other", _("Other")

    @classmethod
    def fitting(cls, change: int) -> list[AdjustmentCode]:
        """The reasons that fit a change of on hand: units are found (or the
        supplier sent more) when adding; damaged, lost, shown or expired when
        removing. A supplier error and "other" go either way."""
        either = [cls.SUPPLIER_ERROR, cls.OTHER]
        if change > 0:
            return [cls.FOUND, *either]
        return [cls.DAMAGED, cls.THEFT, cls.DISPLAY, cls.EXPIRED, *either]


class MovementQuerySet(models.QuerySet):
    def recorded_by_oms(self) -> MovementQuerySet:
        """Movements that an ERP snapshot does not know about yet."""
        return self.exclude(reason=MovementReason.FEED)


class StockMovement(models.Model):
    """One change of on hand. Append-only: a correction is a new movement."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    stock_point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("change of on hand"))
    on_hand_after = models.IntegerField(_("on hand after"))
    reason = models.CharField(_("reason"), max_length=16, choices=MovementReason.choices)
    code = models.CharField(_("reason code"), max_length=32, blank=True)
    reference = models.CharField(_("reference"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.CharField(_("actor"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["sku", "stock_point", "created_at"], name="movement_key_time")]

    def __str__(self) -> str:
        return f"{self.reason} {self.quantity:+d}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("The stock ledger is append-only: record a new movement."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The stock ledger is append-only: record a new movement."))


class ProtectionRule(models.Model):
    """Units kept back from remote channels. The most specific matching rule wins:
    SKU beats category, stock point beats kind; a rule naming both a stock point and
    a SKU is a per-level override."""

    stock_point_kind = models.CharField(
        _("stock point kind"), max_length=16, choices=StockPointKind.choices, blank=True
    )
    stock_point = models.ForeignKey(
        StockPoint, null=True, blank=True, on_delete=models.CASCADE, related_name="protection_rules"
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    sku = models.ForeignKey(
        Sku, null=True, blank=True, on_delete=models.CASCADE, related_name="protection_rules"
    )
    units = models.PositiveIntegerField(_("units"), default=0)
    percent = models.PositiveSmallIntegerField(
        _("percent of on hand"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("protection rule")
        verbose_name_plural = _("protection rules")
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="protection_percent_lte_100"),
            models.UniqueConstraint(
                fields=["stock_point_kind", "stock_point", "category", "sku"],
                name="protection_rule_scope_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        amount = f"{self.units} u" if self.units else ""
        if self.percent:
            amount = f"{amount} + {self.percent}%" if amount else f"{self.percent}%"
        return f"{self.scope_label}: {amount or '0'}"

    @property
    def scope_label(self) -> str:
        parts = [
            self.stock_point.code if self.stock_point_id else (self.stock_point_kind or "*"),
            self.sku.code if self.sku_id else (self.category or "*"),
        ]
        return " / ".join(parts)

    @property
    def specificity(self) -> int:
        return (
            8 * bool(self.sku_id)
            + 4 * bool(self.category)
            + 2 * bool(self.stock_point_id)
            + 1 * bool(self.stock_point_kind)
        )

    def clean(self) -> None:
        if self.sku_id and self.category:
            raise ValidationError(_("Name a SKU or a category, not both."))
        if self.stock_point_id and self.stock_point_kind:
            raise ValidationError(_("Name a stock point or a kind, not both."))


class ChannelAllocation(models.Model):
    """Which stock points feed a channel, and with what share of their ATP.

    A channel with no rule is fed by every active stock point in full. Otherwise a
    stock point feeds the channel only if a rule matches it (a rule naming the
    stock point beats one naming its kind, which beats one naming neither)."""

    channel = models.CharField(_("channel"), max_length=64, validators=[validate_channel])
    stock_point_kind = models.CharField(
        _("stock point kind"), max_length=16, choices=StockPointKind.choices, blank=True
    )
    stock_point = models.ForeignKey(
        StockPoint, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    is_excluded = models.BooleanField(_("excluded"), default=False)
    share_percent = models.PositiveSmallIntegerField(
        _("share of ATP (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_units = models.PositiveIntegerField(_("cap per SKU and stock point"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("channel allocation")
        verbose_name_plural = _("channel allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gte=1) & Q(share_percent__lte=100),
                name="allocation_share_1_100",
            ),
            models.UniqueConstraint(
                fields=["channel", "stock_point_kind", "stock_point"],
                name="allocation_scope_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = self.stock_point.code if self.stock_point_id else (self.stock_point_kind or "*")
        if self.is_excluded:
            return f"{self.channel} ✗ {scope}"
        return f"{self.channel} ← {scope} {self.share_percent}%"

    @property
    def specificity(self) -> int:
        return 2 * bool(self.stock_point_id) + bool(self.stock_point_kind)

    def clean(self) -> None:
        if self.stock_point_id and self.stock_point_kind:
            raise ValidationError(_("Name a stock point or a kind, not both."))


class FutureStock(models.Model):
    """Incoming units (purchase order, transfer) expected at a stock point on a date."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="incoming")
    stock_point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="incoming")
    quantity = models.PositiveIntegerField(_("quantity"))
    reserved = models.PositiveIntegerField(_("reserved (pre-orders)"), default=0)
    expected_date = models.DateField(_("expected on"))
    reference = models.CharField(_("reference"), max_length=128, blank=True)
    is_received = models.BooleanField(_("received"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["expected_date", "id"]
        verbose_name = _("future stock")
        verbose_name_plural = _("future stock")
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")), name="future_stock_reserved_lte_quantity"
            )
        ]
        indexes = [models.Index(fields=["sku", "expected_date"], name="future_stock_sku_date")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id} on {self.expected_date}"


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    COMMITTED = "committed", _("Committed")


class ReservationQuerySet(models.QuerySet):
    def active(self) -> ReservationQuerySet:
        return self.filter(status=ReservationStatus.ACTIVE)

    def for_reference(self, reference: str) -> ReservationQuerySet:
        return self.filter(reference=reference)


class Reservation(models.Model):
    """Units held for an owner (an order line later: `reference` is its key), at one
    stock point. Creating one raises the level's `reserved` in the same transaction."""

    reference = models.CharField(_("reference"), max_length=128, db_index=True)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    stock_point = models.ForeignKey(StockPoint, on_delete=models.PROTECT, related_name="+")
    future_stock = models.ForeignKey(
        FutureStock,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reservations",
        help_text=_("Set for a pre-order: the units are held on this incoming stock."),
    )
    channel = models.CharField(_("channel"), max_length=64, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0"),
            models.UniqueConstraint(
                fields=["reference", "sku", "stock_point"],
                condition=Q(status="active"),
                name="reservation_active_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["sku", "stock_point", "channel"],
                condition=Q(status="active"),
                name="reservation_active_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} × {self.sku_id}@{self.stock_point_id}"
