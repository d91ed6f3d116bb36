"""The Celery application: Redis broker, four queues, beat schedule from settings."""

import os

from celery import Celery
from celery.signals import celeryd_init
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

app = Celery("itsm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "sla", "notifications", "mail")]
app.autodiscover_tasks()
# The tickets app keeps the tasks of its sub-domains in their own packages.
app.autodiscover_tasks(["tickets.sla", "tickets.major", "tickets.mail"])


@celeryd_init.connect
def _refuse_to_start_without_services(**_kwargs: object) -> None:
    # A worker that cannot reach Postgres or Redis would only print connection tracebacks.
    from itsm.core.startup import exit_unless_services_reachable

    exit_unless_services_reachable()
