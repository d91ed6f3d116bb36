from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from itsm.core.models import WorkerHeartbeat
from itsm.core.services import worker_heartbeat_record


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_health_is_200_when_database_redis_and_a_worker_answer(client, celery_worker, settings):
    for queue in settings.CELERY_WORKER_QUEUES:
        worker_heartbeat_record(queue=queue, heartbeat=True)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery_worker"]["ok"] is True
    assert body["checks"]["worker_liveness"]["ok"] is True


@pytest.mark.django_db
def test_health_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["celery_worker"]["ok"] is False


@pytest.mark.django_db
def test_health_is_503_when_no_worker_answers(client, settings):
    settings.ITSM_HEALTH_WORKER_TIMEOUT = 0.2
    from itsm.celery import app

    # A broadcast to a private exchange nobody listens on stands in for "no worker running".
    original = app.control.ping
    app.control.ping = lambda timeout: []
    try:
        response = client.get("/healthz")
    finally:
        app.control.ping = original
    assert response.status_code == 503
    assert response.json()["checks"]["celery_worker"]["ok"] is False


@pytest.mark.django_db
def test_health_is_503_when_a_queue_has_had_no_work_lately(client, settings):
    """The worker answers pings, yet nothing was consumed from `sla` for too long."""
    from itsm.celery import app

    settings.ITSM_WORKER_STALE_SECONDS = 60
    for queue in settings.CELERY_WORKER_QUEUES:
        worker_heartbeat_record(queue=queue, heartbeat=True)
    now = timezone.now()
    WorkerHeartbeat.objects.filter(queue="sla").update(heartbeat_at=now - timedelta(seconds=61))
    original = app.control.ping
    app.control.ping = lambda timeout: [{"celery@host": {"ok": "pong"}}]
    try:
        # The clock stands still, so a slow machine does not make it "62 s".
        with time_machine.travel(now, tick=False):
            response = client.get("/healthz")
    finally:
        app.control.ping = original
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["worker_liveness"] == {
        "ok": False,
        "detail": "no worker has run a task from the sla queue for 61 s",
    }
