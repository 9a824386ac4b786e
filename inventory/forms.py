"""Forms of the store stock screens. They check the shape of what was typed or
scanned; the services decide whether the movement is allowed."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import AdjustmentCode, Sku
from inventory.services.movements import adjustment_refusal

MAX_UNITS = 100_000


def scan_input(placeholder: str) -> forms.TextInput:
    """A field a barcode scanner types into (then presses Enter)."""
    return forms.TextInput(
        attrs={
            "autofocus": True,
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "enterkeyhint": "go",
            "placeholder": placeholder,
            "class": "scan",
        }
    )


def quantity_input() -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity"})


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("Scan or type a SKU, an EAN or a name"),
        max_length=255,
        required=False,
        widget=scan_input(_("EAN, SKU or name")),
    )


class MovementForm(forms.Form):
    """What every movement screen asks: the SKU (code or EAN) and a note."""

    sku = forms.CharField(label=_("SKU or EAN"), max_length=64, widget=scan_input(_("Scan the barcode")))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_sku(self) -> Sku:
        text = self.cleaned_data["sku"].strip()
        sku = Sku.objects.filter(Q(code=text) | Q(ean=text)).first()
        if sku is None:
            raise forms.ValidationError(
                _("No SKU has the code or EAN %(text)s."), params={"text": text}, code="unknown"
            )
        return sku


class ReceiveForm(MovementForm):
    quantity = forms.IntegerField(
        label=_("Units received"), min_value=1, max_value=MAX_UNITS, widget=quantity_input()
    )
    reference = forms.CharField(label=_("Delivery note"), max_length=128, required=False)
    field_order = ["sku", "quantity", "reference", "note"]


class Direction(models.TextChoices):
    REMOVE = "remove", _("Remove units")
    ADD = "add", _("Add units")


class AdjustForm(MovementForm):
    direction = forms.ChoiceField(
        label=pgettext_lazy("stock movement quantity", "Change"),
        choices=Direction.choices,
        initial=Direction.REMOVE,
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(label=_("Units"), min_value=1, max_value=MAX_UNITS, widget=quantity_input())
    code = forms.ChoiceField(label=_("Reason"), choices=AdjustmentCode.choices, widget=forms.RadioSelect)
    field_order = ["sku", "direction", "quantity", "code", "note"]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if "quantity" in data and "direction" in data and "code" in data:
            refusal = adjustment_refusal(data["code"], self.change)
            if refusal is not None:
                self.add_error("code", str(refusal))
        return data

    @property
    def change(self) -> int:
        """The signed change of on hand."""
        quantity = self.cleaned_data["quantity"]
        return -quantity if self.cleaned_data["direction"] == Direction.REMOVE else quantity


class CountForm(MovementForm):
    counted = forms.IntegerField(
        label=_("Units counted on the shelf"),
        min_value=0,
        max_value=MAX_UNITS,
        widget=quantity_input(),
    )
    field_order = ["sku", "counted", "note"]
