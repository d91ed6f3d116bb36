"""Ticket writes through a Redis outage and a Redis freeze, with a real worker. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/pytest \
        bench/fault_redis.py -p no:warnings -p no:xdist -s -m worker

It starts a throw-away Redis on a spare port and a real `celery worker` process against it
(tests/faults.py; never the shared Redis), then drives create / update / comment requests
through the API (and the desk queue page) in-process for FAULT_SECONDS with Redis killed, and
again with Redis frozen (SIGSTOP). It prints the writes that failed (target 0), the extra
request latency during the freeze (median / max against the same requests with Redis up),
and the time from Redis answering again until every notification was delivered, with the
outbox sweep run at that moment (in production beat runs it every minute and it takes rows
two minutes overdue, which adds up to three minutes).
"""

import os
import statistics
import time

import pytest

from itsm.notifications.models import Notification, SentMail
from tests.conftest import (  # noqa: F401 (pytest fixtures used by name)
    _own_cache_namespace,
    _plain_static_storage,
    agent,
    api_as,
    requester,
    service_desk_team,
)
from tests.core.test_redis_faults import _sweep_as_beat_would, redis_and_worker  # noqa: F401
from tests.faults import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FAULT_SECONDS = float(os.environ.get("BENCH_FAULT_SECONDS", "20"))
BASELINE_SECONDS = 8.0


class Load:
    """Create, update and comment cycles through the API, timed and counted."""

    def __init__(self, client, requester_email: str):
        self.client = client
        self.requester = requester_email
        self.count = 0

    def _cycle(self) -> list[tuple[str, float, bool]]:
        self.count += 1
        results = []

        def timed(what, call, ok_statuses):
            started = time.monotonic()
            try:
                ok = call().status_code in ok_statuses
            except Exception:  # a write that raised is a failed write, counted, not fatal
                ok = False
            results.append((what, time.monotonic() - started, ok))
            return ok

        number = None

        def create():
            nonlocal number
            response = self.client.post(
                "/api/v1/incidents/",
                {"short_description": f"Fault load {self.count}", "requester": self.requester},
                format="json",
            )
            if response.status_code == 201:
                number = response.json()["number"]
            return response

        if timed("create", create, {201}) and number:
            path = f"/api/v1/incidents/{number}/"
            timed(
                "update",
                lambda: self.client.patch(path, {"version": 1, "impact": 2}, format="json"),
                {200},
            )
            timed(
                "comment",
                lambda: self.client.post(
                    path + "comments/", {"body": "On it.", "is_public": True}, format="json"
                ),
                {200, 201},
            )
        timed("queue page", lambda: self.client.get("/desk/tickets/?queue=open"), {200})
        return results

    def run_for(self, seconds: float) -> list[tuple[str, float, bool]]:
        results = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            results.extend(self._cycle())
        return results


def _failed_writes(results) -> tuple[int, int]:
    writes = [ok for what, _, ok in results if what != "queue page"]
    return writes.count(False), len(writes)


def _drain_seconds() -> float:
    started = time.monotonic()
    _sweep_as_beat_would()
    total = Notification.objects.count()
    delivered = wait_until(
        lambda: Notification.objects.filter(status="sent").count() == total, timeout=120
    )
    assert delivered, "the backlog was not delivered within 120 s"
    return time.monotonic() - started


def test_ticket_writes_through_a_redis_outage_and_a_freeze(
    redis_and_worker,  # noqa: F811
    api_as,  # noqa: F811
    agent,  # noqa: F811
    requester,  # noqa: F811
):
    redis, worker = redis_and_worker
    client = api_as(agent)
    client.force_login(agent)
    load = Load(client, requester.email)
    load.run_for(2)  # warm up
    baseline = load.run_for(BASELINE_SECONDS)
    normal = {w: statistics.median(s for x, s, _ in baseline if x == w) for w, _, _ in baseline}

    redis.kill()
    outage = load.run_for(FAULT_SECONDS)
    redis.start()
    outage_drain = _drain_seconds()
    assert worker.alive(), worker.log()[-3000:]

    redis.freeze()
    try:
        freeze = load.run_for(FAULT_SECONDS)
    finally:
        redis.thaw()
    freeze_drain = _drain_seconds()

    extra = [seconds - normal[what] for what, seconds, _ in freeze]
    outage_failed, outage_writes = _failed_writes(outage)
    freeze_failed, freeze_writes = _failed_writes(freeze)
    sent, notifications = SentMail.objects.count(), Notification.objects.count()
    print()
    print(
        f"Redis killed for {FAULT_SECONDS:.0f} s: {outage_failed} of {outage_writes} writes failed"
    )
    print(
        f"Redis frozen for {FAULT_SECONDS:.0f} s: {freeze_failed} of {freeze_writes} writes failed"
    )
    print(
        f"extra request latency during the freeze: median {statistics.median(extra) * 1000:.0f} ms,"
        f" max {max(extra) * 1000:.0f} ms ({len(extra)} requests)"
    )
    for what, seconds in normal.items():
        during = [s - seconds for w, s, _ in freeze if w == what]
        print(
            f"  {what}: normally {seconds * 1000:.0f} ms; during the freeze "
            f"+{statistics.median(during) * 1000:.0f} ms median, +{max(during) * 1000:.0f} ms max"
        )
    print(
        f"backlog drained after recovery (sweep run at once): after the outage "
        f"{outage_drain:.1f} s, after the freeze {freeze_drain:.1f} s"
    )
    alive = "alive" if worker.alive() else "DEAD"
    print(f"notifications: {notifications} written, {sent} mails sent; the worker is {alive}")
