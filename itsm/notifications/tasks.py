"""Celery tasks for the outbox; routed to the `notifications` queue (settings)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notification_deliver(notification_id: int) -> None:
    """Enqueued on commit, by a back-off retry, or by the sweep: sends one outbox row.

    Idempotent: the service claims the row first, so a duplicate or redelivered task (or a
    row that is gone or already sent) does nothing. Retries are not Celery retries: the
    service records the failure on the row and schedules the next attempt with back-off, so
    the retry survives a broker restart.
    """
    from itsm.notifications.services import notification_deliver as deliver

    if deliver(notification_id=notification_id) is None:
        logger.info("Notification %s was already handled or is gone.", notification_id)


@shared_task
def notification_sweep() -> None:
    """Every minute from beat: re-enqueues pending rows whose delivery task was lost (for
    example while Redis was down) and reclaims rows a dead worker left in `sending`."""
    from itsm.notifications.services import notification_sweep as sweep

    enqueued = sweep()
    if enqueued:
        logger.info("Notification sweep re-enqueued %d row(s).", enqueued)
