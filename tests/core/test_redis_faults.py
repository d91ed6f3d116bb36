"""Redis faults against real services the tests start: a throw-away Redis that is killed,
frozen and restarted, and a real Celery worker process (DESIGN §9 and §11: a Redis outage
delays delivery, never loses it; a request never waits on Redis; the worker comes back)."""

import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from itsm.core import cache as core_cache
from itsm.core.models import WorkerHeartbeat
from itsm.notifications.models import Notification, SentMail
from itsm.notifications.services import dispatch, notification_create, notification_sweep
from tests.faults import (
    ROOT,
    ThrowawayRedis,
    WorkerProcess,
    cache_on,
    database_url,
    wait_until,
)
from tickets.models import Comment, Ticket

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CONTEXT = {"title": "INC0001001 assigned to you", "message": "P2", "url": "http://x/1/"}
# DESIGN §11 and the target: a frozen Redis adds at most this to any request.
FREEZE_BUDGET = 0.5


@pytest.fixture
def redis_and_worker(settings, tmp_path):
    """A throw-away Redis that this process and a real worker process both use."""
    from itsm.celery import app

    redis = ThrowawayRedis(tmp_path)
    redis.start()
    settings.REDIS_URL = redis.url
    cache_on(settings, redis.url)
    saved_broker = app.conf.broker_url
    app.conf.broker_url = redis.url
    dispatch._pending.ids = []
    core_cache._skip_until = 0.0
    worker = WorkerProcess(
        redis_url=redis.url,
        db_url=database_url(connection.settings_dict),
        log_path=tmp_path / "worker.log",
    )
    try:
        worker.start()
        yield redis, worker
    finally:
        worker.stop()
        redis.stop()
        app.conf.broker_url = saved_broker
        dispatch._broker.cached = None
        core_cache._skip_until = 0.0


def _sweep_as_beat_would() -> int:
    # The sweep takes rows two minutes overdue; move them back instead of waiting.
    Notification.objects.filter(status="pending").update(
        next_attempt_at=timezone.now() - timedelta(minutes=3)
    )
    return notification_sweep()


def _all_sent(count: int) -> bool:
    return Notification.objects.filter(status="sent").count() == count


def test_the_worker_survives_a_redis_outage_and_drains_the_backlog(
    redis_and_worker, agent, requester
):
    redis, worker = redis_and_worker
    with transaction.atomic():
        notification_create(event="incident_assigned", recipients=[agent], context=CONTEXT)
    assert wait_until(lambda: _all_sent(1), timeout=20), worker.log()[-2000:]

    redis.kill()
    died = time.monotonic()
    for _ in range(5):
        started = time.monotonic()
        with transaction.atomic():
            notification_create(
                event="incident_assigned", recipients=[agent, requester], context=CONTEXT
            )
        # Redis refuses the connection: the commit gives up on enqueueing at once.
        assert time.monotonic() - started < FREEZE_BUDGET
    time.sleep(max(0.0, 10 - (time.monotonic() - died)))
    assert worker.alive(), worker.log()[-3000:]

    redis.start()
    assert _sweep_as_beat_would() == 10
    # The worker reconnects by itself (back-off of at most 8 s after a 10 s outage).
    assert wait_until(lambda: _all_sent(11), timeout=40), worker.log()[-3000:]
    assert SentMail.objects.count() == 11
    assert worker.alive()
    log = worker.log()
    assert "Unrecoverable error" not in log
    assert "Trying again" in log  # each reconnection attempt is logged
    # Draining counts as liveness even though beat sent no heartbeat here.
    assert WorkerHeartbeat.objects.get(queue="notifications").task_at is not None


def _timed(call) -> tuple[float, object]:
    started = time.monotonic()
    response = call()
    return time.monotonic() - started, response


def _ticket_writes(client, requester, index: int) -> list[tuple[str, float, object]]:
    """Create, update and comment on a ticket through the API, and load the desk queue;
    return (what, seconds, response) for each."""
    elapsed, created = _timed(
        lambda: client.post(
            "/api/v1/incidents/",
            {"short_description": f"VPN drops {index}", "requester": requester.email},
            format="json",
        )
    )
    timings = [("create", elapsed, created)]
    number = created.json()["number"]
    timings.append(
        ("update", *_timed(lambda: client.patch(
            f"/api/v1/incidents/{number}/", {"version": 1, "impact": 2}, format="json"
        )))
    )  # fmt: skip
    timings.append(
        ("comment", *_timed(lambda: client.post(
            f"/api/v1/incidents/{number}/comments/",
            {"body": f"Looking at it ({index}).", "is_public": True},
            format="json",
        )))
    )  # fmt: skip
    timings.append(("queue page", *_timed(lambda: client.get("/desk/tickets/?queue=open"))))
    return timings


def test_a_frozen_redis_adds_less_than_half_a_second_to_a_ticket_write(
    redis_and_worker, api_as, agent, requester
):
    redis, worker = redis_and_worker
    client = api_as(agent)
    client.force_login(agent)  # the desk page signs in by session
    _ticket_writes(client, requester, 0)  # warm up: imports, URL resolvers, connections
    normal: dict[str, list[float]] = {}
    for index in range(1, 4):
        for what, seconds, _ in _ticket_writes(client, requester, index):
            normal.setdefault(what, []).append(seconds)
    assert wait_until(lambda: _all_sent(Notification.objects.count()), timeout=30)

    redis.freeze()
    try:
        for index in range(4, 7):
            for what, seconds, response in _ticket_writes(client, requester, index):
                assert response.status_code in (200, 201), (what, response.content[:300])
                extra = seconds - statistics.median(normal[what])
                assert extra < FREEZE_BUDGET, f"{what} took {seconds:.2f} s during the freeze"
    finally:
        redis.thaw()
    # Every write of the freeze is in PostgreSQL.
    frozen = Ticket.objects.filter(short_description__in=[f"VPN drops {i}" for i in (4, 5, 6)])
    assert frozen.count() == 3
    assert set(frozen.values_list("impact", flat=True)) == {2}
    assert Comment.objects.filter(ticket__in=frozen).count() == 3

    assert _sweep_as_beat_would() > 0
    total = Notification.objects.count()
    assert wait_until(lambda: _all_sent(total), timeout=40), worker.log()[-3000:]
    assert SentMail.objects.count() == total  # every notification, each once


def test_a_stalled_worker_fails_its_liveness_check(redis_and_worker, client, settings):
    from itsm.celery import app
    from itsm.core.tasks import worker_heartbeat

    redis, worker = redis_and_worker
    # Long enough for `manage.py worker_alive` to start on a loaded machine (Django's set-up
    # takes seconds there) before a heartbeat of a moment ago counts as stale.
    settings.ITSM_WORKER_STALE_SECONDS = 8

    def beat_sends_heartbeats() -> None:
        # Its own connection: the app's producer pool may still point at an earlier broker.
        with app.connection_for_write(redis.url) as broker:
            for queue in settings.CELERY_TASK_QUEUES_NAMES:
                worker_heartbeat.apply_async(
                    args=[queue], queue=queue, expires=10, connection=broker
                )

    def liveness() -> dict:
        return client.get("/healthz").json()["checks"]["worker_liveness"]

    beat_sends_heartbeats()
    assert wait_until(lambda: liveness()["ok"], timeout=20), (liveness(), worker.log()[-2500:])
    assert _worker_alive_exit_code(settings) == 0

    # The consumer stops (the process lives on and keeps its Redis connections).
    os.killpg(worker.process.pid, signal.SIGSTOP)
    try:
        time.sleep(settings.ITSM_WORKER_STALE_SECONDS + 1)
        beat_sends_heartbeats()
        response = client.get("/healthz")
        body = response.json()
        assert response.status_code == 503
        assert body["checks"]["worker_liveness"]["ok"] is False
        assert "notifications queue for" in body["checks"]["worker_liveness"]["detail"]
        assert _worker_alive_exit_code(settings) == 1
    finally:
        os.killpg(worker.process.pid, signal.SIGCONT)

    # Back to work, and live again at beat's next heartbeat (the ones queued while it was
    # stopped may have expired by the time it resumed on a loaded machine).
    beat_sends_heartbeats()
    assert wait_until(lambda: liveness()["ok"], timeout=20), (liveness(), worker.log()[-2500:])


def _worker_alive_exit_code(settings) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url(connection.settings_dict),
        ITSM_WORKER_STALE_SECONDS=str(settings.ITSM_WORKER_STALE_SECONDS),
    )
    return subprocess.run(
        [sys.executable, "manage.py", "worker_alive"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    ).returncode
