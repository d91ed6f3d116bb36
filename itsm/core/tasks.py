from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from itsm.core.views import BEAT_HEARTBEAT_KEY


@shared_task
def beat_heartbeat() -> None:
    """Sent by beat every minute; records that beat and a worker are both alive."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=180)


@shared_task
def echo(value: str) -> str:
    """Round-trips a value through the broker; used by the worker smoke test and ops checks."""
    return value
