"""The base of every domain error. Domain code knows no HTTP: the API's exception
handler (oms/core/api/errors.py) maps each error class to a status and renders it in
the API's one error shape."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _


class DomainError(Exception):
    code = "error"

    def payload(self) -> dict[str, object]:
        """The data of the refusal. The API shows only its `errors` (the problems
        one by one, see InvalidInput) and, for insufficient stock, its `lines`; the
        rest (a status, a code looked up) is for the screens and the tests."""
        return {}


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    """Input that is well-formed JSON but wrong for the domain; carries per-item errors,
    each `{"field": "payment.amount", "detail": "…"}` (the dotted path of the input
    field), or `{"line": 0, "field": "sku", "detail": "…"}` for a line of an order,
    `{"index": 3, "field": "quantity", "detail": "…"}` for a row of a feed (`field`
    then names the field within the line or row, and is left out when the problem is
    the whole line or row). `item_errors` builds those of one line or row."""

    code = "invalid"

    def __init__(self, message: str, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    def payload(self) -> dict[str, object]:
        return {"errors": self.errors} if self.errors else {}


def item_errors(key: str, position: int, problems: Mapping[str | None, str]) -> list[dict[str, object]]:
    """The problems of one line (`key="line"`) or row (`key="index"`), given as
    `{field: message}` (field None: the whole line or row), as InvalidInput errors."""
    return [
        {key: position, "detail": str(message)}
        if field is None
        else {key: position, "field": field, "detail": str(message)}
        for field, message in problems.items()
    ]


class PermissionDenied(DomainError):
    code = "permission_denied"


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, what: str, current: str, wanted: str) -> None:
        subject, label = _subject_and_labels(what)
        super().__init__(
            _("%(subject)s cannot go from “%(current)s” to “%(wanted)s”.")
            % {"subject": subject, "current": label(current), "wanted": label(wanted)}
        )
        self.data = {"current": current, "wanted": wanted}

    def payload(self) -> dict[str, object]:
        return self.data


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    http_status = 422

    def __init__(self) -> None:
        super().__init__(_("This Idempotency-Key was already used with another request body."))


def _subject_and_labels(what: str):
    """`what` ("order", "order line", "payment") told in the reader's language, and
    a function giving its statuses' labels (codes it does not know stay as they are)."""
    from oms.states import LineStatus, OrderStatus, PaymentStatus

    subject, choices = {
        "order": (_("The order"), OrderStatus),
        "order line": (_("The order line"), LineStatus),
        "payment": (_("The payment"), PaymentStatus),
    }.get(what, (what, None))

    def label(code: str) -> str:
        return str(choices(code).label) if choices is not None and code in choices.values else code

    return subject, label
