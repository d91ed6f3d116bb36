import logging
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from itsm.celery import app as celery_app
from itsm.notifications.choices import NotificationStatus
from itsm.notifications.models import Notification
from itsm.notifications.selectors import notification_count_needing_review
from itsm.notifications.services import (
    notification_confirm_delivered,
    notification_create,
    notification_resend_reviewed,
    notification_retry,
    notification_sweep,
)

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "Planned maintenance tonight", "message": "", "url": ""}
DEAD_BROKER = "redis://127.0.0.1:1/0"


def _override_celery(name: str, value):
    saved = celery_app.conf[name]
    celery_app.conf[name] = value
    yield
    celery_app.conf[name] = saved


@pytest.fixture
def eager_tasks():
    """Tasks run inline where they are enqueued, so a sweep's deliveries are visible at once."""
    yield from _override_celery("task_always_eager", True)


@pytest.fixture
def dead_broker():
    yield from _override_celery("broker_url", DEAD_BROKER)


def _pending_rows(*users, captured) -> list[Notification]:
    with captured(execute=False):  # the on_commit enqueue is "lost"
        return notification_create(event="maintenance_announced", recipients=users, context=CONTEXT)


def test_a_dead_broker_never_fails_the_request_and_leaves_rows_pending(
    requester, agent, dead_broker, django_capture_on_commit_callbacks, caplog
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rows = notification_create(
            event="maintenance_announced", recipients=[requester, agent], context=CONTEXT
        )
    assert time.monotonic() - started < 3
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    assert len(rows) == 2
    assert any(
        "sweep will retry" in r.message for r in caplog.records if r.levelno == logging.WARNING
    )


def test_the_sweep_delivers_only_overdue_pending_rows_and_each_once(
    requester, agent, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now()
    _pending_rows(requester, agent, captured=django_capture_on_commit_callbacks)

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert notification_sweep() == 0  # still within the grace period: the task may run
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert notification_sweep() == 2
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert notification_sweep() == 0

    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "rita@example.com"]
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_row_the_sweep_enqueued_waits_a_grace_period_before_being_enqueued_again(
    requester, dead_broker, django_capture_on_commit_callbacks
):
    start = timezone.now()
    _pending_rows(requester, captured=django_capture_on_commit_callbacks)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert notification_sweep() == 1
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert notification_sweep() == 0
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert notification_sweep() == 1


def test_an_email_left_in_sending_by_a_dead_worker_goes_to_review_and_is_not_resent(
    requester, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    """GIVEN an e-mail whose send-claim was committed and whose worker died before marking it
    WHEN the claim's lease runs out and the sweep runs (again and again)
    THEN the row needs review and no second copy goes out."""
    (row,) = _pending_rows(requester, captured=django_capture_on_commit_callbacks)
    claimed_at = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    with time_machine.travel(claimed_at + timedelta(minutes=5), tick=False):
        assert notification_sweep() == 0  # maybe still sending: leave it alone
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENDING
    for minutes in (11, 30, 120):
        with time_machine.travel(claimed_at + timedelta(minutes=minutes), tick=False):
            assert notification_sweep() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mailoutbox)) == ("needs_review", 1, 0)
    assert "may or may not have arrived" in row.last_error
    assert notification_count_needing_review() == 1


def test_a_webhook_left_in_sending_by_a_dead_worker_is_sent_again_with_the_same_key(
    requester, eager_tasks, webhook_receiver, make_subscription, django_capture_on_commit_callbacks
):
    make_subscription(url=webhook_receiver.url)
    with django_capture_on_commit_callbacks(execute=False):
        (row,) = notification_create(event="maintenance_announced", recipients=[], context=CONTEXT)
    claimed_at = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    with time_machine.travel(claimed_at + timedelta(minutes=11), tick=False):
        assert notification_sweep() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    ((headers, _body),) = webhook_receiver.received
    assert headers["X-ITSM-Delivery"] == str(row.event_id)


def test_a_stuck_webhook_that_used_up_its_attempts_is_marked_failed(
    settings, make_subscription, django_capture_on_commit_callbacks
):
    settings.ITSM_NOTIFICATION_MAX_ATTEMPTS = 2
    make_subscription()
    with django_capture_on_commit_callbacks(execute=False):
        (row,) = notification_create(event="maintenance_announced", recipients=[], context=CONTEXT)
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, claimed_at=timezone.now(), attempts=2
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert notification_sweep() == 0
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "stopped before it finished" in row.last_error


def test_an_email_in_review_is_resent_only_by_the_operators_resend(
    requester, agent, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    review, failed = _pending_rows(requester, agent, captured=django_capture_on_commit_callbacks)
    Notification.objects.filter(pk=review.pk).update(
        status=NotificationStatus.NEEDS_REVIEW, attempts=1
    )
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_retry(notification_ids=[review.pk]) == 0  # "retry" skips review
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_resend_reviewed(notification_ids=[review.pk, failed.pk]) == 1

    assert [m.to[0] for m in mailoutbox] == [review.target]
    review.refresh_from_db()
    assert (review.status, review.attempts) == ("sent", 2)


def test_an_email_in_review_that_arrived_is_marked_delivered_without_a_second_copy(
    requester, agent, mailoutbox, django_capture_on_commit_callbacks
):
    review, pending = _pending_rows(requester, agent, captured=django_capture_on_commit_callbacks)
    Notification.objects.filter(pk=review.pk).update(status=NotificationStatus.NEEDS_REVIEW)

    assert notification_confirm_delivered(notification_ids=[review.pk, pending.pk]) == 1

    review.refresh_from_db()
    pending.refresh_from_db()
    assert (review.status, pending.status, mailoutbox) == ("sent", "pending", [])
    assert review.sent_at is not None
    assert notification_count_needing_review() == 0


def test_retry_sends_failed_rows_again_but_never_sent_ones(
    requester, agent, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    failed, sent = _pending_rows(requester, agent, captured=django_capture_on_commit_callbacks)
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED, attempts=6)
    Notification.objects.filter(pk=sent.pk).update(status=NotificationStatus.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_retry(notification_ids=[failed.pk, sent.pk]) == 1

    assert [m.to[0] for m in mailoutbox] == [failed.target]
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT
