from celery import shared_task


@shared_task
def tickets_auto_close() -> int:
    """Beat, every 15 minutes: close resolved tickets past the reopen window. Idempotent:
    a ticket already closed is simply not selected again."""
    from tickets.services import tickets_auto_close as close

    return close()


@shared_task
def major_incident_reminders() -> int:
    """Beat, every minute: remind each active major incident's manager once per missed update
    cadence. Idempotent: the unique ReminderFired row makes a repeated run send nothing."""
    from tickets.major import major_incident_reminders as remind

    return remind()


@shared_task
def sla_sweep() -> int:
    """Beat, every minute (ITSM_SLA_SWEEP_SECONDS), on the `sla` queue: fire the SLA
    thresholds that are due, batch by batch, until a batch comes back short.

    Safe to duplicate or retry: batches claim clocks with SKIP LOCKED and each threshold is
    recorded under a unique (clock, threshold) key, so it notifies exactly once.
    """
    from tickets.sla_services import sla_sweep as sweep

    return sweep()
