from celery import shared_task

from itsm.idempotency import services


@shared_task
def idempotent_requests_prune() -> int:
    """Beat, hourly: forget Idempotency-Keys older than the retention window."""
    return services.idempotent_requests_prune()
