"""Writes of the dashboards: the weekly summary email to service desk managers."""

from datetime import date, timedelta
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from itsm.accounts.models import User
from itsm.accounts.roles import Role
from itsm.dashboards.models import WeeklySummarySent
from itsm.dashboards.selectors import (
    DashboardFilters,
    DashboardScope,
    dashboard_backlog_age,
    dashboard_csat,
    dashboard_first_contact_resolution,
    dashboard_response_times,
    dashboard_sla_compliance,
    dashboard_sla_now,
    dashboard_targets,
)

WEEKLY_SUMMARY_EVENT = "dashboard_weekly_summary"


def _last_week() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


class _PanelArguments(TypedDict):
    scope: DashboardScope
    filters: DashboardFilters
    targets: dict[str, float]


def _fmt(value: Any, unit: str = "") -> str:
    return "no data" if value is None else f"{value}{unit}"


def dashboard_weekly_summary_text(*, week_start: date) -> tuple[str, str]:
    """The summary's title and plain-text body for the week (Monday) starting `week_start`."""
    scope = DashboardScope(everything=True, label="the whole service desk")
    filters = DashboardFilters(date_from=week_start, date_to=week_start + timedelta(days=6))
    targets = dashboard_targets()
    kwargs: _PanelArguments = {"scope": scope, "filters": filters, "targets": targets}
    sla = {s["label"]: s["value"] for s in dashboard_sla_compliance(**kwargs).summary}
    now = {s["label"]: s["value"] for s in dashboard_sla_now(**kwargs).summary}
    backlog = dashboard_backlog_age(**kwargs)
    times = dashboard_response_times(**kwargs).rows
    fcr = dashboard_first_contact_resolution(**kwargs).summary[0]["value"]
    csat = {s["label"]: s["value"] for s in dashboard_csat(**kwargs).summary}
    lines = [
        f"Week of {week_start:%d %B %Y} (Monday to Sunday).",
        "",
        f"SLA first response met: {_fmt(sla['First response met'], ' %')} "
        f"(target {targets['sla_response']} %)",
        f"SLA resolution met: {_fmt(sla['Resolution met'], ' %')} "
        f"(target {targets['sla_resolution']} %)",
        f"Mean / median time to resolve: {_fmt(times[1][1], ' h')} / {_fmt(times[1][2], ' h')} "
        "(business hours)",
        f"First-contact resolution: {_fmt(fcr, ' %')} (target {targets['fcr']} %)",
        f"Satisfaction: {_fmt(csat['Average rating'], ' / 5')} from {csat['Answers']} answers "
        f"(target {targets['csat']})",
        "",
        f"Now: {now['Breached now']} tickets breached, {now['At risk']} at risk, "
        f"{backlog.summary[0]['value']} open "
        f"({backlog.rows[-1][1] + backlog.rows[-2][1]} older than a week).",
    ]
    return f"Service desk weekly summary: week of {week_start:%d %b %Y}", "\n".join(lines)


@transaction.atomic
def dashboard_weekly_summary_send(*, week_start: date | None = None) -> int:
    """Write the weekly summary to every active service desk manager through the outbox.

    The week defaults to the last complete one (Monday to Sunday). A WeeklySummarySent row
    per week is the claim: a second run for the same week (beat retried, two beats) finds it
    and sends nothing. Returns how many managers it was written to.
    """
    from itsm.notifications.services import notification_create

    week_start = week_start or _last_week()
    _sent, created = WeeklySummarySent.objects.get_or_create(week_start=week_start)
    if not created:
        return 0
    recipients = list(
        User.objects.filter(is_active=True, groups__name=Role.SERVICE_DESK_MANAGER).distinct()
    )
    title, message = dashboard_weekly_summary_text(week_start=week_start)
    query = urlencode({"date_from": week_start, "date_to": week_start + timedelta(days=6)})
    notification_create(
        event=WEEKLY_SUMMARY_EVENT,
        recipients=recipients,
        context={
            "title": title,
            "message": message,
            "url": f"{settings.SITE_URL}{reverse('dashboards:overview')}?{query}",
        },
    )
    WeeklySummarySent.objects.filter(week_start=week_start).update(recipients=len(recipients))
    return len(recipients)
