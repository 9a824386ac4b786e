"""Order background jobs. Each takes plain data and calls an idempotent service."""

from celery import shared_task

from oms.services.holds import release_expired_holds


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_e_reservations() -> int:
    return len(release_expired_holds())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def dispatch_events(event_ids: list[int]) -> None:
    """Fan the events of one change out, in order, to webhook deliveries and
    notifications (see oms.services.event_delivery): one broker message per change."""
    from oms.services.event_delivery import dispatch_outbox_event

    for event_id in event_ids:
        dispatch_outbox_event(event_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(delivery_id: int) -> str | None:
    from oms.services.event_delivery import deliver_webhook as attempt_delivery

    return attempt_delivery(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_notification(notification_id: int) -> str | None:
    from oms.services.event_delivery import send_notification as attempt_sending

    return attempt_sending(notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_outbox() -> dict[str, int]:
    """Beat, every 30 s: fan out events whose on-commit queueing failed (broker
    down) and queue the webhook and e-mail attempts that are due."""
    from dataclasses import asdict

    from oms.services.event_delivery import sweep_outbox as sweep

    return asdict(sweep())


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=8,
)
def execute_payment_operation(operation_id: int, *_legacy: str) -> str:
    """Call the payment provider for one operation, outside any transaction, and
    record its answer (see oms.services.payments). Idempotent: the provider gets
    the operation's key and a result is recorded once. (`_legacy`: the reason and
    requester that messages queued before they were stored on the row carried.)"""
    from oms.services.payments import carry_out_operation

    return carry_out_operation(operation_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resume_payment_operations() -> int:
    """Beat job: carry out again the payment operations whose task was lost."""
    from datetime import timedelta

    from oms.core.queueing import enqueue
    from oms.services.payments import stale_pending_operations

    operation_ids = stale_pending_operations(older_than=timedelta(minutes=10))
    for operation_id in operation_ids:
        enqueue(execute_payment_operation, operation_id)
    return len(operation_ids)
