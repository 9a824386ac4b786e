"""The timeline vocabulary: every kind has a factory and a reader, and each reader
tells its entry in English and in French (translated when read, not when written)."""

from __future__ import annotations

import importlib
import inspect
from decimal import Decimal

import pytest
from django.utils import translation

from oms import timeline
from oms.core.actors import Actor
from oms.models import Order, TimelineEntry, TimelineKind
from oms.states import DeliveryMethod, OrderStatus
from tests.oms.factories import ChannelFactory, CustomerFactory

K = TimelineKind
ACTOR = Actor(label="camille")
NBSP = "\xa0"

# kind → (the factory's arguments, the sentence in English, in French)
SAMPLES: dict[str, tuple[dict, tuple[str, list[str]], tuple[str, list[str]]]] = {
    K.ORDER_CREATED: (
        {"channel": "call_centre", "lines": 2},
        ("Order created", ["Channel Call centre, 2 lines."]),
        ("Commande créée", ["Canal Service client téléphonique, 2 lignes."]),
    ),
    K.STATUS_CHANGED: (
        {
            "before": "in_fulfilment",
            "after": "payment_failed",
            "reason": "capture_failed",
            "error": "Carte expirée",
        },
        ("Status changed", ["Reason: the payment could not be captured: Carte expirée"]),
        ("Statut modifié", [f"Motif{NBSP}: le paiement n'a pas pu être encaissé{NBSP}: Carte expirée"]),
    ),
    K.STOCK_RESERVED: (
        {
            "holds": [
                {"sku": "LAMP", "quantity": 2, "preorder": False},
                {"sku": "DESK", "quantity": 1, "preorder": True},
            ]
        },
        ("Stock reserved", ["LAMP × 2", "DESK × 1 on incoming stock"]),
        ("Stock réservé", ["LAMP × 2", "DESK × 1 sur stock à venir"]),
    ),
    K.PREORDERED: (
        {"sku": "DESK", "quantity": 1, "promised": "2026-12-14"},
        ("Pre-ordered", ["DESK × 1, promised for 14 Dec 2026"]),
        ("En précommande", ["DESK × 1, promis pour le 14 déc. 2026"]),
    ),
    K.HELD_FOR_REVIEW: (
        {
            "reasons": [
                timeline.review_reason("amount_over", threshold="400.00"),
                timeline.review_reason("flagged_customer"),
            ]
        },
        ("Held for review", ["Amount over 400.00", "Flagged customer"]),
        ("Bloquée pour contrôle", ["Montant supérieur à 400,00", "Client signalé"]),
    ),
    K.REVIEW_RELEASED: (
        {"note": "Client rappelé"},
        ("Released from review", ["Note: Client rappelé"]),
        ("Libérée du contrôle", [f"Note{NBSP}: Client rappelé"]),
    ),
    K.ORDER_CANCELLED: (
        {"reason": "Doublon"},
        ("Order cancelled", ["Reason: Doublon"]),
        ("Commande annulée", [f"Motif{NBSP}: Doublon"]),
    ),
    K.LINES_CANCELLED: (
        {"lines": [{"sku": "LAMP", "quantity": 1, "released": 1}], "reason": "Doublon"},
        ("Lines cancelled", ["LAMP: 1 unit(s) cancelled, 1 released from stock", "Reason: Doublon"]),
        (
            "Lignes annulées",
            [f"LAMP{NBSP}: 1 unité(s) annulée(s), 1 libérée(s) du stock", f"Motif{NBSP}: Doublon"],
        ),
    ),
    K.HOLD_EXPIRED: (
        {"held_until": "2026-12-01T19:43:00+00:00"},
        ("E-reservation expired", ["Held until 1 Dec 2026, 20:43"]),
        ("E-réservation expirée", ["Réservée jusqu’au 1 déc. 2026, 20:43"]),
    ),
    K.STOCK_RELEASED: (
        {"units": 3, "reason": "e_reservation_expired"},
        ("Stock released", ["3 unit(s) back in stock", "Reason: not collected before the deadline"]),
        ("Stock libéré", ["3 unité(s) remise(s) en stock", f"Motif{NBSP}: non retirée avant la date limite"]),
    ),
    K.PAYMENT_AUTHORISED: (
        {"provider": "sandbox", "reference": "auth-1", "amount": Decimal("341.9")},
        ("Payment authorised", ["341.90 authorised by sandbox (reference auth-1)"]),
        ("Paiement autorisé", ["Montant de 341,90 autorisé par sandbox (référence auth-1)"]),
    ),
    K.PAYMENT_CAPTURE: (
        {"kind": "capture", "amount": Decimal("64.80"), "outcome": "failed", "error": "Carte expirée"},
        ("Capture failed", ["Amount: 64.80", "Error: Carte expirée"]),
        ("Échec de l’encaissement", [f"Montant{NBSP}: 64,80", f"Erreur{NBSP}: Carte expirée"]),
    ),
    K.PAYMENT_REFUND: (
        {"kind": "refund", "amount": Decimal("64.80"), "outcome": "succeeded"},
        ("Refund issued", ["Amount: 64.80"]),
        ("Remboursement effectué", [f"Montant{NBSP}: 64,80"]),
    ),
    K.PAYMENT_VOID: (
        {"kind": "void", "amount": Decimal("64.80"), "outcome": "pending"},
        ("Void of the authorisation requested", ["Amount: 64.80"]),
        ("Annulation de l’autorisation demandée", [f"Montant{NBSP}: 64,80"]),
    ),
    K.PAYMENT_PARTIAL_VOID: (
        {"kind": "partial_void", "amount": Decimal("59.00"), "outcome": "succeeded"},
        ("Authorisation reduced", ["Amount: 59.00"]),
        ("Autorisation réduite", [f"Montant{NBSP}: 59,00"]),
    ),
    K.NOTE: (
        {"text": "Livrer après 18 h"},
        ("Note", ["Livrer après 18 h"]),
        ("Note", ["Livrer après 18 h"]),
    ),
}


@pytest.fixture
def order(db) -> Order:
    return Order.objects.create(
        number="T-1",
        channel=ChannelFactory(code="call_centre"),
        customer=CustomerFactory(),
        status=OrderStatus.CONFIRMED,
        delivery_method=DeliveryMethod.HOME_DELIVERY,
    )


def test_every_kind_has_a_factory_a_reader_and_a_sample():
    # given: the vocabulary
    kinds = set(TimelineKind.values)
    # then: nothing is missing on either side (a new kind needs all three)
    assert set(timeline.FACTORIES) == kinds
    assert set(timeline.READERS) == kinds
    assert set(SAMPLES) == kinds


def test_every_factory_takes_the_order_and_a_keyword_only_actor():
    for kind, factory in timeline.FACTORIES.items():
        parameters = inspect.signature(factory).parameters
        assert list(parameters)[:2] == ["order", "actor"], kind
        assert parameters["actor"].kind is inspect.Parameter.KEYWORD_ONLY, kind


@pytest.mark.parametrize("kind", TimelineKind.values)
def test_each_reader_tells_what_its_factory_recorded_in_english_and_french(order, kind):
    # given: an entry recorded by the kind's factory
    arguments, english, french = SAMPLES[kind]
    entry = timeline.FACTORIES[kind](order, actor=ACTOR, **arguments)
    stored = TimelineEntry.objects.get(pk=entry.pk)
    # when: it is read in each language
    told = {}
    for language in ("en", "fr"):
        with translation.override(language):
            said = timeline.tell(stored.kind, stored.data)
            told[language] = (said.title, said.details)
    # then
    assert stored.kind == kind
    assert told == {"en": english, "fr": french}


def test_no_reason_is_stored_as_a_string_holding_data(order):
    # when
    entry = timeline.held_for_review(
        order, actor=ACTOR, reasons=[timeline.review_reason("amount_over", threshold="400.00")]
    )
    # then
    assert TimelineEntry.objects.get(pk=entry.pk).data == {
        "reasons": [{"code": "amount_over", "threshold": "400.00"}]
    }


def test_a_status_change_refuses_a_reason_outside_the_vocabulary(order):
    # when
    with pytest.raises(ValueError):
        timeline.status_changed(
            order, actor=ACTOR, before="confirmed", after="cancelled", reason="customer changed mind"
        )
    # then
    assert TimelineEntry.objects.filter(order=order).count() == 0


def test_a_kind_from_a_newer_version_lists_its_details():
    # when
    told = timeline.tell("parcel_lost", {"carrier": "colissimo"})
    # then
    assert (told.title, told.details) == ("Parcel lost", ["carrier: colissimo"])


def test_the_data_migration_takes_reasons_out_of_strings():
    # given: the rows as the previous version stored them
    migration = importlib.import_module("oms.migrations.0012_h7_structured_reasons")
    cancelled = {"before": "confirmed", "after": "cancelled", "reason": "Doublon"}
    failed = {"before": "in_fulfilment", "after": "payment_failed", "reason": "Card expired"}
    retried = {
        "before": "payment_failed",
        "after": "shipped",
        "reason": "Paiement encaissé après une nouvelle tentative.",
    }
    sourced = {"before": "confirmed", "after": "in_fulfilment", "reason": "sourced"}
    # when
    converted = [migration.status_change_to_data(data) for data in (cancelled, failed, retried, sourced)]
    reasons = [migration.reason_to_data(code) for code in ("amount_over:400.00", "flagged_customer")]
    # then
    assert converted == [
        {"before": "confirmed", "after": "cancelled", "reason": "order_cancelled", "note": "Doublon"},
        {
            "before": "in_fulfilment",
            "after": "payment_failed",
            "reason": "capture_failed",
            "error": "Card expired",
        },
        {"before": "payment_failed", "after": "shipped", "reason": "capture_retried"},
        sourced,
    ]
    assert reasons == [{"code": "amount_over", "threshold": "400.00"}, {"code": "flagged_customer"}]
    assert [migration.reason_to_string(reason) for reason in reasons] == [
        "amount_over:400.00",
        "flagged_customer",
    ]
