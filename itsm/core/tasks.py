from celery import shared_task


@shared_task(ignore_result=True)
def worker_heartbeat(queue: str) -> None:
    """Sent by beat to every queue every ITSM_WORKER_HEARTBEAT_SECONDS; records in PostgreSQL
    that a worker consumes from `queue`. Expires before the next one, so a backlog after an
    outage never runs a pile of them."""
    from itsm.core.services import worker_heartbeat_record

    worker_heartbeat_record(queue=queue, heartbeat=True)


@shared_task
def echo(value: str) -> str:
    """Round-trips a value through the broker; used by the worker smoke test and ops checks."""
    return value
