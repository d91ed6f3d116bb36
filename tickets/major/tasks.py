"""Celery tasks of major incidents."""

from celery import shared_task


@shared_task
def major_incident_reminders() -> int:
    """Beat, every minute: remind each active major incident's manager once per missed update
    cadence. Idempotent: the unique ReminderFired row makes a repeated run send nothing."""
    from tickets.major.services import major_incident_reminders as remind

    return remind()
