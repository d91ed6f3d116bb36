"""Delivery under faults, end to end: a real Celery worker in its own process that the test
SIGKILLs mid-delivery, a throw-away Redis broker, a real SMTP server and a real webhook
receiver that count what they got (issue #15; README "Delivery guarantees").

Figures: `ITSM_FAULT_WORKER_KILLS=10 .venv/bin/pytest -p no:xdist -s -m worker
tests/notifications/test_delivery_faults.py -k kills` prints duplicates and losses per channel.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection, transaction
from django.utils import timezone

from itsm.notifications.choices import NotificationChannel, NotificationStatus
from itsm.notifications.models import Notification, WebhookSubscription
from itsm.notifications.selectors import notification_count_needing_review
from itsm.notifications.services import (
    SENDING_TIMEOUT,
    email_message_id,
    notification_create,
    notification_sweep,
)
from tests.notifications.smtp_receiver import free_port, start_smtp_receiver
from tests.tickets.webhook_receiver import stalling_webhook_receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
CONTEXT = {"title": "INC0001001 assigned to you", "message": "P2", "url": "http://x/1/"}
SETTLED = {NotificationStatus.SENT, NotificationStatus.NEEDS_REVIEW}


# --- The stack the test owns ------------------------------------------------------------


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    """A throw-away redis-server on a spare loopback port: the broker of this module only, so
    the unacknowledged messages the test restores are its own."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    log = tmp_path_factory.mktemp("redis") / "redis.log"
    server = subprocess.Popen(
        [
            *("redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""),
            *("--appendonly", "no", "--logfile", str(log)),
        ]
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)
    yield url
    server.kill()
    server.wait(10)


@pytest.fixture(scope="module")
def fault_app(celery_app_for_tests, private_redis):
    """The project's Celery app publishing to the private broker, on this process's queue."""
    saved = celery_app_for_tests.conf.broker_url
    celery_app_for_tests.conf.broker_url = private_redis
    yield celery_app_for_tests
    celery_app_for_tests.conf.broker_url = saved


@pytest.fixture
def smtp():
    receiver, controller = start_smtp_receiver()
    yield receiver
    receiver.release.set()
    controller.stop()


@pytest.fixture
def hooks():
    with stalling_webhook_receiver() as server:
        yield server


class WorkerProcess:
    """`celery worker` in its own session (one solo process: SIGKILL stops every send)."""

    def __init__(self, *, app, broker: str, smtp_url: str, log_dir: Path) -> None:
        settings = connection.settings_dict
        self.application_name = f"itsm-fault-worker-{os.getpid()}"
        password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
        database = (
            f"postgres://{quote(settings['USER'], safe='')}{password}@{settings['HOST']}:"
            f"{settings['PORT']}/{settings['NAME']}?application_name={self.application_name}"
        )
        self.env = {
            **os.environ,
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": broker,
            "REDIS_URL": broker,
            "EMAIL_URL": smtp_url,
            "EMAIL_TIMEOUT": "20",
        }
        self.queue = app.conf.task_default_queue
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"worker-{self.starts}.log"
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    *(CELERY, "-A", "itsm", "worker", "--pool=solo", "--loglevel=INFO"),
                    *("-Q", self.queue, "-n", f"fault{self.starts}-{os.getpid()}@%h"),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"The worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, no warm shutdown: the task in hand is neither finished nor acknowledged."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill()


@pytest.fixture
def worker(fault_app, private_redis, smtp, tmp_path):
    process = WorkerProcess(
        app=fault_app, broker=private_redis, smtp_url=smtp.url, log_dir=tmp_path
    )
    process.start()
    yield process
    process.stop()


# --- Helpers ------------------------------------------------------------------------------


def _redeliver_unacknowledged(broker: str, app) -> int:
    """What Redis does after the visibility timeout (two hours): put the messages a dead
    worker took but never acknowledged back on their queue. Uses kombu's own restore."""
    tags = [tag.decode() for tag in redis.Redis.from_url(broker).hkeys("unacked")]
    with app.connection_for_write() as conn:
        qos = conn.default_channel.qos
        for tag in tags:
            qos.restore_by_tag(tag)
    return len(tags)


def _wait_until(predicate, *, timeout: float = 60.0, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}.")
        time.sleep(0.1)


def _statuses(ids) -> Counter:
    return Counter(Notification.objects.filter(pk__in=ids).values_list("status", flat=True))


def _lease_runs_out() -> None:
    """The sweep's lease on a send-claim is SENDING_TIMEOUT; age the claims instead of
    waiting ten minutes (not time_machine: the worker is another process)."""
    Notification.objects.filter(status=NotificationStatus.SENDING).update(
        claimed_at=timezone.now() - SENDING_TIMEOUT - timedelta(minutes=1)
    )


def _people(count: int):
    from tests.factories.accounts import UserFactory

    return [UserFactory(email=f"person{n}@example.com") for n in range(count)]


# --- Worker kills -------------------------------------------------------------------------


def test_worker_kills_mid_delivery_send_no_email_twice_and_lose_nothing(
    worker, fault_app, private_redis, smtp, hooks
):
    """GIVEN a worker delivering 3 e-mails and 1 webhook call per event
    WHEN it is SIGKILLed while the SMTP server or the webhook receiver holds its answer
         (alternately), a new worker starts and gets the unacknowledged task again, and
         later the sweep settles the claims that outlived their lease
    THEN no e-mail arrives twice and every one either arrived once or waits for review;
         every webhook call arrived, repeated only under the key it already had."""
    kills = int(os.environ.get("ITSM_FAULT_WORKER_KILLS", "4"))
    people = _people(3)
    WebhookSubscription.objects.create(name="Chat", url=hooks.url + "/hooks", secret="k")
    all_ids: list[int] = []
    stalled_email_ids: list[int] = []
    redelivered = 0
    for kill in range(kills):
        stall_email = kill % 2 == 0
        if stall_email:
            smtp.stalled.clear()
            smtp.behaviour = "stall"
        else:
            hooks.stalled.clear()
            hooks.stall_next = True
        with transaction.atomic():
            rows = notification_create(
                event="incident_assigned", recipients=people, context=CONTEXT
            )
        ids = [row.pk for row in rows]
        all_ids += ids
        (smtp.stalled if stall_email else hooks.stalled).wait(30)
        assert (smtp.stalled if stall_email else hooks.stalled).is_set(), "nothing stalled"
        worker.kill()
        in_flight = Notification.objects.get(pk__in=ids, status=NotificationStatus.SENDING)
        if stall_email:
            stalled_email_ids.append(in_flight.pk)

        worker.start()
        redelivered += _redeliver_unacknowledged(private_redis, fault_app)
        # The redelivered task sends the rest of the event and skips the claimed row.
        _wait_until(
            lambda ids=ids: _statuses(ids)[NotificationStatus.SENT] == len(ids) - 1,
            what="the redelivered task to send the rest of the event",
        )

    _lease_runs_out()
    notification_sweep()
    _wait_until(
        lambda: set(_statuses(all_ids)) <= SETTLED, what="the sweep's resends to be delivered"
    )
    notification_sweep()  # a second sweep finds nothing more to send
    time.sleep(1)

    emails = list(Notification.objects.filter(pk__in=all_ids, channel=NotificationChannel.EMAIL))
    webhooks = list(
        Notification.objects.filter(pk__in=all_ids, channel=NotificationChannel.WEBHOOK)
    )
    arrived = Counter(smtp.message_ids())
    keys = Counter(request["headers"]["x-itsm-delivery"] for request in hooks.received)
    email_duplicates = sum(n - 1 for n in arrived.values() if n > 1)
    email_lost = [
        row.pk
        for row in emails
        if arrived[email_message_id(row)] == 0 and row.status != NotificationStatus.NEEDS_REVIEW
    ]
    review = sorted(r.pk for r in emails if r.status == NotificationStatus.NEEDS_REVIEW)
    webhook_lost = [row.pk for row in webhooks if keys[str(row.event_id)] == 0]
    print(
        f"\n{kills} worker kills ({redelivered} unacknowledged task(s) redelivered): "
        f"e-mail rows {len(emails)}, messages received {sum(arrived.values())}, "
        f"duplicates {email_duplicates}, lost {len(email_lost)}, in review {len(review)}; "
        f"webhook rows {len(webhooks)}, requests {len(hooks.received)}, distinct keys "
        f"{len(keys)}, lost {len(webhook_lost)}, repeats under the same key "
        f"{len(hooks.received) - len(keys)}"
    )
    assert redelivered >= kills  # each killed task really came back
    assert email_duplicates == 0
    assert email_lost == []
    # Only the e-mail in flight at each kill waits for review, and it did arrive once.
    assert review == sorted(stalled_email_ids)
    assert all(arrived[email_message_id(r)] == 1 for r in emails if r.pk in review)
    assert notification_count_needing_review() == len(review)
    # Webhooks: at least once, effectively once by key. The call held at each webhook kill
    # is sent again with the key the receiver already has; nothing else repeats.
    assert webhook_lost == []
    assert len(keys) == len(webhooks)
    assert len(hooks.received) == len(webhooks) + kills // 2
    assert {r.status for r in webhooks} == {NotificationStatus.SENT}


# --- The crash window: claimed, sent, not marked ------------------------------------------


def test_an_email_sent_by_a_worker_that_died_before_marking_it_goes_to_review_not_out_again(
    worker, smtp
):
    """GIVEN the send-claim is committed and the mail server accepted the message
    WHEN the worker is SIGKILLed before it marks the row sent, and a new worker runs
    THEN after the lease the row needs review, and no sweep sends it again."""
    (person,) = _people(1)
    smtp.behaviour = "stall"
    with transaction.atomic():
        (row,) = notification_create(
            event="incident_assigned", recipients=[person], context=CONTEXT
        )
    assert smtp.stalled.wait(30)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENDING  # the claim is committed
    worker.kill()
    worker.start()

    _lease_runs_out()
    for _ in range(3):
        notification_sweep()
    time.sleep(2)  # time for a wrong resend to reach the server

    row.refresh_from_db()
    assert row.status == NotificationStatus.NEEDS_REVIEW
    assert smtp.message_ids() == [email_message_id(row)]


def test_an_email_whose_database_connection_died_before_marking_it_goes_to_review(worker, smtp):
    """GIVEN the mail server accepted the message
    WHEN the worker's PostgreSQL connection dies before it marks the row sent (as in a
         database crash; only this worker's session is terminated)
    THEN after the lease the row needs review, and the live worker never sends it again."""
    (person,) = _people(1)
    smtp.behaviour = "stall"
    with transaction.atomic():
        (row,) = notification_create(
            event="incident_assigned", recipients=[person], context=CONTEXT
        )
    assert smtp.stalled.wait(30)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            [worker.application_name],
        )
        (terminated,) = cursor.fetchone()
    assert terminated >= 1
    smtp.release.set()  # the server answers 250; marking the row sent now fails
    _wait_until(
        lambda: "failed unexpectedly" in (worker.log_dir / "worker-1.log").read_text(),
        what="the worker to report the lost database connection",
    )
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENDING

    _lease_runs_out()
    for _ in range(3):
        notification_sweep()
    time.sleep(2)

    row.refresh_from_db()
    assert row.status == NotificationStatus.NEEDS_REVIEW
    assert smtp.message_ids() == [email_message_id(row)]
