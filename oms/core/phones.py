"""Phone numbers in one form, so that the same person is found again whatever
way the number was typed (capture, search)."""

from __future__ import annotations


def normalise_phone(phone: str) -> str:
    """Digits only, French numbers in international form: 06 12 34 56 78 → +33612345678."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if phone.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) == 10:
        return "+33" + digits[1:]
    return digits
