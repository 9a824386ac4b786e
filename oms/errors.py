"""The errors of the order domain. Each carries its data; the API's exception
handler (oms/core/api/errors.py) gives the status from the base class in
oms/core/errors.py (Conflict 409, InvalidInput 400, NotFound 404)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from oms.core.errors import Conflict, NotFound
from oms.states import PaymentStatus


class OrderNotFound(NotFound):
    def __init__(self, number: str) -> None:
        super().__init__(_("No order %(number)s.") % {"number": number})
        self.number = number


class NoPayment(NotFound):
    """A payment operation asked of an order paid otherwise (an e-reservation)."""

    def __init__(self, number: str) -> None:
        super().__init__(_("Order %(number)s has no payment.") % {"number": number})
        self.number = number


class DuplicateExternalReference(Conflict):
    """The channel already sent an order under this reference, with another body."""

    code = "duplicate_external_reference"

    def __init__(self, channel: str, external_reference: str, order_number: str) -> None:
        super().__init__(
            _("Channel %(channel)s already placed order %(number)s under the reference %(reference)s.")
            % {"channel": channel, "number": order_number, "reference": external_reference}
        )
        self.channel = channel
        self.external_reference = external_reference
        self.order_number = order_number

    def payload(self) -> dict[str, object]:
        return {"errors": [{"field": "external_reference", "detail": str(self)}]}


class PaymentAmountRefused(Conflict):
    """More than the payment has left to capture or refund. Nothing was written."""

    code = "payment_amount_refused"

    def __init__(self, kind: str, requested: Decimal, available: Decimal) -> None:
        if kind == "capture":
            message = _("Cannot capture %(requested)s: only %(available)s is left to capture.")
        else:
            message = _("Cannot refund %(requested)s: only %(available)s is left to refund.")
        super().__init__(message % {"requested": _money(requested), "available": _money(available)})
        self.kind = kind
        self.requested = requested
        self.available = available

    def payload(self) -> dict[str, object]:
        return {"kind": self.kind, "requested": _money(self.requested), "available": _money(self.available)}


class NothingToRetry(Conflict):
    """`retry_capture` on a payment whose last capture did not fail."""

    code = "nothing_to_retry"

    def __init__(self, order_number: str, status: str) -> None:
        super().__init__(
            _("Order %(number)s has no failed capture to retry (payment %(status)s).")
            % {"number": order_number, "status": PaymentStatus(status).label}
        )
        self.status = status

    def payload(self) -> dict[str, object]:
        return {"payment_status": self.status}


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
