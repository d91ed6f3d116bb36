"""Celery tasks for the outbox; routed to the `notifications` queue (settings)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notification_deliver_many(notification_ids: list[int]) -> None:
    """Enqueued on commit, by a back-off retry, or by the sweep: sends a chunk of outbox rows.

    One task per chunk instead of one per row (publishing 10 000 tasks took longer than the
    SLA sweep that wrote the rows). Each row is still delivered on its own: the service
    claims it first, so a duplicated chunk, or one Redis redelivers after its worker was
    killed (acks_late), sends nothing twice, and a failed
    send schedules that row's own retry with back-off without touching the others.
    """
    from itsm.notifications.services import notification_deliver as deliver

    for notification_id in notification_ids:
        try:
            if deliver(notification_id=notification_id) is None:
                logger.info("Notification %s was already handled or is gone.", notification_id)
        except Exception:
            # Not a delivery error (those are recorded on the row): a bug, or the database
            # gone after the send. The row stays in `sending` until its claim's lease runs out
            # and the sweep settles it (an e-mail to review, a webhook sent again), exactly as
            # when the single-row task raised; the rest of the chunk must still go out.
            logger.exception("Delivering notification %s failed unexpectedly.", notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notification_deliver(notification_id: int) -> None:
    """The single-row task, kept for messages published before chunked delivery: sends one
    outbox row, idempotently (see `notification_deliver_many`)."""
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


@shared_task
def inapp_prune() -> None:
    """Daily from beat: forget notification-centre lines older than ITSM_INAPP_KEEP_DAYS."""
    from django.conf import settings

    from itsm.notifications.services import inapp_prune as prune

    deleted = prune(older_than_days=settings.ITSM_INAPP_KEEP_DAYS)
    if deleted:
        logger.info(
            "Notification centre: %d line(s) older than %d days deleted.",
            deleted,
            settings.ITSM_INAPP_KEEP_DAYS,
        )
