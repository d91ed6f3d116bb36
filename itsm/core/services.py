"""Platform writes that belong to no process: the workers' liveness heartbeats."""

from django.utils import timezone

from itsm.core.models import WorkerHeartbeat


def worker_heartbeat_record(*, queue: str, heartbeat: bool) -> None:
    """Record that a worker just ran a task from `queue`: the heartbeat task itself when
    `heartbeat`, any other task otherwise. One upsert, no transaction of its own: two
    workers recording at once both succeed, and the later time wins."""
    now = timezone.now()
    field = "heartbeat_at" if heartbeat else "task_at"
    WorkerHeartbeat.objects.bulk_create(
        [WorkerHeartbeat(queue=queue, **{field: now})],
        update_conflicts=True,
        unique_fields=["queue"],
        update_fields=[field],
    )
