"""Strict input for the whole API: what the OpenAPI schema says is what is accepted.

- Text never holds a NUL character (PostgreSQL cannot store one; SQLite would)
  nor a lone UTF-16 surrogate (not Unicode, no database can store it): refused
  with `400 invalid`, in the path, in query parameters and in JSON bodies. Only
  what the API reads is checked: an unknown property of a body is ignored, as
  before, whatever it holds.
- Each field of a JSON body takes its own JSON type only: `"5"` is not an
  integer, `0` is not a boolean, `12` is not a string (DRF would coerce them).
  Money is the one exception, documented: `"19.90"` or `19.9`. Text is taken as
  sent, not trimmed: its length and blankness are those the schema states.
- A typed query parameter (a date, a boolean, a choice, a page) given empty or
  with a value it does not understand is refused, not ignored.

Every API view inherits `ApiView` or mixes `StrictInput` into a DRF generic view;
every input serializer is a `StrictSerializer` or `StrictModelSerializer`; every
filter set a `FilterSet`. tests/api/test_bad_input.py checks that they do.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Iterator
from decimal import Decimal

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils.json import strict_constant
from rest_framework.views import APIView

from oms.core.api import schema  # noqa: F401  (registers how the schema documents these fields)

# --- Text -----------------------------------------------------------------------------------


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    if "\x00" in text:
        return _("Text cannot contain NUL (U+0000) characters.")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _("Text must be valid Unicode (no lone surrogates).")
    return None


def _strings(data: object) -> Iterator[tuple[str, str]]:
    """Every string of parsed JSON, keys included, with where it is (`a.b[0]`)."""
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, value in item.items():
                inner = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    yield inner, key
                stack.append((value, inner))
        elif isinstance(item, list | tuple):
            stack.extend((value, f"{where}[{index}]") for index, value in enumerate(item))


def first_text_problem(data: object) -> str | None:
    """The first string of `data` (keys included) that cannot be stored, explained."""
    for where, text in _strings(data):
        problem = text_problem(text)
        if problem:
            return f"{problem} ({where})" if where else problem
    return None


# --- Bodies ---------------------------------------------------------------------------------


def parse_json(body: bytes) -> object:
    """JSON from raw bytes: UTF-8 only (no encoded surrogates), no NaN or Infinity,
    not nested deeper than Python can parse."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=strict_constant)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
    except RecursionError:  # "[[[[…" thousands deep: DRF's own parser answered 500
        raise ParseError(_("JSON parse error - nested too deep.")) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading strictly (Django's request size limit still applies)."""

    def parse(self, stream, media_type=None, parser_context=None):
        return parse_json(stream.read() if stream is not None else b"")


# --- Views ----------------------------------------------------------------------------------


# Mixin of every API view: the strict JSON parser, and the text rule applied to the
# path once the caller is authenticated and allowed. (Comments, not docstrings:
# drf-spectacular would show a docstring as the description of each operation.)
class StrictInput:
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        for name, value in kwargs.items():
            problem = isinstance(value, str) and text_problem(value)
            if problem:
                raise ValidationError({name: [problem]})


class ApiView(StrictInput, APIView):
    pass


# --- Query filters --------------------------------------------------------------------------


class _TrueOrFalse(forms.Field):
    def to_python(self, value: str | None) -> bool | None:
        if value in (None, ""):
            return None
        if value in ("true", "True"):
            return True
        if value in ("false", "False"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    """`?is_active=true|false`; anything else is a `400` (django-filter's own
    BooleanFilter ignores what it does not understand)."""

    field_class = _TrueOrFalse


class _UtcDateTime(django_filters.fields.IsoDateTimeField):
    def to_python(self, value: str | None) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(_("This date and time is out of range."), code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time, compared in UTC: PostgreSQL refuses offsets beyond
    ±15:59 (`+18:00` is valid ISO 8601), and a time in year 1 or 9999 may not exist
    in UTC (`400`)."""

    field_class = _UtcDateTime


class FilterSet(django_filters.FilterSet):
    """django-filter, strictly: a parameter with storable text only, and a typed
    one (date, boolean, choice) not given empty, which django-filter ignores."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            problem = next(filter(None, map(text_problem, values)), None)
            if problem is None and "" in values and not isinstance(filter_, django_filters.CharFilter):
                problem = _("Give a value, or leave the parameter out.")
            if problem:
                self.form.add_error(name, problem)
                valid = False
        return valid


# --- Serializers ----------------------------------------------------------------------------

# The JSON types each kind of field takes, most specific first. Fields not listed
# (JSONField, nested serializers, DictField) check what they take themselves.
JSON_TYPES: list[tuple[type[serializers.Field], tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "true or false"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.DecimalField, (str, int, float), 'a decimal, as a string such as "19.90" or a number'),
    (serializers.MultipleChoiceField, (list,), "a list"),
    (serializers.ChoiceField, (str,), "a string"),
    (serializers.CharField, (str,), "a string"),
    (serializers.DateTimeField, (str,), "a date and time as an ISO 8601 string"),
    (serializers.DateField, (str,), "a date as an ISO 8601 string"),
    (serializers.TimeField, (str,), "a time as an ISO 8601 string"),
    (serializers.UUIDField, (str,), "a string"),
]


def _json_type(field: serializers.Field) -> tuple[tuple[type, ...], str] | None:
    for kind, types, description in JSON_TYPES:
        if isinstance(field, kind):
            return types, description
    return None


def _is_a(value: object, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def wrong_type(field: serializers.Field, value: object) -> str | None:
    """What `field` takes, if `value` is not of its JSON type; None if it is."""
    expected = _json_type(field)
    if expected is not None:
        types, description = expected
        return None if _is_a(value, types) else _("Expected %(what)s.") % {"what": description}
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        expected = _json_type(field.child)
        if expected is None:  # a list of JSON or of objects: the child checks
            return None
        types, description = expected
        for index, item in enumerate(value):
            if item is not None and not _is_a(item, types):
                what = _("Expected %(what)s.") % {"what": description}
                return _("Item %(index)d: %(problem)s") % {"index": index, "problem": what}
    return None


def to_the_end(validator: object) -> object:
    """A RegexValidator ending in `$` made to end in `\\Z`: Python's `$` also
    matches before a final line break, so `"FR\\n"` passed `^[A-Z]{2}$`."""
    if not isinstance(validator, RegexValidator) or validator.inverse_match:
        return validator
    pattern = validator.regex.pattern
    if not isinstance(pattern, str) or not pattern.endswith("$") or pattern.endswith("\\$"):
        return validator
    anchored = copy.copy(validator)
    anchored.regex = re.compile(pattern[:-1] + r"\Z", validator.regex.flags)
    return anchored


def reads_its_own_text(field: serializers.Field) -> bool:
    """Nested serializers check their own fields; a field may check its text itself
    (`checks_own_text = True`), as the stock feed's rows do, in bulk."""
    if getattr(field, "checks_own_text", False):
        return True
    if isinstance(field, serializers.ListField):
        field = field.child
    return isinstance(field, serializers.BaseSerializer)


# Serializer mixin: each field's text must be storable and is taken as sent (DRF
# would trim it: then "\x1d" counts as blank, and "  Lyon  " fits in 4 characters,
# unlike what the schema says); each field of a JSON object takes its own JSON type
# only. Query parameters (a QueryDict) are all text.
class StrictTypes:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            for text in (field, getattr(field, "child", None)):
                if isinstance(text, serializers.CharField):
                    text.trim_whitespace = False
                    text.validators = [to_the_end(v) for v in text.validators]
        return fields

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            return super().to_internal_value(data)
        is_query = hasattr(data, "getlist")
        wrong = {}
        for field in self._writable_fields:
            if field.field_name not in data:
                continue
            if is_query:
                value = data.getlist(field.field_name)
            else:
                value = data[field.field_name]
                problem = None if value is None else wrong_type(field, value)
                if problem:
                    wrong[field.field_name] = [problem]
                    continue
            problem = None if reads_its_own_text(field) else first_text_problem(value)
            if problem:
                wrong[field.field_name] = [problem]
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if wrong and isinstance(exc.detail, dict):
                raise ValidationError({**exc.detail, **wrong}) from exc
            raise
        if wrong:
            raise ValidationError(wrong)
        return value


class StrictSerializer(StrictTypes, serializers.Serializer):
    pass


class StrictModelSerializer(StrictTypes, serializers.ModelSerializer):
    pass


# --- Money ----------------------------------------------------------------------------------

# An amount as text: up to 10 digits, then up to 2 decimals; at least one digit.
MONEY_TEXT = r"^(?=\.?\d)\d{0,10}(?:\.\d{0,2})?$"
MONEY_LIMIT = Decimal("10000000000")
_MONEY_PARTS = re.compile(r"(-?)(\d*)(?:\.(\d*))?")


class MoneyField(serializers.DecimalField):
    """An amount ≥ 0 with at most two decimals, below 10 billion: `"19.90"` or `19.9`.
    Text is held to MONEY_TEXT to the letter (no sign, exponent, spaces or extra
    leading zeros), with DRF's messages."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            parts = _MONEY_PARTS.fullmatch(data)
            if parts is None or not (parts[2] or parts[3]):
                self.fail("invalid")
            sign, whole, decimals = parts.groups()
            if sign:  # "-0.00" too
                self.fail("min_value", min_value=self.min_value)
            if len(whole) > self.max_whole_digits:
                self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
            if decimals and len(decimals) > self.decimal_places:
                self.fail("max_decimal_places", max_decimal_places=self.decimal_places)
        return super().to_internal_value(data)
