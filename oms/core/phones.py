"""Phone numbers in one form, E.164 (`+33612345678`), through Google's libphonenumber
(the `phonenumbers` package): the same person typed as `06 12 34 56 78`,
`+33 6 12 34 56 78` or `0033612345678` is one customer, and so is a Belgian, German
or British number written the way its owner writes it."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "FR"


def normalise_phone(raw: str, default_region: str = DEFAULT_REGION) -> str | None:
    """`raw` in E.164, or None when it is not a valid phone number. A number
    without its country code (`0470 12 34 56`) is read as one of `default_region`
    (an ISO 3166 code: the country of the order's address, say). Blank gives ""."""
    if not raw or not raw.strip():
        return ""
    region = (default_region or DEFAULT_REGION).upper()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
