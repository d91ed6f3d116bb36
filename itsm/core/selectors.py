"""Platform reads that belong to no process: the workers' liveness."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from itsm.core.models import WorkerHeartbeat


def _last_sign(row: WorkerHeartbeat) -> datetime | None:
    signs = [at for at in (row.heartbeat_at, row.task_at) if at is not None]
    return max(signs, default=None)


def worker_liveness_problems(*, queues: Iterable[str], max_age_seconds: int) -> list[str]:
    """One plain sentence per queue that no worker consumed from in the last
    `max_age_seconds` (no heartbeat and no other task), for /healthz and `worker_alive`."""
    queues = list(queues)
    rows = {row.queue: row for row in WorkerHeartbeat.objects.filter(queue__in=queues)}
    now = timezone.now()
    problems = []
    for queue in queues:
        row = rows.get(queue)
        last = _last_sign(row) if row is not None else None
        if last is None:
            problems.append(f"no worker has run a task from the {queue} queue yet")
        elif now - last > timedelta(seconds=max_age_seconds):
            age = int((now - last).total_seconds())
            problems.append(f"no worker has run a task from the {queue} queue for {age} s")
    return problems


def beat_liveness_problem(*, max_age_seconds: int) -> str | None:
    """A sentence when no heartbeat task ran on any queue lately (beat is not sending)."""
    latest = max(
        (at for at in WorkerHeartbeat.objects.values_list("heartbeat_at", flat=True) if at),
        default=None,
    )
    if latest is None:
        return "no heartbeat from beat has arrived yet"
    age = (timezone.now() - latest).total_seconds()
    if age > max_age_seconds:
        return f"the last heartbeat from beat arrived {int(age)} s ago"
    return None
