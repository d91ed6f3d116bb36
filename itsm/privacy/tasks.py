"""Celery tasks of the privacy app."""

from celery import shared_task


@shared_task
def attachment_retention_purge() -> int:
    """Beat, daily: purge attachments of tickets closed past ITSM_RETENTION_ATTACHMENT_DAYS.
    Idempotent: what is purged is gone and not selected again."""
    from itsm.privacy.services import attachment_retention_purge as purge

    return purge()
