"""The errors of the order domain. Each carries its data; the API's exception
handler (oms/core/api/errors.py) gives the status from the base class in
oms/core/errors.py (Conflict 409, InvalidInput 400, NotFound 404)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from oms.core.errors import Conflict, NotFound


class OrderNotFound(NotFound):
    def __init__(self, number: str) -> None:
        super().__init__(_("No order %(number)s.") % {"number": number})
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
        return {
            "channel": self.channel,
            "external_reference": self.external_reference,
            "order": self.order_number,
        }


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
