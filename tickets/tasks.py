"""Celery tasks of the ticket core; the sub-domains keep theirs (tickets.sla, tickets.major)."""

from celery import shared_task


@shared_task
def tickets_auto_close() -> int:
    """Beat, every 15 minutes: close resolved tickets past the reopen window. Idempotent:
    a ticket already closed is simply not selected again."""
    from tickets.services import tickets_auto_close as close

    return close()
