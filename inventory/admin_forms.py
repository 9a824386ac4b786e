"""The stock point's admin form: services as checkboxes, opening hours as one row
per weekday, closures as date ranges. Each field turns what the form posts into
the stored JSON (`{"mon": [["09:00", "19:00"]]}`, `[["2026-12-25", "2026-12-26"]]`)
that sourcing reads, and refuses what the models' validators would refuse, with a
message naming the day or the row."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import DAYS, Service, StockPoint

DAY_LABELS = {
    "mon": pgettext_lazy("opening hours", "Monday"),
    "tue": pgettext_lazy("opening hours", "Tuesday"),
    "wed": pgettext_lazy("opening hours", "Wednesday"),
    "thu": pgettext_lazy("opening hours", "Thursday"),
    "fri": pgettext_lazy("opening hours", "Friday"),
    "sat": pgettext_lazy("opening hours", "Saturday"),
    "sun": pgettext_lazy("opening hours", "Sunday"),
}
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
# Two ranges a day: the morning and, after a lunch break, the afternoon.
SLOTS = ("open", "close", "open2", "close2")
EXTRA_CLOSURE_ROWS = 3


# --- Opening hours ----------------------------------------------------------------


def _raw_day(ranges: list) -> dict[str, str]:
    raw = {"closed": "" if ranges else "on"}
    for number, pair in enumerate(ranges[:2]):
        suffix = "2" if number else ""
        raw[f"open{suffix}"], raw[f"close{suffix}"] = pair[0], pair[1]
    return raw


def _as_raw_week(value: object) -> dict[str, dict[str, str]]:
    """The posted values as they are, or the stored hours turned into them."""
    if not isinstance(value, dict):
        value = {}
    if any(isinstance(day, dict) for day in value.values()):
        return {day: dict(value.get(day) or {}) for day in DAYS}
    return {day: _raw_day(value.get(day) or []) for day in DAYS}


class ProjectTemplateWidget(forms.Widget):
    """A widget whose template lives in the project's `templates/admin/` (the form
    renderer only looks into Django's own form templates)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class OpeningHoursWidget(ProjectTemplateWidget):
    template_name = "admin/inventory/opening_hours_widget.html"

    def value_from_datadict(self, data, files, name) -> dict[str, dict[str, str]]:
        return {
            day: {
                "closed": data.get(f"{name}_{day}_closed", ""),
                **{slot: data.get(f"{name}_{day}_{slot}", "").strip() for slot in SLOTS},
            }
            for day in DAYS
        }

    def value_omitted_from_data(self, data, files, name) -> bool:
        return not any(key.startswith(f"{name}_") for key in data)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        week = _as_raw_week(value)
        context["widget"]["days"] = [
            {"code": day, "label": DAY_LABELS[day], "prefix": f"{name}_{day}", **week[day]} for day in DAYS
        ]
        return context


class OpeningHoursField(forms.Field):
    widget = OpeningHoursWidget

    def to_python(self, value: Any) -> dict[str, list[list[str]]]:
        week = _as_raw_week(value)
        hours: dict[str, list[list[str]]] = {}
        errors: list[ValidationError] = []
        for day in DAYS:
            try:
                ranges = self._day(day, week[day])
            except ValidationError as error:
                errors.append(error)
                continue
            if ranges:
                hours[day] = ranges
        if errors:
            raise ValidationError(errors)
        return hours

    @staticmethod
    def _day(day: str, raw: dict[str, str]) -> list[list[str]]:
        label = DAY_LABELS[day]
        times = {slot: (raw.get(slot) or "").strip() for slot in SLOTS}
        if raw.get("closed"):
            if any(times.values()):
                raise ValidationError(
                    _("%(day)s is marked closed: leave its hours empty."), params={"day": label}
                )
            return []
        for slot, value in times.items():
            if value and not TIME_RE.match(value):
                raise ValidationError(
                    _("%(day)s: %(value)s is not a time (HH:MM)."), params={"day": label, "value": value}
                )
            times[slot] = value[:5]
        if not (times["open"] and times["close"]):
            raise ValidationError(
                _("%(day)s: give its opening and closing times, or tick Closed."), params={"day": label}
            )
        if times["open"] >= times["close"]:
            raise ValidationError(
                _("%(day)s: the closing time must be after the opening time."), params={"day": label}
            )
        ranges = [[times["open"], times["close"]]]
        if times["open2"] or times["close2"]:
            if not (times["open2"] and times["close2"]):
                raise ValidationError(
                    _("%(day)s: give both times of the afternoon, or neither."), params={"day": label}
                )
            if times["open2"] <= times["close"]:
                raise ValidationError(
                    _("%(day)s: the afternoon must start after the morning closes."), params={"day": label}
                )
            if times["open2"] >= times["close2"]:
                raise ValidationError(
                    _("%(day)s: the closing time must be after the opening time."), params={"day": label}
                )
            ranges.append([times["open2"], times["close2"]])
        return ranges


# --- Closures ---------------------------------------------------------------------


def _as_raw_closures(value: object) -> list[dict[str, str]]:
    rows = []
    for row in value if isinstance(value, list) else []:
        if isinstance(row, dict):
            rows.append({"start": row.get("start", ""), "end": row.get("end", "")})
        elif isinstance(row, list | tuple) and len(row) == 2:
            rows.append({"start": row[0], "end": row[1]})
    return rows


class ClosuresWidget(ProjectTemplateWidget):
    template_name = "admin/inventory/closures_widget.html"

    def value_from_datadict(self, data, files, name) -> list[dict[str, str]]:
        indexes = sorted(
            {int(match[1]) for key in data if (match := re.match(rf"^{name}_(\d+)_(start|end)$", key))}
        )
        return [
            {
                "start": data.get(f"{name}_{index}_start", "").strip(),
                "end": data.get(f"{name}_{index}_end", "").strip(),
            }
            for index in indexes
        ]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return not any(key.startswith(f"{name}_") for key in data)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [row for row in _as_raw_closures(value) if row["start"] or row["end"]]
        rows += [{"start": "", "end": ""}] * EXTRA_CLOSURE_ROWS
        context["widget"]["rows"] = [
            {"prefix": f"{name}_{index}", "number": index + 1, **row} for index, row in enumerate(rows)
        ]
        return context


def _date(text: str, number: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("Closure %(number)d: %(value)s is not a date (YYYY-MM-DD)."),
            params={"number": number, "value": text},
        ) from None


class ClosuresField(forms.Field):
    """Date ranges the stock point is shut (both days included); a range with no
    last day is one day. Rows left empty are dropped."""

    widget = ClosuresWidget

    def to_python(self, value: Any) -> list[list[str]]:
        closures: list[list[str]] = []
        errors: list[ValidationError] = []
        for number, row in enumerate(_as_raw_closures(value), start=1):
            start_text, end_text = (row["start"] or "").strip(), (row["end"] or "").strip()
            if not start_text and not end_text:
                continue
            try:
                if not start_text:
                    raise ValidationError(
                        _("Closure %(number)d: give its first day."), params={"number": number}
                    )
                start = _date(start_text, number)
                end = _date(end_text, number) if end_text else start
                if end < start:
                    raise ValidationError(
                        _("Closure %(number)d: the last day is before the first day."),
                        params={"number": number},
                    )
            except ValidationError as error:
                errors.append(error)
                continue
            closures.append([start.isoformat(), end.isoformat()])
        if errors:
            raise ValidationError(errors)
        return sorted(closures)


# --- The form ---------------------------------------------------------------------


class StockPointAdminForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("services"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opening_hours = OpeningHoursField(
        label=_("opening hours"),
        required=False,
        help_text=_("Tick Closed for a day the stock point does not open; the afternoon is optional."),
    )
    closures = ClosuresField(
        label=_("closures"),
        required=False,
        help_text=_("Dates the stock point is shut (holidays, works, stock count), both days included."),
    )

    class Meta:
        model = StockPoint
        fields = [
            "code",
            "name",
            "kind",
            "region",
            "is_active",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "latitude",
            "longitude",
            "services",
            "opening_hours",
            "closures",
            "daily_capacity",
            "processing_time_hours",
            "priority",
        ]

    def clean_services(self) -> list[str]:
        # Stored in the order of the Service choices, whatever order was ticked.
        chosen = set(self.cleaned_data["services"])
        return [code for code in Service.values if code in chosen]
