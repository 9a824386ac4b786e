"""Customer e-mails: which events send which template, and how one is rendered.

A template `<name>` is `templates/emails/<name>.txt` (plain text) and
`templates/emails/<name>.html`, rendered in the customer's language. Each gets
`order`, `customer` and `data` (the event's payload)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from oms.models import EventType, Order

EMAIL_TEMPLATES: dict[str, tuple[str, ...]] = {
    EventType.ORDER_CONFIRMED: ("order_confirmed",),
    EventType.ORDER_READY_FOR_COLLECTION: ("ready_for_collection",),
    EventType.SHIPMENT_SHIPPED: ("shipped",),
    EventType.REFUND_ISSUED: ("refund_issued",),
}

SUBJECTS = {
    "order_confirmed": _("Your order %(number)s is confirmed"),
    "ready_for_collection": _("Your order %(number)s is ready for collection"),
    "shipped": _("Your order %(number)s is on its way"),
    "refund_issued": _("Your refund for order %(number)s"),
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def templates_for(event_type: str) -> tuple[str, ...]:
    """The customer e-mail templates an event sends (often none)."""
    return EMAIL_TEMPLATES.get(event_type, ())


def language_for(language: str) -> str:
    """A language we have e-mails in: the customer's, else the site's default."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_email(template: str, *, language: str, order: Order, data: dict[str, object]) -> RenderedEmail:
    context = {"order": order, "customer": order.customer, "data": data}
    with translation.override(language_for(language)):
        subject = str(SUBJECTS[template]) % {"number": order.number}
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return RenderedEmail(subject=subject, text=text, html=html)
