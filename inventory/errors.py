"""Stock errors. Each carries the data a caller needs to explain the refusal."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from oms.core.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class ShortLine:
    sku: str
    requested: int
    available: int
    stock_point: str | None = None


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(self, lines: list[ShortLine]) -> None:
        super().__init__(_("Not enough stock for %(n)d line(s).") % {"n": len(lines)})
        self.lines = lines

    def payload(self) -> dict[str, object]:
        return {"lines": [asdict(line) for line in self.lines]}


class UnknownCode(NotFound):
    code = "unknown_code"

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(_("Unknown %(kind)s %(code)s.") % {"kind": kind, "code": code})
        self.kind = kind
        self.unknown = code

    def payload(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.unknown}


class InvalidFeed(InvalidInput):
    code = "invalid_feed"

    def __init__(self, errors: list[dict[str, object]]) -> None:
        rows = len({error["index"] for error in errors})
        super().__init__(
            _("%(n)d row(s) of the feed are invalid; nothing was applied.") % {"n": rows}, errors
        )


class NegativeStock(Conflict):
    code = "negative_stock"

    def __init__(self, sku: str, stock_point: str, on_hand: int, change: int) -> None:
        super().__init__(
            _("On hand of %(sku)s at %(point)s is %(on_hand)d: it cannot change by %(change)d.")
            % {"sku": sku, "point": stock_point, "on_hand": on_hand, "change": change}
        )
        self.data = {"sku": sku, "stock_point": stock_point, "on_hand": on_hand, "change": change}

    def payload(self) -> dict[str, object]:
        return self.data


class ReservationConflict(Conflict):
    code = "reservation_conflict"


class ReasonDoesNotFit(InvalidInput):
    """An adjustment whose reason is for the other direction ("found" when removing)."""

    code = "reason_does_not_fit"

    def __init__(self, reason: str, *, change: int, fitting: list[str]) -> None:
        message = (
            _("“%(reason)s” is a reason for removing units, not for adding them: choose %(choices)s.")
            if change > 0
            else _("“%(reason)s” is a reason for adding units, not for removing them: choose %(choices)s.")
        ) % {"reason": reason, "choices": ", ".join(fitting)}
        super().__init__(message, [{"field": "code", "detail": message}])
