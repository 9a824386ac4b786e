"""Customer e-mails sent from outbox events, in the customer's language, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from oms.core.actors import Actor
from oms.models import DeliveryStatus, EventType, Notification, OutboxEvent
from oms.payloads import order_event_payload
from oms.services.capture import CustomerInput, place_order
from oms.services.event_delivery import dispatch_outbox_event, retry_notifications_now, send_notification
from oms.services.outbox import record_event
from tests.inventory.factories import SkuFactory, StockLevelFactory, StockPointFactory
from tests.oms.factories import ChannelFactory, place_order_command

ACTOR = Actor(label="api:webshop")


@pytest.fixture
def stock(db):
    ChannelFactory(code="web", name="Web shop")
    warehouse = StockPointFactory(code="WH-ORLEANS", kind="warehouse")
    StockLevelFactory(sku=SkuFactory(code="LAMP", name="Desk lamp"), stock_point=warehouse, on_hand=5)


def place(*, language: str = "en", email: str = "camille.martin@example.fr"):
    customer = CustomerInput(
        email=email, first_name="Camille", last_name="Martin", language=language, phone="0612345678"
    )
    command = place_order_command([("LAMP", 2, "19.90")], customer=customer)
    return place_order(command, actor=ACTOR)[0]


def dispatch(order, event_type: str, capture) -> None:
    event = OutboxEvent.objects.get(order_number=order.number, event_type=event_type)
    with capture(execute=True):
        dispatch_outbox_event(event.pk)


def test_a_confirmed_order_is_emailed_to_an_english_customer_in_english(
    stock, django_capture_on_commit_callbacks, settings
):
    # given
    settings.DEFAULT_FROM_EMAIL = "Maison Lumière <orders@maison.example>"
    order = place(language="en")
    # when
    dispatch(order, "order.confirmed", django_capture_on_commit_callbacks)
    # then
    [email] = mail.outbox
    assert (email.subject, email.to, email.from_email) == (
        f"Your order {order.number} is confirmed",
        ["camille.martin@example.fr"],
        "Maison Lumière <orders@maison.example>",
    )
    assert email.body.splitlines()[:3] == [
        "Hello Camille,",
        "",
        f"Thank you for your order {order.number}. It is confirmed and we are preparing it.",
    ]
    assert "- 2 × Desk lamp (LAMP): 39.80 EUR" in email.body.splitlines()
    assert "Delivery to: 12 rue de la République, 69002 Lyon" in email.body.splitlines()
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    notification = Notification.objects.get()
    assert (notification.template, notification.language, notification.status, notification.attempts) == (
        "order_confirmed",
        "en",
        DeliveryStatus.DELIVERED,
        1,
    )
    assert email.extra_headers["X-OMS-Notification"] == str(notification.pk)


def test_a_french_customer_is_emailed_in_french(stock, django_capture_on_commit_callbacks):
    order = place(language="fr")
    dispatch(order, "order.confirmed", django_capture_on_commit_callbacks)
    [email] = mail.outbox
    [(html, _mimetype)] = email.alternatives
    assert '<html lang="fr">' in html
    assert "39,80 EUR" in email.body
    notification = Notification.objects.get()
    assert (notification.template, notification.language, notification.to) == (
        "order_confirmed",
        "fr",
        "camille.martin@example.fr",
    )


def test_events_without_a_customer_template_send_no_email(stock, django_capture_on_commit_callbacks):
    order = place()
    dispatch(order, "order.created", django_capture_on_commit_callbacks)
    assert (Notification.objects.count(), len(mail.outbox)) == (0, 0)


def test_a_customer_without_an_email_address_gets_no_email(stock, django_capture_on_commit_callbacks):
    order = place(email="")
    dispatch(order, "order.confirmed", django_capture_on_commit_callbacks)
    assert (Notification.objects.count(), len(mail.outbox)) == (0, 0)


@pytest.mark.parametrize(
    ("event_type", "payload", "subject", "line"),
    [
        (
            EventType.ORDER_READY_FOR_COLLECTION,
            {"collection_code": "K7P2QX"},
            "Your order {number} is ready for collection",
            "Your collection code: K7P2QX",
        ),
        (
            EventType.SHIPMENT_SHIPPED,
            {"carrier": "Colissimo", "tracking_number": "6A12345678901"},
            "Your order {number} is on its way",
            "Tracking number: 6A12345678901",
        ),
        (
            EventType.REFUND_ISSUED,
            {"amount": "19.90", "currency": "EUR"},
            "Your refund for order {number}",
            "We have refunded 19.90 EUR for your order {number}.",
        ),
    ],
)
def test_each_customer_event_sends_its_email(
    stock, django_capture_on_commit_callbacks, event_type, payload, subject, line
):
    # given
    order = place(language="en")
    event = record_event(event_type, order=order, payload={**order_event_payload(order), **payload})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_outbox_event(event.pk)
    # then
    [email] = mail.outbox
    assert email.subject == subject.format(number=order.number)
    assert line.format(number=order.number) in email.body.splitlines()
    [(html, _mimetype)] = email.alternatives
    assert line.split(": ")[-1].format(number=order.number) in html


def test_a_sent_email_is_never_sent_again(stock, django_capture_on_commit_callbacks):
    # given
    order = place()
    dispatch(order, "order.confirmed", django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    # when
    again = send_notification(notification.pk, now=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        retried = retry_notifications_now([notification.pk])
    # then
    assert (again, retried, len(mail.outbox)) == (None, 0, 1)
    assert Notification.objects.get().attempts == 1


def test_a_mail_server_that_is_down_is_retried_later(stock, django_capture_on_commit_callbacks, settings):
    # given: the SMTP server refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    order = place()
    # when
    before = timezone.now()
    dispatch(order, "order.confirmed", django_capture_on_commit_callbacks)
    after = timezone.now()
    # then
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts, notification.sent_at) == (
        DeliveryStatus.PENDING,
        1,
        None,
    )
    assert notification.last_error == "[Errno 111] Connection refused"
    assert before + timedelta(seconds=30) <= notification.next_attempt_at <= after + timedelta(seconds=33)
    # when: the server is back and the retry is due
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outcome = send_notification(notification.pk, now=notification.next_attempt_at)
    # then
    assert outcome == DeliveryStatus.DELIVERED
    assert [email.subject for email in mail.outbox] == [f"Your order {order.number} is confirmed"]
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        DeliveryStatus.DELIVERED,
        2,
        "",
    )
