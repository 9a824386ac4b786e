"""Forms of the customer-service order screens. They check the shape of what was
typed; the services decide whether the action is allowed (and say why not)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.services.cancellation import CancelLine
from oms.services.capture import MAX_LINE_QUANTITY
from oms.services.notes import MAX_NOTE_LENGTH
from oms.states import OrderStatus

MAX_REASON_LENGTH = 500


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Order number, e-mail, phone, name or channel reference"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "enterkeyhint": "search",
                "placeholder": _("e.g. WEB-7K3M-Q9TZ, camille@example.fr, 06 12 34 56 78, Martin"),
                "class": "scan",
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *OrderStatus.choices]
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, channels: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels")), *channels]

    def criteria(self) -> dict[str, str]:
        """What to search for; a field that is not valid is left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "text": data.get("q", ""),
            "status": data.get("status", ""),
            "channel": data.get("channel", ""),
        }


def reason_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_REASON_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": MAX_REASON_LENGTH}),
    )


class CancelOrderForm(forms.Form):
    reason = reason_field(_("Reason for cancelling the order"))


class CancelLinesForm(forms.Form):
    """A reason, and `cancel-<SKU>` = units to cancel for each line (empty or 0:
    none). The lines come from the fields posted: the service checks them."""

    PREFIX = "cancel-"

    reason = reason_field(_("Reason for cancelling these units"))

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        for name in data or {}:
            if name.startswith(self.PREFIX) and len(name) > len(self.PREFIX):
                self.fields[name] = forms.IntegerField(
                    label=name.removeprefix(self.PREFIX), min_value=0, max_value=MAX_LINE_QUANTITY, required=False
                )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if not self.errors and not self.cancel_lines():
            raise forms.ValidationError(_("Enter how many units to cancel on at least one line."))
        return data

    def cancel_lines(self) -> list[CancelLine]:
        return [
            CancelLine(sku=name.removeprefix(self.PREFIX), quantity=quantity)
            for name, quantity in self.cleaned_data.items()
            if name.startswith(self.PREFIX) and quantity
        ]


class NoteForm(forms.Form):
    """The note's rules (not empty, MAX_NOTE_LENGTH at most) are the service's."""

    text = forms.CharField(
        label=_("Note"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NOTE_LENGTH, "required": True}),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_NOTE_LENGTH}),
    )


class RequestToken(forms.CharField):
    """A hidden token drawn when the form is shown: sending the same form twice (a
    double tap, a retried request) makes one payment operation, not two."""

    def __init__(self) -> None:
        super().__init__(max_length=64, widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    reason = reason_field(_("Reason for the refund"))
    token = RequestToken()


class RetryCaptureForm(forms.Form):
    token = RequestToken()
