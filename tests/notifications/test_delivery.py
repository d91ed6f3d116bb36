import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from itsm.notifications.choices import NotificationStatus
from itsm.notifications.models import Notification
from itsm.notifications.services import (
    notification_create,
    notification_deliver,
    notification_retry_delay,
)

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "INC0001001 is resolved", "message": "Fixed.", "url": "http://x/INC0001001/"}
UNREACHABLE_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
    }
}


def _email_row(user) -> Notification:
    (row,) = notification_create(event="incident_resolved", recipients=[user], context=CONTEXT)
    return row


def test_delivering_the_same_notification_twice_sends_one_email(requester, mailoutbox):
    row = _email_row(requester)

    first = notification_deliver(notification_id=row.pk)
    second = notification_deliver(notification_id=row.pk)

    assert first.status == NotificationStatus.SENT
    assert first.sent_at is not None and first.attempts == 1
    assert second is None
    assert len(mailoutbox) == 1


def test_the_email_is_multipart_from_the_desk_address_with_event_headers(
    requester, mailoutbox, settings
):
    row = _email_row(requester)
    notification_deliver(notification_id=row.pk)
    (message,) = mailoutbox
    assert message.to == ["rita@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "INC0001001 is resolved"
    assert "Fixed." in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert message.extra_headers["X-ITSM-Event"] == "incident_resolved"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_row_already_claimed_by_another_worker_is_not_sent(requester, mailoutbox):
    row = _email_row(requester)
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENDING)
    assert notification_deliver(notification_id=row.pk) is None
    assert mailoutbox == []


def test_a_missing_row_is_nothing_to_do():
    assert notification_deliver(notification_id=987654321) is None


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (9, 30)]
)
def test_retry_delay_doubles_from_one_minute_and_is_capped_at_thirty(attempts, minutes):
    assert notification_retry_delay(attempts=attempts) == timedelta(minutes=minutes)


def test_a_failed_send_is_retried_later_with_back_off(
    requester, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = UNREACHABLE_SMTP
    row = _email_row(requester)
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            first = notification_deliver(notification_id=row.pk)
        assert first.status == NotificationStatus.PENDING
        assert first.attempts == 1
        assert first.next_attempt_at == timezone.now() + timedelta(minutes=1)
        assert "ConnectionRefusedError" in first.last_error
        assert len(callbacks) == 1  # the retry is enqueued (with a countdown) after commit

    with time_machine.travel("2026-03-02 10:01:00+00:00", tick=False):
        second = notification_deliver(notification_id=row.pk)
        assert (second.attempts, second.status) == (2, NotificationStatus.PENDING)
        assert second.next_attempt_at == timezone.now() + timedelta(minutes=2)


def test_a_notification_is_marked_failed_after_the_maximum_attempts(
    requester, settings, mailoutbox
):
    settings.MAILERS = UNREACHABLE_SMTP
    settings.ITSM_NOTIFICATION_MAX_ATTEMPTS = 3
    row = _email_row(requester)
    statuses = [notification_deliver(notification_id=row.pk).status for _ in range(3)]
    assert statuses == ["pending", "pending", "failed"]
    assert notification_deliver(notification_id=row.pk) is None  # failed rows are not picked
    row.refresh_from_db()
    assert row.attempts == 3


def test_a_webhook_is_posted_with_a_verifiable_hmac_signature(
    agent, webhook_receiver, make_subscription
):
    make_subscription(url=webhook_receiver.url, secret="shared-with-the-receiver")
    (hook,) = notification_create(event="incident_assigned", recipients=[], context=CONTEXT)

    delivered = notification_deliver(notification_id=hook.pk)

    assert delivered.status == NotificationStatus.SENT
    ((headers, body),) = webhook_receiver.received
    expected = hmac.new(b"shared-with-the-receiver", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-ITSM-Signature"], f"sha256={expected}")
    assert headers["X-ITSM-Event"] == "incident_assigned"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["text"] == "INC0001001 is resolved\nhttp://x/INC0001001/"


def test_a_webhook_signed_with_another_secret_does_not_verify(webhook_receiver, make_subscription):
    make_subscription(url=webhook_receiver.url, secret="the-real-secret")
    (hook,) = notification_create(event="incident_assigned", recipients=[], context=CONTEXT)
    notification_deliver(notification_id=hook.pk)
    ((headers, body),) = webhook_receiver.received
    forged = hmac.new(b"a-guess", body, hashlib.sha256).hexdigest()
    assert headers["X-ITSM-Signature"] != f"sha256={forged}"


def test_a_webhook_answering_500_is_retried(webhook_receiver, make_subscription):
    webhook_receiver.status = 500
    make_subscription(url=webhook_receiver.url)
    (hook,) = notification_create(event="incident_assigned", recipients=[], context=CONTEXT)
    result = notification_deliver(notification_id=hook.pk)
    assert result.status == NotificationStatus.PENDING
    assert "HTTP Error 500" in result.last_error
    assert len(webhook_receiver.received) == 1


def test_a_webhook_whose_subscription_was_deleted_fails_instead_of_sending_unsigned(
    webhook_receiver, make_subscription, settings
):
    settings.ITSM_NOTIFICATION_MAX_ATTEMPTS = 1
    subscription = make_subscription(url=webhook_receiver.url)
    (hook,) = notification_create(event="incident_assigned", recipients=[], context=CONTEXT)
    subscription.delete()
    result = notification_deliver(notification_id=hook.pk)
    assert result.status == NotificationStatus.FAILED
    assert "deleted" in result.last_error
    assert webhook_receiver.received == []
