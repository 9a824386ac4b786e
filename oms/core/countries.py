"""Country codes: ISO 3166-1 alpha-2 (`FR`, `BE`, `DE`), as django-countries knows
them. The API and the tables keep the two-letter code; this module says whether a
code names a country."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework import serializers

TWO_LETTERS = re.compile(r"^[A-Z]{2}$")
NOT_A_CODE = _("Use an ISO 3166 code such as FR.")
UNKNOWN_COUNTRY = _("Unknown country code %(code)s: use an ISO 3166 code such as FR, BE or DE.")


def is_country_code(code: str) -> bool:
    """True when `code` (upper case) is the ISO 3166-1 alpha-2 code of a country."""
    return bool(TWO_LETTERS.match(code)) and code in countries


def validate_country_code(value: str) -> None:
    """Model validator: an ISO 3166-1 alpha-2 code in upper case."""
    if not TWO_LETTERS.match(value):
        raise ValidationError(NOT_A_CODE)
    if value not in countries:
        raise ValidationError(UNKNOWN_COUNTRY, params={"code": value})


class CountryCodeField(serializers.CharField):
    """A country as its ISO 3166-1 two-letter code. With `any_case`, `be` is read as
    `BE`; an unknown code (`XX`) is a field error."""

    def __init__(self, *, any_case: bool = False, **kwargs) -> None:
        self.any_case = any_case
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        code = super().to_internal_value(data)
        if not code:
            return code
        if self.any_case:
            code = code.upper()
        if not TWO_LETTERS.match(code):
            raise serializers.ValidationError(NOT_A_CODE, code="invalid")
        if code not in countries:
            raise serializers.ValidationError(UNKNOWN_COUNTRY % {"code": code}, code="unknown_country")
        return code
