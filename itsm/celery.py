"""The Celery application: Redis broker, four queues, beat schedule from settings."""

import logging
import os
import time

from celery import Celery
from celery.signals import beat_init, celeryd_init, task_postrun
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

logger = logging.getLogger(__name__)

app = Celery("itsm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "sla", "notifications", "mail")]
app.autodiscover_tasks()
# The tickets app keeps the tasks of its sub-domains in their own packages.
app.autodiscover_tasks(["tickets.sla", "tickets.major", "tickets.mail"])


def _reconnect_forever(conf) -> None:
    # Only `celery worker` and `celery beat` get here (their start-up signals): a web
    # process keeps CELERY_BROKER_CONNECTION_MAX_RETRIES and never waits on the broker.
    from django.conf import settings

    conf.broker_connection_max_retries = settings.ITSM_WORKER_BROKER_CONNECTION_MAX_RETRIES
    conf.broker_connection_retry = True


@celeryd_init.connect
def _prepare_worker(conf=None, **_kwargs: object) -> None:
    # A worker that cannot reach Postgres or Redis would only print connection tracebacks.
    from itsm.core.startup import exit_unless_services_reachable

    exit_unless_services_reachable()
    _reconnect_forever(conf if conf is not None else app.conf)
    # Set once at start-up; forked pool children inherit it.
    global _records_activity
    _records_activity = True


@beat_init.connect
def _prepare_beat(sender=None, **_kwargs: object) -> None:
    _reconnect_forever(sender.app.conf if sender is not None else app.conf)


# --- Worker liveness ---
# Set only in a `celery worker` process: eager tasks in tests and web processes record nothing.
_records_activity = False
_last_recorded: dict[str, float] = {}


@task_postrun.connect
def _record_worker_activity(task=None, **_kwargs: object) -> None:
    """A worker that runs tasks is alive even when beat's heartbeat waits behind a backlog;
    recorded at most once per heartbeat period per queue and process."""
    if not _records_activity or task is None or task.name == "itsm.core.tasks.worker_heartbeat":
        return
    from django.conf import settings
    from django.db import DatabaseError

    from itsm.core.services import worker_heartbeat_record

    queue = (task.request.delivery_info or {}).get("routing_key") or "default"
    now = time.monotonic()
    if now - _last_recorded.get(queue, -1e9) < settings.ITSM_WORKER_HEARTBEAT_SECONDS:
        return
    _last_recorded[queue] = now
    try:
        worker_heartbeat_record(queue=queue, heartbeat=False)
    except DatabaseError as error:
        logger.warning("Could not record worker activity on %s: %s", queue, error)
