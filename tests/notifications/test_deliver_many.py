"""Chunked delivery: one task per chunk of outbox rows, each row still claimed on its own."""

import pytest
from django.core import mail

from itsm.notifications.choices import NotificationStatus
from itsm.notifications.models import Notification
from itsm.notifications.services import channels, dispatch, notification_create
from itsm.notifications.tasks import notification_deliver, notification_deliver_many
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "INC0001001 is resolved", "message": "Fixed.", "url": "http://x/INC0001001/"}


def _rows(count: int) -> list[Notification]:
    users = [UserFactory(email=f"chunk{i}@example.com") for i in range(count)]
    return notification_create(event="incident_resolved", recipients=users, context=CONTEXT)


def _ids(rows) -> list[int]:
    return [row.pk for row in rows]


def test_the_same_chunk_delivered_twice_sends_each_email_once(mailoutbox):
    rows = _rows(5)

    notification_deliver_many.apply(args=[_ids(rows)])
    notification_deliver_many.apply(args=[_ids(rows)])  # a duplicate or redelivered chunk

    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.target for r in rows)
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_overlapping_chunks_still_send_each_row_once(mailoutbox):
    rows = _rows(4)
    notification_deliver_many.apply(args=[_ids(rows[:3])])
    notification_deliver_many.apply(args=[_ids(rows[1:])])
    assert len(mailoutbox) == 4


def test_a_failing_row_gets_its_own_retry_and_the_rest_of_its_chunk_is_sent_once(
    monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    rows = _rows(3)
    bad = rows[1]
    real_send = channels.send_email

    def send(notification):
        if notification.pk == bad.pk:
            raise ConnectionRefusedError("SMTP is down for this one")
        real_send(notification)

    monkeypatch.setattr(channels, "send_email", send)
    enqueued = []
    monkeypatch.setattr(
        dispatch, "enqueue", lambda ids, countdown=None: enqueued.append((ids, countdown))
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification_deliver_many.apply(args=[_ids(rows)])

    assert sorted(m.to[0] for m in mailoutbox) == sorted([rows[0].target, rows[2].target])
    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == (NotificationStatus.PENDING, 1)
    # Only the failed row is enqueued again, alone and with its back-off (1 minute).
    assert enqueued == [([bad.pk], 60.0)]

    monkeypatch.setattr(channels, "send_email", real_send)
    notification_deliver_many.apply(args=[_ids(rows)])  # the chunk comes round again
    notification_deliver_many.apply(args=[[bad.pk]])  # and the retry runs
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.target for r in rows)


def test_a_bug_in_one_row_does_not_stop_the_others(monkeypatch, mailoutbox, caplog):
    rows = _rows(3)
    real_send = channels.send_email

    def send(notification):
        if notification.pk == rows[0].pk:
            raise KeyError("a bug, not a delivery error")
        real_send(notification)

    monkeypatch.setattr(channels, "send_email", send)
    notification_deliver_many.apply(args=[_ids(rows)])

    assert len(mailoutbox) == 2
    # Left in `sending` for the sweep's reclaim, as the single-row task would have.
    assert Notification.objects.get(pk=rows[0].pk).status == NotificationStatus.SENDING
    assert "failed unexpectedly" in caplog.text


def test_the_old_single_row_task_still_delivers_queued_messages(mailoutbox):
    (row,) = _rows(1)
    notification_deliver.apply(args=[row.pk])
    notification_deliver.apply(args=[row.pk])
    assert len(mail.outbox) == 1


def test_enqueueing_publishes_one_task_per_chunk(monkeypatch):
    published = []
    monkeypatch.setattr(
        notification_deliver_many,
        "apply_async",
        lambda args, countdown=None, connection=None, argsrepr=None, retry=None: published.append(
            (args[0], argsrepr)
        ),
    )
    ids = list(range(1, 2 * dispatch.DELIVER_CHUNK + 2))

    assert dispatch.enqueue(ids) == len(ids)

    assert [len(chunk) for chunk, _ in published] == [
        dispatch.DELIVER_CHUNK,
        dispatch.DELIVER_CHUNK,
        1,
    ]
    assert [i for chunk, _ in published for i in chunk] == ids
    # Worker logs name a chunk by its size and ends, not by 250 ids.
    assert (
        published[0][1]
        == f"[{dispatch.DELIVER_CHUNK} notification ids: 1…{dispatch.DELIVER_CHUNK}]"
    )
