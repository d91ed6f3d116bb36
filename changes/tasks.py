"""Periodic work of change management."""

from celery import shared_task


@shared_task
def change_notify_upcoming() -> int:
    """Beat, every 5 minutes: tell the service desk about changes starting soon. Safe to run
    twice (each change is announced once, see the service); nothing to retry."""
    from changes.services import change_notify_upcoming as notify

    return notify()
