from celery import shared_task


@shared_task
def dashboard_weekly_summary() -> int:
    """Beat, Mondays 07:00: email last week's service desk figures to the managers.

    Idempotent: the week's WeeklySummarySent row is claimed inside the service's
    transaction, so a duplicated or retried run writes no second email.
    """
    from itsm.dashboards.services import dashboard_weekly_summary_send

    return dashboard_weekly_summary_send()


@shared_task
def dashboard_rollup_refresh() -> int:
    """Beat, every 5 minutes: bring the overview's rollup up to date (the tickets touched
    since the last run; every ticket once a day) and retake the open-ticket snapshot.

    Safe to run twice at once: the second waits for the first's row lock, then finds
    nothing left to do. Returns how many tickets' facts changed.
    """
    from itsm.dashboards.rollup import dashboard_rollup_refresh as refresh

    return refresh().tickets
