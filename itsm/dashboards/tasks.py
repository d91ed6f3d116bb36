from celery import shared_task


@shared_task
def dashboard_weekly_summary() -> int:
    """Beat, Mondays 07:00: email last week's service desk figures to the managers.

    Idempotent: the week's WeeklySummarySent row is claimed inside the service's
    transaction, so a duplicated or retried run writes no second email.
    """
    from itsm.dashboards.services import dashboard_weekly_summary_send

    return dashboard_weekly_summary_send()
