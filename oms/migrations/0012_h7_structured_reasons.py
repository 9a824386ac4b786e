"""Reasons stored as codes with their data apart: review reasons "amount_over:400.00"
become {"code": "amount_over", "threshold": "400.00"} (on orders and on
held_for_review entries), and a status change's free-text reason becomes a
StatusReason code with its `note` (a cancellation) or `error` (a failed capture)."""

from django.db import migrations

KNOWN_STATUS_REASONS = {"sourced", "review_released", "e_reservation_expired"}


def reason_to_data(reason):
    if isinstance(reason, dict):
        return reason
    code, _sep, value = str(reason).partition(":")
    return {"code": code, "threshold": value} if code == "amount_over" and value else {"code": code}


def reason_to_string(reason):
    if not isinstance(reason, dict):
        return reason
    threshold = reason.get("threshold")
    return f"{reason['code']}:{threshold}" if threshold else reason["code"]


def status_change_to_data(data):
    reason = data.get("reason") or ""
    if not reason or reason in KNOWN_STATUS_REASONS:
        return data
    data = {key: value for key, value in data.items() if key != "reason"}
    if data.get("after") == "cancelled":
        return {**data, "reason": "order_cancelled", "note": reason}
    if data.get("after") == "payment_failed":
        return {**data, "reason": "capture_failed", "error": reason}
    if data.get("before") == "payment_failed":  # "Payment captured after a retry.", in any language
        return {**data, "reason": "capture_retried"}
    return {**data, "reason": "", "note": reason}


def status_change_to_string(data):
    code = data.get("reason") or ""
    if code in KNOWN_STATUS_REASONS:
        return data
    text = data.get("note") or data.get("error") or ("Payment captured after a retry." if code else "")
    data = {key: value for key, value in data.items() if key not in {"note", "error"}}
    return {**data, "reason": text}


def convert(apps, to_reason, to_status_change):
    Order = apps.get_model("oms", "Order")
    TimelineEntry = apps.get_model("oms", "TimelineEntry")
    for order in Order.objects.exclude(review_reasons=[]).only("pk", "review_reasons").iterator():
        Order.objects.filter(pk=order.pk).update(review_reasons=[to_reason(r) for r in order.review_reasons])
    for entry in TimelineEntry.objects.filter(kind="held_for_review").only("pk", "data").iterator():
        data = {**entry.data, "reasons": [to_reason(r) for r in entry.data.get("reasons", [])]}
        TimelineEntry.objects.filter(pk=entry.pk).update(data=data)
    for entry in TimelineEntry.objects.filter(kind="status_changed").only("pk", "data").iterator():
        TimelineEntry.objects.filter(pk=entry.pk).update(data=to_status_change(entry.data))


def forwards(apps, schema_editor):
    convert(apps, reason_to_data, status_change_to_data)


def backwards(apps, schema_editor):
    convert(apps, reason_to_string, status_change_to_string)


class Migration(migrations.Migration):
    dependencies = [
        ("oms", "0011_h7_timeline_kinds"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
