"""The weekly summary email: outbox rows for managers, once per week, with last week's figures."""

from datetime import date

from itsm.dashboards.models import WeeklySummarySent
from itsm.dashboards.services import dashboard_weekly_summary_send, dashboard_weekly_summary_text
from itsm.dashboards.tasks import dashboard_weekly_summary
from itsm.notifications.models import Notification


def test_weekly_summary_goes_to_each_manager_through_the_outbox(history, manager):
    sent = dashboard_weekly_summary_send(week_start=date(2026, 3, 9))
    assert sent == 1
    rows = Notification.objects.filter(event="dashboard_weekly_summary")
    assert [row.recipient for row in rows] == [manager]
    mail = rows.get()
    assert "Service desk weekly summary" in mail.subject
    # W2 (03-09..03-15): responses T3, T4 met → 100 %; resolutions T3 breached, T4 met → 50 %.
    assert "SLA first response met: 100.0 %" in mail.body_text
    assert "SLA resolution met: 50.0 %" in mail.body_text
    assert "/dashboards/?date_from=2026-03-09&date_to=2026-03-15" in mail.body_text


def test_a_second_run_for_the_same_week_sends_nothing(history, manager):
    assert dashboard_weekly_summary_send(week_start=date(2026, 3, 9)) == 1
    assert dashboard_weekly_summary_send(week_start=date(2026, 3, 9)) == 0
    assert Notification.objects.filter(event="dashboard_weekly_summary").count() == 1
    assert WeeklySummarySent.objects.get().recipients == 1


def test_the_beat_task_summarises_the_last_complete_week(history, manager):
    # Now is Wednesday 2026-03-18: the last complete week started Monday 03-09.
    assert dashboard_weekly_summary() == 1
    assert WeeklySummarySent.objects.get().week_start == date(2026, 3, 9)


def test_summary_text_counts_breaches_and_old_backlog_now(history):
    _title, text = dashboard_weekly_summary_text(week_start=date(2026, 3, 2))
    # Now: T6 breached, T7 at risk; open T6, T7, T8, T9, of which T8 is older than a week.
    assert "Now: 1 tickets breached, 1 at risk, 4 open (1 older than a week)." in text
    # W1: answers T1 5 and T2 3 → 4.0 from 2.
    assert "Satisfaction: 4.0 / 5 from 2 answers" in text


def test_beat_schedule_has_the_weekly_summary_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-weekly-summary"]
    assert entry["task"] == "itsm.dashboards.tasks.dashboard_weekly_summary"
    assert 0 < entry["options"]["expires"] < 7 * 24 * 3600
