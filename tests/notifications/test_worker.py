"""End to end through a real Celery worker and real Redis (STYLE §7)."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from itsm.notifications.models import Notification
from itsm.notifications.services import notification_create, notification_sweep

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CONTEXT = {"title": "INC0001001 assigned to you", "message": "P2", "url": "http://x/1/"}


def _wait_for_outbox(count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_committed_notification_is_emailed_by_a_real_worker(celery_worker, agent, mailoutbox):
    with transaction.atomic():
        (row,) = notification_create(event="incident_assigned", recipients=[agent], context=CONTEXT)
        assert mail.outbox == []  # nothing leaves before the commit

    _wait_for_outbox(1)

    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "INC0001001 assigned to you"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_after_a_redis_outage_the_sweep_delivers_every_row_exactly_once(
    celery_worker, celery_app_for_tests, requester, agent, mailoutbox
):
    """GIVEN the broker is unreachable while a change commits its notifications
    WHEN the broker is back and the sweep runs (twice)
    THEN every notification is emailed exactly once."""
    good_broker = celery_app_for_tests.conf["broker_url"]
    celery_app_for_tests.conf["broker_url"] = "redis://127.0.0.1:1/0"
    try:
        started = time.monotonic()
        with transaction.atomic():
            rows = notification_create(
                event="incident_assigned", recipients=[requester, agent], context=CONTEXT
            )
        assert time.monotonic() - started < 3  # the request did not hang on the dead broker
        assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}

    finally:
        celery_app_for_tests.conf["broker_url"] = good_broker
    time.sleep(1)
    assert mail.outbox == []  # nothing was enqueued during the outage

    # Three minutes pass. (Not with time_machine: travelling the clock under a running worker
    # thread would shift its event-loop timers.)
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=3))
    assert notification_sweep() == 2
    _wait_for_outbox(2)
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=3))
    assert notification_sweep() == 0  # every row is sent: nothing left to enqueue
    time.sleep(1)

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "rita@example.com"]
    assert {
        (r.status, r.attempts) for r in Notification.objects.filter(pk__in=[r.pk for r in rows])
    } == {("sent", 1)}
