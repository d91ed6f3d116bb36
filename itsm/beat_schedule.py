"""Celery beat's schedule: what runs periodically, and how often (itsm/settings.py).

Exactly one beat process runs these (Procfile / docker-compose). Every entry expires before
its next run so a backlog after an outage never piles up duplicates.
"""

from collections.abc import Iterable
from typing import Any

import environ
from celery.schedules import crontab


def beat_schedule(
    env: environ.Env,
    *,
    queues: Iterable[str],
    heartbeat_seconds: int,
    sla_sweep_seconds: int,
    mail_poll_seconds: int,
) -> dict[str, dict[str, Any]]:
    return {
        # Forget API Idempotency-Keys past their retention window — every hour.
        "idempotency-prune": {
            "task": "itsm.idempotency.tasks.idempotent_requests_prune",
            "schedule": crontab(minute=17),
            "options": {"expires": 3000},
        },
        # Worker liveness (ITSM_WORKER_HEARTBEAT_SECONDS): one heartbeat task on every queue,
        # so a queue nobody consumes goes stale in /healthz — every 15 seconds by default.
        **{
            f"worker-heartbeat-{queue}": {
                "task": "itsm.core.tasks.worker_heartbeat",
                "schedule": float(heartbeat_seconds),
                "args": [queue],
                "options": {"queue": queue, "expires": max(heartbeat_seconds - 5, 1)},
            }
            for queue in queues
        },
        # Purge attachments of tickets closed past ITSM_RETENTION_ATTACHMENT_DAYS (a no-op at 0)
        # — every day at 03:41.
        "privacy-attachment-retention": {
            "task": "itsm.privacy.tasks.attachment_retention_purge",
            "schedule": crontab(hour=3, minute=41),
            "options": {"expires": 3600},
        },
        # Forget notification-centre lines past ITSM_INAPP_KEEP_DAYS — every day at 03:53.
        "notifications-inapp-prune": {
            "task": "itsm.notifications.tasks.inapp_prune",
            "schedule": crontab(hour=3, minute=53),
            "options": {"expires": 3600},
        },
        # Close resolved tickets whose reopen window has passed — every 15 minutes.
        "tickets-auto-close": {
            "task": "tickets.tasks.tickets_auto_close",
            "schedule": crontab(minute="*/15"),
            "options": {"expires": 600},
        },
        # Fire SLA warnings and breaches whose time has come (tickets.sla.services) — every
        # minute by default; ITSM_SLA_SWEEP_SECONDS changes the interval.
        "sla-sweep": {
            "task": "tickets.sla.tasks.sla_sweep",
            "schedule": float(sla_sweep_seconds),
            "options": {"expires": max(sla_sweep_seconds - 10, 5)},
        },
        # Re-enqueue outbox notifications whose delivery task was lost (e.g. Redis was down) and
        # reclaim rows a dead worker left in `sending` — every minute.
        "notifications-sweep": {
            "task": "itsm.notifications.tasks.notification_sweep",
            "schedule": 60.0,
            "options": {"expires": 50},
        },
        # Tell the service desk about scheduled changes starting within the change policy's lead
        # time (each change once) — every 5 minutes.
        "changes-notify-upcoming": {
            "task": "changes.tasks.change_notify_upcoming",
            "schedule": crontab(minute="*/5"),
            "options": {"expires": 240},
        },
        # Tag incidents raised on a release's services during its hypercare window — every 10
        # minutes.
        "releases-tag-hypercare": {
            "task": "releases.tasks.release_tag_hypercare_incidents",
            "schedule": crontab(minute="*/10"),
            "options": {"expires": 540},
        },
        # Remind major-incident managers whose update cadence has passed (once per missed
        # cadence) — every minute.
        "major-incident-reminders": {
            "task": "tickets.major.tasks.major_incident_reminders",
            "schedule": 60.0,
            "options": {"expires": 50},
        },
        # Read the desk's mailboxes that are due (tickets.mail) — every minute by default.
        "mailboxes-poll": {
            "task": "tickets.mail.tasks.mailboxes_poll",
            "schedule": float(mail_poll_seconds),
            "options": {"expires": max(mail_poll_seconds - 10, 5)},
        },
        # Propose problem candidates from repeated incidents — daily at 05:30.
        "problem-candidates-detect": {
            "task": "problems.tasks.problem_candidates_detect",
            "schedule": crontab(
                hour=env.str("ITSM_PROBLEM_DETECT_HOUR", default="5"),
                minute=env.str("ITSM_PROBLEM_DETECT_MINUTE", default="30"),
            ),
            "options": {"expires": 3600},
        },
        # Email last week's service desk figures to the managers — Mondays at 07:00.
        "dashboard-weekly-summary": {
            "task": "itsm.dashboards.tasks.dashboard_weekly_summary",
            "schedule": crontab(
                day_of_week=env.str("ITSM_WEEKLY_SUMMARY_DAY", default="mon"),
                hour=env.str("ITSM_WEEKLY_SUMMARY_HOUR", default="7"),
                minute=env.str("ITSM_WEEKLY_SUMMARY_MINUTE", default="0"),
            ),
            "options": {"expires": 3600},
        },
        # Bring the dashboard overview's rollup and open-ticket snapshot up to date (the figures
        # say they can be 5 minutes behind) — every 5 minutes.
        "dashboard-rollup-refresh": {
            "task": "itsm.dashboards.tasks.dashboard_rollup_refresh",
            "schedule": crontab(minute="*/5"),
            "options": {"expires": 240},
        },
    }
