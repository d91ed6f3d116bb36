"""Periodic work of release management."""

from celery import shared_task


@shared_task
def release_tag_hypercare_incidents() -> int:
    """Beat, every 10 minutes: tag incidents raised during hypercare. Idempotent."""
    from releases.services import release_tag_hypercare_incidents as tag

    return tag()
